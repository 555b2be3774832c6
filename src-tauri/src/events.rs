//! The only place that emits Tauri events: low-rate facts from the engine pump.
//! `engine://status` carries the [`EngineStatus`]; `containers://changed` the rows to patch;
//! `images://changed` the whole (short) image list; `volumes://changed` and `networks://changed`
//! likewise.
//! Bulk streams (logs, terminals) use Channels instead, see `streams.rs`.

use crate::state::AppState;
use berth_core::{containers, images, networks, volumes};
use berth_core::engine::EngineEvent;
use berth_core::Engine;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::mpsc;

pub const ENGINE_STATUS: &str = "engine://status";
pub const CONTAINERS_CHANGED: &str = "containers://changed";
pub const IMAGES_CHANGED: &str = "images://changed";
pub const VOLUMES_CHANGED: &str = "volumes://changed";
pub const NETWORKS_CHANGED: &str = "networks://changed";

/// A callback for the pump. Events are handled in order on one task, so a later change can
/// never overtake an earlier one.
pub fn sink(app: AppHandle) -> impl Fn(EngineEvent) + Send + Sync + 'static {
    let (tx, mut rx) = mpsc::unbounded_channel::<EngineEvent>();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = rx.recv().await {
            match event {
                EngineEvent::Status(status) => {
                    let _ = app.emit(ENGINE_STATUS, status);
                }
                EngineEvent::ContainersChanged(ids) => {
                    let Some(state) = app.try_state::<AppState>() else { continue };
                    let Ok(engine) = state.pump.engine() else { continue };
                    match containers::changes(&engine, ids).await {
                        Ok(changed) => {
                            let _ = app.emit(CONTAINERS_CHANGED, changed);
                        }
                        Err(e) => tracing::warn!(%e, "could not resolve container changes"),
                    }
                }
                EngineEvent::ImagesChanged => relist(&app, IMAGES_CHANGED, images::list).await,
                EngineEvent::VolumesChanged => relist(&app, VOLUMES_CHANGED, volumes::list).await,
                EngineEvent::NetworksChanged => relist(&app, NETWORKS_CHANGED, networks::list).await,
            }
        }
    });
    move |event| {
        let _ = tx.send(event);
    }
}

/// Emit `event` with the whole list `list` reads now (these lists are short).
async fn relist<T: Serialize + Clone>(app: &AppHandle, event: &str, list: impl AsyncFnOnce(&Engine) -> berth_core::Result<T>) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let Ok(engine) = state.pump.engine() else { return };
    match list(&engine).await {
        Ok(list) => {
            let _ = app.emit(event, list);
        }
        Err(e) => tracing::warn!(%e, event, "could not re-read a list after a change"),
    }
}
