use super::Res;
use crate::state::AppState;
use berth_core::containers::{self, run::RunSpec, ContainerAction, ContainerDetails, ContainerSummary};
use berth_core::error::ErrorPayload;
use berth_core::{images, networks};
use serde::Serialize;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

/// One result per id of a (bulk) action.
#[derive(Serialize, specta::Type)]
pub struct ActionOutcome {
    id: String,
    error: Option<ErrorPayload>,
}

#[tauri::command]
#[specta::specta]
pub async fn container_list(state: State<'_, AppState>) -> Res<Vec<ContainerSummary>> {
    Ok(containers::list(&state.pump.engine()?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_action(state: State<'_, AppState>, ids: Vec<String>, action: ContainerAction) -> Res<Vec<ActionOutcome>> {
    let engine = state.pump.engine()?;
    let runs = ids.iter().map(|id| containers::act(&engine, id, action));
    Ok(outcomes(ids.clone(), futures_util::future::join_all(runs).await))
}

#[tauri::command]
#[specta::specta]
pub async fn container_remove(state: State<'_, AppState>, ids: Vec<String>, force: bool) -> Res<Vec<ActionOutcome>> {
    let engine = state.pump.engine()?;
    let runs = ids.iter().map(|id| containers::remove(&engine, id, force));
    Ok(outcomes(ids.clone(), futures_util::future::join_all(runs).await))
}

fn outcomes(ids: Vec<String>, results: Vec<berth_core::Result<()>>) -> Vec<ActionOutcome> {
    ids.into_iter()
        .zip(results)
        .map(|(id, r)| ActionOutcome { id, error: r.err().map(ErrorPayload::from) })
        .collect()
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
pub async fn port_open(app: tauri::AppHandle, port: u16) -> Res<()> {
    app.opener().open_url(format!("http://localhost:{port}/"), None::<&str>).map_err(|e| ErrorPayload {
        code: berth_core::ErrorCode::Internal,
        message: format!("Could not open http://localhost:{port}/ in your browser."),
        detail: e.to_string(),
        field: None,
    })
}
