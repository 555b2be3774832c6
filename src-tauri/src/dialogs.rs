//! Native file dialogs, asked from the Rust side so the page never names paths itself.

use super::commands::Res;
use berth_core::error::ErrorPayload;
use std::path::PathBuf;
use tauri_plugin_dialog::{DialogExt, FilePath};

/// Ask where to save; None when the user cancels.
pub async fn save_path(app: &tauri::AppHandle, file_name: &str, filter: &str, extensions: &[&str]) -> Res<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name(file_name).add_filter(filter, extensions).save_file(move |path| {
        let _ = tx.send(path);
    });
    local(rx.await.ok().flatten())
}

/// Ask for a file to open; None when the user cancels.
pub async fn open_path(app: &tauri::AppHandle, filter: &str, extensions: &[&str]) -> Res<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().add_filter(filter, extensions).pick_file(move |path| {
        let _ = tx.send(path);
    });
    local(rx.await.ok().flatten())
}

/// Ask for a folder; None when the user cancels.
pub async fn folder_path(app: &tauri::AppHandle) -> Res<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Open a project folder").pick_folder(move |path| {
        let _ = tx.send(path);
    });
    local(rx.await.ok().flatten())
}

fn local(path: Option<FilePath>) -> Res<Option<PathBuf>> {
    let Some(path) = path else { return Ok(None) };
    path.into_path().map(Some).map_err(|e| ErrorPayload {
        code: berth_core::ErrorCode::InvalidInput,
        message: "That location is not a file on this computer; pick a folder on this computer.".into(),
        detail: e.to_string(),
        field: None,
    })
}
