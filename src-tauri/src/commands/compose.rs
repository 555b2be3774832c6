use super::Res;
use crate::state::AppState;
use berth_core::compose::{self, stack, Created, DownOptions, Problem, Progress, ProjectInfo, Stack, UpOptions, UpOutcome};
use berth_core::containers::logs::{LogEvent, LogOptions};
use berth_core::containers::ContainerAction;
use berth_core::error::{Error, ErrorPayload};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::ipc::Channel;
use tauri::State;

/// The options to load the project in `dir` with the app's environment, as the Compose CLI would
/// there.
fn options(dir: &str, profiles: Vec<String>, texts: Vec<(PathBuf, String)>) -> compose::Options {
    compose::Options {
        project_dir: Some(PathBuf::from(dir)),
        env: std::env::vars().collect(),
        profiles,
        texts: texts.into_iter().collect(),
        ..Default::default()
    }
}

/// Load the project in `dir` (off the async workers, with a time limit).
async fn load(dir: &str, profiles: Vec<String>, texts: Vec<(PathBuf, String)>) -> Result<compose::Project, Error> {
    compose::load_async(options(dir, profiles, texts)).await
}

/// `emit` for core functions that report progress: each item sent on `channel`.
fn sender<T: tauri::ipc::IpcResponse + Sync>(channel: &Channel<T>) -> impl Fn(T) + Sync + '_ {
    move |p| {
        let _ = channel.send(p);
    }
}

/// Every compose project on the engine, by its labels.
#[tauri::command]
#[specta::specta]
pub async fn compose_stacks(state: State<'_, AppState>) -> Res<Vec<Stack>> {
    Ok(stack::list(&state.pump.engine()?).await?)
}

/// Loads the project in a folder (as the Compose CLI would there); rejects with the file, line and field.
#[tauri::command]
#[specta::specta]
pub async fn compose_open(state: State<'_, AppState>, dir: String, profiles: Vec<String>) -> Res<ProjectInfo> {
    let project = load(&dir, profiles, vec![]).await?;
    // A folder opens whether or not the engine answers; without one there is nothing to orphan.
    let orphans = match state.pump.engine() {
        Ok(engine) => compose::orphans::find(&engine, &project).await?,
        Err(_) => vec![],
    };
    Ok(ProjectInfo::new(project, orphans))
}

#[derive(Clone, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum UpEvent {
    Progress(Progress),
    Done(UpOutcome),
    /// The project could not be loaded or planned: nothing was touched.
    Failed { error: ErrorPayload },
}

/// Bring a project up; progress and the outcome arrive on `channel`. Returns the id to cancel
/// with `subscription_cancel`; a cancelled up still ends with its outcome (what it created).
#[tauri::command]
#[specta::specta]
pub async fn compose_up(state: State<'_, AppState>, dir: String, profiles: Vec<String>, options: UpOptions, channel: Channel<UpEvent>) -> Res<String> {
    let engine = state.pump.engine()?;
    let project = load(&dir, profiles, vec![]).await?;
    Ok(state.subscriptions.spawn_stoppable(|cancel| async move {
        let progress = |p| {
            let _ = channel.send(UpEvent::Progress(p));
        };
        finish(&channel, compose::up_cancellable(&engine, &project, &options, &progress, &cancel).await);
    }))
}

/// Build the images of `services` (every service with a `build:` section when empty), as
/// `docker compose build`; progress and the end arrive on `channel` as for an up. Returns the
/// id to cancel with `subscription_cancel`.
#[tauri::command]
#[specta::specta]
pub async fn compose_build(state: State<'_, AppState>, dir: String, services: Vec<String>, channel: Channel<UpEvent>) -> Res<String> {
    let engine = state.pump.engine()?;
    // Every profile: the service may be in one that was chosen when the stack came up.
    let project = load(&dir, vec!["*".into()], vec![]).await?;
    Ok(state.subscriptions.spawn(async move {
        let progress = |p| {
            let _ = channel.send(UpEvent::Progress(p));
        };
        let built = compose::build(&engine, &project, &services, &progress).await;
        finish(&channel, built.map(|()| UpOutcome { error: None, created: Created::default(), warnings: Vec::new() }));
    }))
}

