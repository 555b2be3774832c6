use super::Res;
use crate::state::AppState;
use berth_core::containers::{self, run::RunSpec, ActionOutcome, ContainerAction, ContainerDetails, ContainerSummary};
use berth_core::error::ErrorPayload;
use berth_core::{images, networks};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn container_list(state: State<'_, AppState>) -> Res<Vec<ContainerSummary>> {
    Ok(state.list_ahead.list(&state.pump.engine()?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_action(state: State<'_, AppState>, ids: Vec<String>, action: ContainerAction) -> Res<Vec<ActionOutcome>> {
    Ok(containers::act_all(&state.pump.engine()?, ids, action).await)
}

#[tauri::command]
#[specta::specta]
pub async fn container_remove(state: State<'_, AppState>, ids: Vec<String>, force: bool) -> Res<Vec<ActionOutcome>> {
    Ok(containers::remove_all(&state.pump.engine()?, ids, force).await)
}

#[tauri::command]
#[specta::specta]
pub async fn container_inspect(state: State<'_, AppState>, id: String) -> Res<ContainerDetails> {
    Ok(containers::inspect(&state.pump.engine()?, &id).await?)
}

/// Renames a container (as `docker rename`); resolves to its row under the new name. Rejects
/// with InvalidInput (field 'name') for a name the engine would refuse, Conflict when it is taken.
#[tauri::command]
#[specta::specta]
pub async fn container_rename(state: State<'_, AppState>, id: String, name: String) -> Res<ContainerSummary> {
    Ok(containers::rename(&state.pump.engine()?, &id, &name).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_run(state: State<'_, AppState>, spec: RunSpec) -> Res<ContainerSummary> {
    Ok(containers::run::run(&state.pump.engine()?, &spec).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_names(state: State<'_, AppState>) -> Res<Vec<String>> {
    Ok(images::names(&state.pump.engine()?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_names(state: State<'_, AppState>) -> Res<Vec<String>> {
    Ok(networks::names(&state.pump.engine()?).await?)
}

/// Open a published port in the default browser. The URL is built here from a port number, so
/// the page cannot make the app open arbitrary URLs.
#[tauri::command]
#[specta::specta]
pub async fn port_open(port: u16) -> Res<()> {
    crate::opener::open(format!("http://localhost:{port}/")).await.map_err(|e| ErrorPayload {
        code: berth_core::ErrorCode::Internal,
        message: format!("Could not open http://localhost:{port}/ in your browser."),
        detail: e.to_string(),
        field: None,
    })
}
