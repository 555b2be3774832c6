//! Projects and builds: open a folder (dropped, picked or recent), plan and run a build with
//! progress on a Channel, starter Dockerfiles, and the build history kept per folder.

use super::Res;
use crate::state::AppState;
use berth_core::build::history::{HistoryEntry, RecentFolder};
use berth_core::build::templates::{self, Starter};
use berth_core::build::{self, BuildEvent, BuildPlan, BuildRequest, Language, Project};
use berth_core::{blocking, Error};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::ipc::Channel;
use tauri::State;

/// Scan the folder off the async workers (a huge or hung one must not freeze the window).
async fn opened(state: &AppState, folder: &Path) -> Res<Project> {
    let (folder, history) = (folder.to_path_buf(), state.history.clone());
    let project = blocking::run("Opening the folder", blocking::FOLDER_TIMEOUT, move || {
        let project = build::open(&folder)?;
        if let Err(e) = history.opened(&project.folder) {
            tracing::warn!("could not remember the recent folder: {e}");
        }
        Ok(project)
    });
    Ok(project.await?)
}

/// Open a folder that was dropped on the window or picked from the recent list.
#[tauri::command]
#[specta::specta]
pub async fn project_open(state: State<'_, AppState>, folder: PathBuf) -> Res<Project> {
    opened(&state, &folder).await
}

/// Ask for a folder (native dialog) and open it; None when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn project_pick(app: tauri::AppHandle, state: State<'_, AppState>) -> Res<Option<Project>> {
    match crate::dialogs::folder_path(&app).await? {
        Some(folder) => opened(&state, &folder).await.map(Some),
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
pub async fn build_start(webview: tauri::Webview, state: State<'_, AppState>, request: BuildRequest, channel: Channel<BuildEvent>) -> Res<BuildStarted> {
    let engine = state.pump.engine()?;
    let history = state.history.clone();
    let mut record = Recorder { history, request: request.clone(), at: berth_core::build::history::now_ms(), done: false };
    // The build shows only in the page that started it: it ends with that page, as cancelled.
    let id = state.subscriptions.spawn_for(webview.label(), async move {
        let sink = crate::streams::Sink::new(channel);
        let Some(outcome) = sink.run(build::build(&engine, &request, |e| sink.send(e))).await else {
            return;
        };
        record.done = true;
        let entry = HistoryEntry::new(record.at, &request.dockerfile, outcome.as_ref().map_err(|e| (e, request.tags.clone())));
        record.save(entry);
    });
    Ok(BuildStarted { id })
}

/// Records a cancelled build when its task is dropped before it ended.
struct Recorder {
    history: std::sync::Arc<berth_core::build::history::History>,
    request: BuildRequest,
    at: u64,
    done: bool,
}

impl Recorder {
    fn save(&self, entry: HistoryEntry) {
        if let Err(e) = self.history.record(&self.request.folder, entry) {
            tracing::warn!("could not save the build history: {e}");
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if !self.done {
            let entry = HistoryEntry::new(self.at, &self.request.dockerfile, Err((&Error::Cancelled, self.request.tags.clone())));
            self.save(entry);
        }
    }
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
    opened(&state, &folder).await
}
