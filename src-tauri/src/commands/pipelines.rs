//! GitLab CI pipelines of a project folder: load (stages, jobs, needs, why a job will not
//! run), run with live events on a Channel, cancel, play a manual job, re-run one job or all,
//! the per-project consent and variables, run history, job logs and artifacts, and the cache.
//! Runs, logs and artifacts are kept in Berth's data folder, never in the project.

use super::Res;
use crate::state::AppState;
use berth_core::pipelines::history::{self, Artifact, RunRecord};
use berth_core::pipelines::run::{self, RunEvent, RunOptions};
use berth_core::pipelines::settings::{ProjectSettings, VariableInput};
use berth_core::pipelines::{self, model::Variable, model::VariableOrigin, LoadOptions, Pipeline};
use berth_core::registry::{self, Host, Places};
use berth_core::{blocking, Error};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::ipc::Channel;
use tauri::State;

/// What the Pipelines view shows for a folder.
#[derive(Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PipelineView {
    /// Masked values replaced by `[MASKED]`.
    pub pipeline: Pipeline,
    pub settings: ProjectSettings,
    /// Newest first.
    pub runs: Vec<RunRecord>,
    /// The run of this folder that is going on now.
    pub active: Option<String>,
}

#[derive(Deserialize, specta::Type)]
#[serde(rename = "PipelineRunRequest")]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    pub folder: PathBuf,
    pub variables: Vec<VariableInput>,
    /// A Berth registry login whose credentials become `CI_REGISTRY*`.
    pub registry: Option<String>,
    /// Re-run only these jobs, reusing the others' outcomes and artifacts from `previous`.
    pub only: Option<Vec<String>>,
    pub previous: Option<String>,
}

#[derive(Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunStarted {
    pub id: String,
}

async fn load(folder: &Path, variables: Vec<Variable>) -> Res<Pipeline> {
    let options = LoadOptions { root: folder.to_path_buf(), variables, pipeline_id: 1, ..Default::default() };
    Ok(blocking::run("Reading the pipeline", blocking::FOLDER_TIMEOUT, move || pipelines::load(&options).map_err(Error::Pipeline)).await?)
}

/// The saved plain variables (masked ones are not read from the keychain just to show jobs).
fn plain_variables(settings: &ProjectSettings) -> Vec<Variable> {
    settings
        .variables
        .iter()
        .filter(|v| !v.masked)
        .map(|v| Variable { name: v.name.clone(), value: v.value.clone(), expand: true, masked: false, origin: VariableOrigin::Run })
        .collect()
}

/// The folder's `.gitlab-ci.yml` as GitLab resolves it; rejects with the file, line and job when GitLab would.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_load(state: State<'_, AppState>, folder: PathBuf) -> Res<PipelineView> {
    let settings = ProjectSettings::load(&state.runs.project_dir(&folder));
    let mut pipeline = load(&folder, plain_variables(&settings)).await?;
    for v in pipeline.jobs.iter_mut().flat_map(|j| j.variables.iter_mut()).filter(|v| v.masked) {
        v.value = "[MASKED]".into();
    }
    let active = state.pipeline_runs.active(&pipeline.project.root);
    Ok(PipelineView { runs: state.runs.list(&folder), settings, pipeline, active })
}

/// `CI_REGISTRY*` from a Berth login (the password masked in every log).
async fn registry_variables(host: &str, project_path: &str) -> Res<Vec<Variable>> {
    let parsed = Host::parse(host)?;
    let Some(creds) = registry::credentials_for(&Places::from_process(), &parsed).await else {
        return Err(Error::invalid(
            "registry",
            format!("Berth has no login for {host}; log in under Registries, or run without a registry."),
        )
        .into());
    };
    let var =
        |name: &str, value: String, masked: bool| Variable { name: name.into(), value, expand: false, masked, origin: VariableOrigin::Run };
    let registry = parsed.name().to_string();
    Ok(vec![
        var("CI_REGISTRY_IMAGE", format!("{registry}/{}", project_path.to_lowercase()), false),
        var("CI_REGISTRY_USER", creds.username.clone(), false),
        var("CI_REGISTRY_PASSWORD", creds.password.clone(), true),
        var("CI_REGISTRY", registry, false),
    ])
}

