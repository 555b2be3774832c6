use super::Res;
use crate::state::AppState;
use berth_core::engine::{self, EngineCandidate, EngineStatus};
use berth_core::platform::engine_help::{self, EngineAction, EngineHelp, EngineHelpOutcome};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn engine_status(state: State<'_, AppState>) -> Res<EngineStatus> {
    Ok(state.pump.status())
}

#[tauri::command]
#[specta::specta]
pub async fn engine_candidates(state: State<'_, AppState>) -> Res<Vec<EngineCandidate>> {
    Ok(engine::candidates(state.pump.environment()).await)
}

#[tauri::command]
#[specta::specta]
pub async fn engine_select(state: State<'_, AppState>, host: String) -> Res<EngineStatus> {
    Ok(state.pump.select(&host).await?)
}

/// What the no-engine screen says and offers on this computer.
#[tauri::command]
#[specta::specta]
pub async fn engine_help() -> Res<EngineHelp> {
    Ok(tauri::async_runtime::spawn_blocking(engine_help::current).await.expect("probing the engine help does not panic"))
}

/// Runs one of the no-engine screen's buttons; the pump (retrying every half second) notices
/// the engine by itself.
#[tauri::command]
#[specta::specta]
pub async fn engine_help_act(action: EngineAction) -> Res<EngineHelpOutcome> {
    Ok(engine_help::act(action).await)
}
