//! The optional tray / menu-bar icon: the engine's status, each running container with Stop and
//! Restart, Show Berth and Quit. Its menu is rebuilt from what the engine pushes (status and
//! container changes, see `events.rs`), never polled; the icon shows only while the setting is on.

use crate::state::AppState;
use berth_core::containers::{self, ContainerAction, ContainerState, ContainerSummary, ContainersChanged};
use berth_core::engine::EngineStatus;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

const ID: &str = "berth";

/// What the menu shows, kept up to date whether or not the icon is on.
#[derive(Default)]
pub struct Tray {
    status: Mutex<String>,
    /// Running containers: id to name, sorted by id for a stable menu.
    running: Mutex<BTreeMap<String, String>>,
}

impl Tray {
    pub fn status(&self, app: &AppHandle, status: &EngineStatus) {
        *self.status.lock().unwrap() = match status {
            EngineStatus::Connecting { .. } => "Engine: connecting…".into(),
            EngineStatus::Connected { engine } => format!("Engine: {} {}", engine.product, engine.version),
            EngineStatus::Disconnected { .. } => "Engine: not running".into(),
        };
        match status {
            // A (re)connect may follow a gap: read the whole list once.
            EngineStatus::Connected { .. } => relist(app),
            EngineStatus::Disconnected { .. } => self.running.lock().unwrap().clear(),
            EngineStatus::Connecting { .. } => {}
        }
        refresh(app);
    }

    pub fn changed(&self, app: &AppHandle, changed: &ContainersChanged) {
        {
            let mut running = self.running.lock().unwrap();
            for id in &changed.removed {
                running.remove(id);
            }
            for c in &changed.upserted {
                note(&mut running, c);
            }
        }
        refresh(app);
    }
}

fn note(running: &mut BTreeMap<String, String>, c: &ContainerSummary) {
    if c.state == ContainerState::Running {
        running.insert(c.id.clone(), c.name.clone());
    } else {
        running.remove(&c.id);
    }
}

fn relist(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(engine) = app.try_state::<AppState>().and_then(|s| s.pump.engine().ok()) else { return };
        let Ok(list) = containers::list(&engine).await else { return };
        if let Some(tray) = app.try_state::<Tray>() {
            let mut running = tray.running.lock().unwrap();
            running.clear();
            list.iter().for_each(|c| note(&mut running, c));
        }
        refresh(&app);
    });
}

/// Shows or hides the icon (the tray setting). Made once, then only hidden and shown again: on
/// Linux a dropped icon's D-Bus object outlives it and a new one under the same id would clash.
pub fn apply(app: &AppHandle, on: bool) -> tauri::Result<()> {
    match app.tray_by_id(ID) {
        Some(icon) => icon.set_visible(on)?,
        None if on => {
            let menu = menu(app)?;
            let mut builder = TrayIconBuilder::with_id(ID).tooltip("Berth").menu(&menu).on_menu_event(clicked);
            if let Some(icon) = app.default_window_icon() {
                builder = builder.icon(icon.clone());
            }
            builder.build(app)?;
        }
        None => return Ok(()),
    }
    if on {
        relist(app);
    }
    Ok(())
}

/// Rebuilds the menu of a shown icon.
fn refresh(app: &AppHandle) {
    let Some(icon) = app.tray_by_id(ID) else { return };
    if let Err(e) = menu(app).and_then(|m| icon.set_menu(Some(m))) {
        tracing::warn!(error = %e, "cannot rebuild the tray menu");
    }
}

fn menu(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let tray = app.state::<Tray>();
    let status = MenuItem::with_id(app, "status", tray.status.lock().unwrap().as_str(), false, None::<&str>)?;
    let menu = Menu::with_items(app, &[&status, &PredefinedMenuItem::separator(app)?])?;
    let running = tray.running.lock().unwrap().clone();
    if running.is_empty() {
        menu.append(&MenuItem::with_id(app, "none", "No running containers", false, None::<&str>)?)?;
    }
    for (id, name) in running {
        let stop = MenuItem::with_id(app, format!("stop:{id}"), "Stop", true, None::<&str>)?;
        let restart = MenuItem::with_id(app, format!("restart:{id}"), "Restart", true, None::<&str>)?;
        menu.append(&Submenu::with_items(app, name, true, &[&stop, &restart])?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, "show", "Show Berth", true, None::<&str>)?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit Berth", true, None::<&str>)?)?;
    Ok(menu)
}

fn clicked(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    let action = match id.split_once(':') {
        Some(("stop", c)) => Some((ContainerAction::Stop, c.to_string())),
        Some(("restart", c)) => Some((ContainerAction::Restart, c.to_string())),
        _ => None,
    };
    match (id, action) {
        ("show", _) => crate::launch::show(app),
        ("quit", _) => app.exit(0),
        (_, Some((action, container))) => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(engine) = app.try_state::<AppState>().and_then(|s| s.pump.engine().ok()) else { return };
                // The result shows in the window's list through the engine's events; a failure is logged.
                if let Err(e) = containers::act(&engine, &container, action).await {
                    tracing::warn!(error = %e, "tray action failed");
                }
            });
        }
        _ => {}
    }
}