/// Start a run (or a re-run); its events arrive on `channel`, and it goes on if the page
/// goes away (its outcome is kept in the history). Refuses with field `consent` when the
/// pipeline needs a privilege the project was not granted.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_run(state: State<'_, AppState>, request: RunRequest, channel: Channel<RunEvent>) -> Res<RunStarted> {
    let engine = state.pump.engine()?;
    let project_dir = state.runs.project_dir(&request.folder);
    let mut settings = ProjectSettings::load(&project_dir);
    let variables = settings.set_variables(&project_dir, request.variables).await?;
    if settings.registry != request.registry {
        settings.registry = request.registry.clone();
        settings.save(&project_dir)?;
    }
    let mut pipeline = load(&request.folder, variables).await?;
    if let Some(host) = &request.registry {
        let extra = registry_variables(host, &pipeline.project.path).await?;
        pipeline.jobs.iter_mut().for_each(|j| j.variables.extend(extra.iter().cloned()));
    }
    let root = pipeline.project.root.clone();
    let previous = request.previous.as_deref().map(|id| state.runs.run_dir(&root, id)).transpose()?;
    let (id, run_dir) = state.runs.begin(&root, request.only.clone())?;
    // A whole new run makes older ones redundant; re-running one job does not (as on GitLab).
    let whole = request.only.is_none();
    let mut options = RunOptions::new(run_dir);
    options.consent = settings.consent();
    options.only = request.only;
    options.previous = previous;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = match run::start(&engine, pipeline, options, tx).await {
        Ok(handle) => handle,
        Err(e) => {
            state.runs.forget(&root, &id);
            return Err(e.into());
        }
    };
    if whole {
        state.pipeline_runs.supersede(&root);
    }
    state.pipeline_runs.insert(&id, &root, handle);
    let (runs, live, key) = (state.runs.clone(), state.pipeline_runs.clone(), id.clone());
    tauri::async_runtime::spawn(async move {
        // A closed page only stops the sends; the run goes on and is recorded.
        while let Some(event) = rx.recv().await {
            let _ = channel.send(event);
        }
        live.remove(&key);
        if let Err(e) = runs.finish(&root, &key) {
            tracing::warn!("could not keep the pipeline run's outcome: {e}");
        }
    });
    Ok(RunStarted { id })
}

/// Stop the run's jobs and remove everything it created.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_cancel(state: State<'_, AppState>, id: String) -> Res<()> {
    state.pipeline_runs.with(&id, |h| h.cancel());
    Ok(())
}

/// Start a `when: manual` job that waits.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_play(state: State<'_, AppState>, id: String, job: String) -> Res<()> {
    if !state.pipeline_runs.with(&id, |h| h.play(&job)) {
        return Err(Error::invalid("run", "That run has ended; run the pipeline again to start this job.").into());
    }
    Ok(())
}

/// Answer a consent question for the project (`None` leaves an answer as it is).
#[tauri::command]
#[specta::specta]
pub async fn pipeline_consent(
    state: State<'_, AppState>,
    folder: PathBuf,
    privileged_services: Option<bool>,
    host_engine_socket: Option<bool>,
) -> Res<ProjectSettings> {
    let dir = state.runs.project_dir(&folder);
    let mut settings = ProjectSettings::load(&dir);
    settings.privileged_services = privileged_services.or(settings.privileged_services);
    settings.host_engine_socket = host_engine_socket.or(settings.host_engine_socket);
    settings.save(&dir)?;
    Ok(settings)
}

/// Newest first.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_history(state: State<'_, AppState>, folder: PathBuf) -> Res<Vec<RunRecord>> {
    Ok(state.runs.list(&folder))
}

/// A job's kept log (masked), decoded for display.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_log(state: State<'_, AppState>, folder: PathBuf, id: String, job: String) -> Res<String> {
    Ok(String::from_utf8_lossy(&state.runs.log(&folder, &id, &job)?).into_owned())
}

/// Save a copy of a job's log where the user chooses; None when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_log_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    folder: PathBuf,
    id: String,
    job: String,
) -> Res<Option<PathBuf>> {
    let text = history::plain_log(&state.runs.log(&folder, &id, &job)?);
    let Some(dest) = crate::dialogs::save_path(&app, &format!("{}.log", file_stem(&job)), "Log", &["log", "txt"]).await? else {
        return Ok(None);
    };
    berth_core::fsutil::write_atomic(&dest, text.as_bytes(), 0o644)?;
    Ok(Some(dest))
}

#[tauri::command]
#[specta::specta]
pub async fn pipeline_artifacts(state: State<'_, AppState>, folder: PathBuf, id: String, job: String) -> Res<Vec<Artifact>> {
    Ok(state.runs.artifacts(&folder, &id, &job)?)
}

/// Save one artifact where the user chooses (never into the project unless they pick it).
#[tauri::command]
#[specta::specta]
pub async fn pipeline_artifact_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    folder: PathBuf,
    id: String,
    job: String,
    path: String,
) -> Res<Option<PathBuf>> {
    let source = state.runs.artifact_file(&folder, &id, &job, &path)?;
    let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(dest) = crate::dialogs::save_path(&app, &name, "All files", &["*"]).await? else {
        return Ok(None);
    };
    std::fs::copy(&source, &dest).map_err(|e| Error::io(format!("Saving {name}"), e))?;
    Ok(Some(dest))
}

/// Remove the project's cache volumes; returns how many.
#[tauri::command]
#[specta::specta]
pub async fn pipeline_cache_clear(state: State<'_, AppState>, folder: PathBuf) -> Res<usize> {
    let engine = state.pump.engine()?;
    Ok(run::clear_cache(&engine, &folder).await?)
}

fn file_stem(job: &str) -> String {
    job.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

/// At app start: runs the last session did not see end (the app was killed) are marked
/// canceled in the history. What they left on the engine is removed by the engine pump on
/// connection (`run::cleanup_interrupted`).
pub fn close_interrupted(state: &AppState) {
    if let Err(e) = state.runs.close_interrupted() {
        tracing::warn!("could not mark interrupted pipeline runs: {e}");
    }
}
