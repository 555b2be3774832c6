//! Desktop notifications, each kind a setting: long work that ended while the window was not
//! focused (the UI reports it, `notify_done`), and a container that died unexpectedly (decided
//! in berth-core from the engine's events).

use berth_core::engine::ContainerDeath;
use berth_core::settings::{NotificationKind, SettingsStore};
use std::sync::{mpsc, OnceLock};
use tauri::{AppHandle, Manager};

/// Shows `title`/`body` when the user wants this kind.
pub fn show(app: &AppHandle, kind: NotificationKind, title: &str, body: &str) {
    let allowed = app.try_state::<SettingsStore>().is_some_and(|s| s.get().notifications.allows(kind));
    if !allowed {
        return;
    }
    static OUTBOX: OnceLock<Option<mpsc::Sender<(String, String)>>> = OnceLock::new();
    let outbox = OUTBOX.get_or_init(|| {
        let (outbox, inbox) = mpsc::channel();
        #[cfg(target_os = "macos")]
        let _ = notify_rust::set_application(&app.config().identifier);
        let spawned = std::thread::Builder::new().name("notifications".into()).spawn(move || send_all(inbox));
        spawned.inspect_err(|e| tracing::warn!(error = %e, "cannot start the notifications thread")).ok().map(|_| outbox)
    });
    if let Some(outbox) = outbox {
        let _ = outbox.send((title.to_owned(), body.to_owned()));
    }
}

/// Sends each notification from one thread, which sleeps between them (sending waits on the
/// notification server). On Linux a notification's handle holds the D-Bus connection it went out
/// on, and servers such as GNOME's close a notification once that connection goes away: the
/// last few are kept.
fn send_all(inbox: mpsc::Receiver<(String, String)>) {
    let mut kept = std::collections::VecDeque::new();
    for (title, body) in inbox {
        let mut notification = notify_rust::Notification::new();
        notification.appname("Berth").summary(&title).body(&body);
        #[cfg(all(unix, not(target_os = "macos")))]
        notification.auto_icon(); // the binary's name, which the package's icon bears
        match notification.show() {
            Ok(handle) => {
                kept.push_back(handle);
                if kept.len() > 8 {
                    kept.pop_front();
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot show a notification"),
        }
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
