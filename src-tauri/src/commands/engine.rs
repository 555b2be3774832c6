use super::Res;
use crate::state::AppState;
use berth_core::engine::{self, EngineCandidate, EngineStatus};
use tauri::State;

#[tauri::command]
pub async fn engine_status(state: State<'_, AppState>) -> Res<EngineStatus> {
    Ok(state.pump.status())
}

#[tauri::command]
pub async fn engine_candidates(state: State<'_, AppState>) -> Res<Vec<EngineCandidate>> {
    Ok(engine::candidates(state.pump.environment()).await)
}

#[tauri::command]
pub async fn engine_select(state: State<'_, AppState>, host: String) -> Res<EngineStatus> {
    Ok(state.pump.select(&host).await?)
}
