//! Desktop notifications, each kind a setting: long work that ended while the window was not
//! focused (the UI reports it, `notify_done`), and a container that died unexpectedly (decided
//! in berth-core from the engine's events).

use berth_core::engine::ContainerDeath;
use berth_core::settings::{NotificationKind, SettingsStore};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

/// Shows `title`/`body` when the user wants this kind.
pub fn show(app: &AppHandle, kind: NotificationKind, title: &str, body: &str) {
    let allowed = app.try_state::<SettingsStore>().is_some_and(|s| s.get().notifications.allows(kind));
    if !allowed {
        return;
    }
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "cannot show a notification");
    }
}

pub fn died(app: &AppHandle, death: &ContainerDeath) {
    let body = format!("{} exited with code {}.", death.name, death.exit_code);
    show(app, NotificationKind::ContainerDied, "Container stopped unexpectedly", &body);
}

/// Is the main window focused? Work that ends while it is needs no notification.
pub fn window_focused(app: &AppHandle) -> bool {
    app.get_webview_window("main").and_then(|w| w.is_focused().ok()).unwrap_or(false)
}
