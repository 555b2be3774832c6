use super::Res;
use crate::state::AppState;
use berth_core::volumes::{self, VolumeDetails, VolumeFiles, VolumePruneEstimate, VolumePruneReport, VolumeSpec, VolumeSummary};
use berth_core::Error;
use tauri::State;

/// Every volume, with the sizes last measured (`volume_measure` measures them).
#[tauri::command]
#[specta::specta]
pub async fn volume_list(state: State<'_, AppState>) -> Res<Vec<VolumeSummary>> {
    Ok(volumes::list(&state.pump.engine()?).await?)
}

/// Measure every volume (a disk walk the engine does) and list them; the Volumes view asks.
#[tauri::command]
#[specta::specta]
pub async fn volume_measure(state: State<'_, AppState>) -> Res<Vec<VolumeSummary>> {
    Ok(volumes::measure(&state.pump.engine()?).await?)
}

/// Rejects with InvalidInput naming the field (name, labels, driverOpts) when a value cannot be used.
#[tauri::command]
#[specta::specta]
pub async fn volume_create(state: State<'_, AppState>, spec: VolumeSpec) -> Res<VolumeSummary> {
    Ok(volumes::create(&state.pump.engine()?, spec).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_inspect(state: State<'_, AppState>, name: String) -> Res<VolumeDetails> {
    Ok(volumes::inspect(&state.pump.engine()?, &name).await?)
}

/// Rejects with Conflict, naming the containers, while any container mounts it.
#[tauri::command]
#[specta::specta]
pub async fn volume_remove(state: State<'_, AppState>, name: String) -> Res<()> {
    Ok(volumes::remove(&state.pump.engine()?, &name).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_prune_estimate(state: State<'_, AppState>) -> Res<VolumePruneEstimate> {
    Ok(volumes::prune_estimate(&state.pump.engine()?, &[]).await?)
}

/// Remove exactly the `volumes` the user confirmed (from the estimate).
#[tauri::command]
#[specta::specta]
pub async fn volume_prune(state: State<'_, AppState>, volumes: Vec<String>) -> Res<VolumePruneReport> {
    Ok(volumes::prune(&state.pump.engine()?, &volumes).await?)
}

/// The volume's files, read-only (see `volumes::browse`); `volume_browse_cancel` stops it.
#[tauri::command]
#[specta::specta]
pub async fn volume_browse(state: State<'_, AppState>, name: String) -> Res<VolumeFiles> {
    let engine = state.pump.engine()?;
    let task = tokio::spawn({
        let name = name.clone();
        async move { volumes::browse(&engine, &name).await }
    });
    state.browses.lock().unwrap().insert(name.clone(), task.abort_handle());
    let outcome = task.await;
    state.browses.lock().unwrap().remove(&name);
    match outcome {
        Ok(files) => Ok(files?),
        Err(e) if e.is_cancelled() => Err(Error::Cancelled.into()),
        Err(e) => Err(Error::Internal(e.to_string()).into()),
    }
}

/// Stop browsing `name`; its helper container is removed either way.
#[tauri::command]
#[specta::specta]
pub async fn volume_browse_cancel(state: State<'_, AppState>, name: String) -> Res<()> {
    if let Some(task) = state.browses.lock().unwrap().remove(&name) {
        task.abort();
    }
    Ok(())
}
