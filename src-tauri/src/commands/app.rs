use super::Res;
use crate::state::AppState;
use berth_core::about::{self, About};
use berth_core::error::ErrorPayload;
use berth_core::platform::{self, Os};
use std::sync::Once;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

/// Called by the UI once its first container list is on screen. Prints a marker line that the
/// start-up benchmark (`make bench`) times from process start.
#[tauri::command]
#[specta::specta]
pub async fn app_ready(rows: u32) -> Res<()> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        println!("BERTH_FIRST_LIST rows={rows}");
        tracing::info!(rows, "containers listed");
    });
    Ok(())
}

/// The About panel: versions, OS, the engine in use, the log folder and the diagnostics text.
#[tauri::command]
#[specta::specta]
pub async fn app_about(state: State<'_, AppState>) -> Res<About> {
    let log_dir = platform::paths::current_log_dir().map(|d| d.display().to_string());
    let os = tauri::async_runtime::spawn_blocking(about::current_os).await.unwrap_or_else(|_| Os::CURRENT.label().into());
    Ok(About::new(env!("CARGO_PKG_VERSION"), tauri::VERSION, tauri::webview_version().ok(), os, &state.pump.status(), log_dir))
}

/// Opens Berth's log folder in the file manager. The page names no path: only this folder can
/// be opened this way, and the page holds no opener permission of its own.
#[tauri::command]
#[specta::specta]
pub async fn app_open_log_folder(app: tauri::AppHandle) -> Res<()> {
    let failed = |message: String, detail: String| ErrorPayload { code: berth_core::ErrorCode::Internal, message, detail, field: None };
    let dir = platform::paths::current_log_dir()
        .ok_or_else(|| failed("There is no home folder, so Berth logs to the terminal only.".into(), "no home folder".into()))?;
    let shown = dir.display().to_string();
    std::fs::create_dir_all(&dir).map_err(|e| failed(format!("The log folder {shown} cannot be created."), e.to_string()))?;
    app.opener()
        .open_path(shown.clone(), None::<&str>)
        .map_err(|e| failed(format!("No file manager opened it; the folder is {shown}."), e.to_string()))
}
