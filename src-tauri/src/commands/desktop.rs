//! The app as a desktop citizen: settings, notifications of finished work, the folder a launch
//! named, quitting.

use super::Res;
use crate::launch::LaunchFolder;
use berth_core::settings::{NotificationKind, Settings, SettingsStore, SettingsView};
use serde::Deserialize;
use std::path::PathBuf;
use tauri::{AppHandle, State};

#[tauri::command]
#[specta::specta]
pub async fn settings_get(store: State<'_, SettingsStore>) -> Res<SettingsView> {
    Ok(store.view())
}

/// Saves the settings and applies them at once (the tray icon appears or goes).
#[tauri::command]
#[specta::specta]
pub async fn settings_set(app: AppHandle, store: State<'_, SettingsStore>, settings: Settings) -> Res<SettingsView> {
    let tray = settings.tray;
    let view = store.set(settings)?;
    if let Err(e) = crate::tray::apply(&app, tray) {
        tracing::warn!(error = %e, "cannot show or remove the tray icon");
    }
    Ok(view)
}

/// Long work that ended (a build, pull, push, stack up), as the UI saw it end.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkDone {
    kind: NotificationKind,
    /// What it was about: an image reference, a stack's name.
    subject: String,
    failed: bool,
}

/// Notifies when the window is not focused and the user wants this kind.
#[tauri::command]
#[specta::specta]
pub async fn notify_done(app: AppHandle, work: WorkDone) -> Res<()> {
    if crate::notify::window_focused(&app) {
        return Ok(());
    }
    let what = match work.kind {
        NotificationKind::Build => "Build",
        NotificationKind::Pull => "Pull",
        NotificationKind::Push => "Push",
        NotificationKind::StackUp => "Stack up",
        NotificationKind::Pipeline => "Pipeline",
        NotificationKind::ContainerDied => return Ok(()), // the engine's events report those
    };
    let title = format!("{what} {}", if work.failed { "failed" } else { "finished" });
    crate::notify::show(&app, work.kind, &title, &work.subject);
    Ok(())
}

/// The folder named on the command line of this launch, once.
#[tauri::command]
#[specta::specta]
pub async fn launch_folder(folder: State<'_, LaunchFolder>) -> Res<Option<PathBuf>> {
    Ok(folder.0.lock().unwrap().take())
}

#[tauri::command]
#[specta::specta]
pub async fn app_quit(app: AppHandle) -> Res<()> {
    app.exit(0);
    Ok(())
}
