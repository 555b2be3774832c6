use super::Res;
use crate::state::AppState;
use berth_core::networks::{self, NetworkDetails, NetworkPrune, NetworkSpec, NetworkSummary};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn network_list(state: State<'_, AppState>) -> Res<Vec<NetworkSummary>> {
    Ok(networks::list(&state.pump.engine()?).await?)
}

/// Rejects with InvalidInput naming the field (name, subnet, gateway, labels).
#[tauri::command]
#[specta::specta]
pub async fn network_create(state: State<'_, AppState>, spec: NetworkSpec) -> Res<NetworkSummary> {
    Ok(networks::create(&state.pump.engine()?, spec).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_inspect(state: State<'_, AppState>, network: String) -> Res<NetworkDetails> {
    Ok(networks::inspect(&state.pump.engine()?, &network).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_connect(state: State<'_, AppState>, network: String, container: String, aliases: Vec<String>) -> Res<()> {
    Ok(networks::connect(&state.pump.engine()?, &network, &container, aliases).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_disconnect(state: State<'_, AppState>, network: String, container: String) -> Res<()> {
    Ok(networks::disconnect(&state.pump.engine()?, &network, &container).await?)
}

/// Rejects with Conflict for the predefined networks and for one running containers use.
#[tauri::command]
#[specta::specta]
pub async fn network_remove(state: State<'_, AppState>, network: String) -> Res<()> {
    Ok(networks::remove(&state.pump.engine()?, &network).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_prune_estimate(state: State<'_, AppState>) -> Res<NetworkPrune> {
    Ok(networks::prune_estimate(&state.pump.engine()?, &[]).await?)
}

/// Remove exactly the `networks` the user confirmed (from the estimate).
#[tauri::command]
#[specta::specta]
pub async fn network_prune(state: State<'_, AppState>, networks: Vec<String>) -> Res<NetworkPrune> {
    Ok(networks::prune(&state.pump.engine()?, &networks).await?)
}
