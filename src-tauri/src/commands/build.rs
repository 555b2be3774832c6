//! Projects and builds: open a folder (dropped, picked or recent), plan and run a build with
//! progress on a Channel, starter Dockerfiles, and the build history kept per folder.

use super::Res;
use crate::state::AppState;
use berth_core::blocking;
use berth_core::build::history::{HistoryEntry, RecentFolder};
use berth_core::build::templates::{self, Starter};
use berth_core::build::{self, BuildEvent, BuildPlan, BuildRequest, Language, Project};
use serde::Serialize;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

/// Open a folder that was dropped on the window or picked from the recent list.
#[tauri::command]
#[specta::specta]
pub async fn project_open(state: State<'_, AppState>, folder: PathBuf) -> Res<Project> {
    Ok(state.history.open(&folder).await?)
}

/// Ask for a folder (native dialog) and open it; None when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn project_pick(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<Option<Project>> {
    match crate::dialogs::folder_path(&app).await? {
        Some(folder) => Ok(Some(state.history.open(&folder).await?)),
        None => Ok(None),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn project_recent(state: State<'_, AppState>) -> Res<Vec<RecentFolder>> {
    Ok(state.history.recent())
}

/// ARGs, stages, the context after .dockerignore and a default tag, for the build form.
#[tauri::command]
#[specta::specta]
pub async fn build_plan(folder: PathBuf, dockerfile: String) -> Res<BuildPlan> {
    // Walking a large context takes a while; keep it off the async workers.
    Ok(blocking::run("Measuring the build context", blocking::FOLDER_TIMEOUT, move || build::plan(&folder, &dockerfile)).await?)
}

#[derive(Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildStarted {
    /// Cancel with `subscription_cancel`.
    pub id: String,
}

/// Start a build; progress arrives on `channel`. The outcome is added to the folder's history,
/// also when the build is cancelled (by the user, or by the page going away).
#[tauri::command]
#[specta::specta]
pub async fn build_start(
    webview: tauri::Webview,
    state: State<'_, AppState>,
    request: BuildRequest,
    channel: Channel<BuildEvent>,
) -> Res<BuildStarted> {
    let engine = state.pump.engine()?;
    let record = state.history.recorder(&request);
    // The build shows only in the page that started it: it ends with that page, as cancelled.
    let id = state.subscriptions.spawn_for(webview.label(), async move {
        let sink = crate::streams::Sink::new(channel);
        if let Some(outcome) = sink.run(build::build(&engine, &request, |e| sink.send(e))).await {
            record.finish(outcome.as_ref());
        }
    });
    Ok(BuildStarted { id })
}

/// Newest first.
#[tauri::command]
#[specta::specta]
pub async fn build_history(state: State<'_, AppState>, folder: PathBuf) -> Res<Vec<HistoryEntry>> {
    Ok(state.history.builds(&folder))
}

#[tauri::command]
#[specta::specta]
pub async fn starter_preview(language: Language) -> Res<Starter> {
    Ok(templates::starter(language))
}

/// Write the starter the user reviewed (and maybe edited), then reopen the folder.
#[tauri::command]
#[specta::specta]
pub async fn starter_write(state: State<'_, AppState>, folder: PathBuf, starter: Starter) -> Res<Project> {
    templates::write(&folder, &starter)?;
    Ok(state.history.open(&folder).await?)
}
