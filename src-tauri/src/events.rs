//! The only place that emits Tauri events: low-rate facts from the engine pump.
//! `engine://status` carries the [`EngineStatus`]; `containers://changed` the rows to patch;
//! `images://changed` the whole (short) image list; `volumes://changed`, `networks://changed`
//! and `stacks://changed` (compose projects, after their containers change) likewise. The lists are re-read by berth-core's [`Relister`], each kind on its own.
//! The tray menu follows the same facts, and unexpected container deaths become notifications.
//! Bulk streams (logs, terminals) use Channels instead, see `streams.rs`.

use crate::state::AppState;
use crate::tray::Tray;
use berth_core::engine::{EngineEvent, EngineStatus, Relisted, Relister};
use tauri::{AppHandle, Emitter, Manager};

pub const ENGINE_STATUS: &str = "engine://status";
pub const CONTAINERS_CHANGED: &str = "containers://changed";
pub const IMAGES_CHANGED: &str = "images://changed";
pub const VOLUMES_CHANGED: &str = "volumes://changed";
pub const NETWORKS_CHANGED: &str = "networks://changed";
pub const STACKS_CHANGED: &str = "stacks://changed";

/// A callback for the pump: statuses go out at once, changes are re-read and then emitted.
pub fn sink(app: AppHandle) -> impl Fn(EngineEvent) + Send + Sync + 'static {
    let engine = {
        let app = app.clone();
        move || app.try_state::<AppState>()?.pump.engine().ok()
    };
    let emit = {
        let app = app.clone();
        move |relisted| {
            let _ = match relisted {
                Relisted::Containers(changed) => {
                    if let Some(tray) = app.try_state::<Tray>() {
                        tray.changed(&app, &changed);
                    }
                    if let Some(state) = app.try_state::<AppState>() {
                        state.list_ahead.notice();
                    }
                    app.emit(CONTAINERS_CHANGED, changed)
                }
                Relisted::Images(list) => app.emit(IMAGES_CHANGED, list),
                Relisted::Volumes(list) => app.emit(VOLUMES_CHANGED, list),
                Relisted::Networks(list) => app.emit(NETWORKS_CHANGED, list),
                Relisted::Stacks(list) => app.emit(STACKS_CHANGED, list),
            };
        }
    };
    let relister = Relister::start(engine, emit);
    move |event| match event {
        EngineEvent::Status(status) => {
            if let Some(tray) = app.try_state::<Tray>() {
                tray.status(&app, &status);
            }
            // Connected: the page that loads next has its container list read already.
            if let (EngineStatus::Connected { .. }, Some(state)) = (&*status, app.try_state::<AppState>()) {
                if let Ok(engine) = state.pump.engine() {
                    state.list_ahead.ensure(&engine);
                }
            }
            let _ = app.emit(ENGINE_STATUS, status);
        }
        EngineEvent::ContainerDied(death) => crate::notify::died(&app, &death),
        other => relister.note(other),
    }
}