/// The last event of an up or a build.
fn finish(channel: &Channel<UpEvent>, outcome: Result<UpOutcome, Error>) {
    let _ = channel.send(match outcome {
        Ok(outcome) => UpEvent::Done(outcome),
        Err(e) => UpEvent::Failed { error: e.into() },
    });
}

/// Pull the images of `services` (all when empty) from the project's files.
#[tauri::command]
#[specta::specta]
pub async fn compose_pull(state: State<'_, AppState>, dir: String, services: Vec<String>, channel: Channel<Progress>) -> Res<()> {
    let engine = state.pump.engine()?;
    // Every profile: pulling what a profile would run costs nothing on the running stack.
    let project = load(&dir, vec!["*".into()], vec![]).await?;
    Ok(compose::pull(&engine, &project, &services, &sender(&channel)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn compose_down(state: State<'_, AppState>, project: String, options: DownOptions, channel: Channel<Progress>) -> Res<()> {
    let engine = state.pump.engine()?;
    Ok(stack::down(&engine, &project, options, &sender(&channel)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn compose_action(state: State<'_, AppState>, project: String, service: Option<String>, action: ContainerAction) -> Res<()> {
    Ok(stack::act(&state.pump.engine()?, &project, service.as_deref(), action).await?)
}

/// Remove what a failed or cancelled `up` created; with `inherited`, also the anonymous volumes
/// its recreated containers took over (the user confirmed).
#[tauri::command]
#[specta::specta]
pub async fn compose_undo(state: State<'_, AppState>, created: Created, inherited: bool) -> Res<()> {
    Ok(compose::undo(&state.pump.engine()?, &created, inherited).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn compose_logs_subscribe(
    webview: tauri::Webview,
    state: State<'_, AppState>,
    project: String,
    service: Option<String>,
    options: LogOptions,
    channel: Channel<LogEvent>,
) -> Res<String> {
    let engine = state.pump.engine()?;
    Ok(state.subscriptions.spawn_for(webview.label(), async move {
        let sink = crate::streams::Sink::new(channel);
        sink.run(compose::logs::follow(&engine, &project, service.as_deref(), options, |e| sink.send(e))).await;
    }))
}

/// The editor's view of a file being typed: what is wrong (file, line, field), or the resolved
/// configuration it gives.
#[derive(Serialize, specta::Type)]
#[serde(rename = "ComposeValidation")]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    problem: Option<Problem>,
    project: Option<ProjectInfo>,
}

#[tauri::command]
#[specta::specta]
pub async fn compose_validate(dir: String, file: String, text: String, profiles: Vec<String>) -> Res<Validation> {
    Ok(match load(&dir, profiles, vec![(PathBuf::from(file), text)]).await {
        Ok(p) => Validation { problem: None, project: Some(ProjectInfo::new(p, vec![])) },
        Err(Error::Compose(problem)) => Validation { problem: Some(problem), project: None },
        Err(e) => return Err(e.into()),
    })
}

/// One of the project's own files, for the editor (any other path is refused).
#[tauri::command]
#[specta::specta]
pub async fn compose_file_read(dir: String, file: String) -> Res<String> {
    let read = move || compose::editor::read(&options(&dir, vec![], vec![]), Path::new(&file));
    Ok(berth_core::blocking::run("Reading the compose file", berth_core::blocking::FOLDER_TIMEOUT, read).await?)
}

/// Save the editor's text to one of the project's own files; refuses a text that does not load.
#[tauri::command]
#[specta::specta]
pub async fn compose_file_save(dir: String, file: String, text: String) -> Res<()> {
    let save = move || compose::editor::save(&options(&dir, vec![], vec![]), Path::new(&file), &text);
    Ok(berth_core::blocking::run("Saving the compose file", berth_core::blocking::FOLDER_TIMEOUT, save).await?)
}
