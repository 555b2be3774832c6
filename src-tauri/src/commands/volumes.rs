use super::Res;
use crate::state::AppState;
use berth_core::volumes::{self, VolumeDetails, VolumeFiles, VolumePruneEstimate, VolumePruneReport, VolumeSpec, VolumeSummary};
use tauri::State;

#[tauri::command]
pub async fn volume_list(state: State<'_, AppState>) -> Res<Vec<VolumeSummary>> {
    Ok(volumes::list(&state.pump.engine()?).await?)
}

#[tauri::command]
pub async fn volume_create(state: State<'_, AppState>, spec: VolumeSpec) -> Res<VolumeSummary> {
    Ok(volumes::create(&state.pump.engine()?, spec).await?)
}

#[tauri::command]
pub async fn volume_inspect(state: State<'_, AppState>, name: String) -> Res<VolumeDetails> {
    Ok(volumes::inspect(&state.pump.engine()?, &name).await?)
}

#[tauri::command]
pub async fn volume_remove(state: State<'_, AppState>, name: String) -> Res<()> {
    Ok(volumes::remove(&state.pump.engine()?, &name).await?)
}

#[tauri::command]
pub async fn volume_prune_estimate(state: State<'_, AppState>) -> Res<VolumePruneEstimate> {
    Ok(volumes::prune_estimate(&state.pump.engine()?, &[]).await?)
}

#[tauri::command]
pub async fn volume_prune(state: State<'_, AppState>) -> Res<VolumePruneReport> {
    Ok(volumes::prune(&state.pump.engine()?, &[]).await?)
}

/// The volume's files, read-only (see `volumes::browse`).
#[tauri::command]
pub async fn volume_browse(state: State<'_, AppState>, name: String) -> Res<VolumeFiles> {
    Ok(volumes::browse(&state.pump.engine()?, &name).await?)
}
