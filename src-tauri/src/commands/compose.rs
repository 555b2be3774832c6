use super::Res;
use crate::state::AppState;
use berth_core::compose::folder::{self, Validation};
use berth_core::compose::{self, stack, Created, DownOptions, Progress, ProjectInfo, Stack, UpEvent, UpOptions, UpOutcome};
use berth_core::containers::logs::{LogEvent, LogOptions};
use berth_core::containers::ContainerAction;
use std::path::Path;
use tauri::ipc::Channel;
use tauri::State;

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
    Ok(folder::open(state.pump.engine().ok().as_ref(), Path::new(&dir), profiles).await?)
}

/// Bring a project up; progress and the outcome arrive on `channel`. Returns the id to cancel
/// with `subscription_cancel`; a cancelled up still ends with its outcome (what it created).
#[tauri::command]
#[specta::specta]
pub async fn compose_up(
    state: State<'_, AppState>,
    dir: String,
    profiles: Vec<String>,
    options: UpOptions,
    channel: Channel<UpEvent>,
) -> Res<String> {
    let engine = state.pump.engine()?;
    let project = folder::load(Path::new(&dir), profiles).await?;
    Ok(state.subscriptions.spawn_stoppable(|cancel| async move {
        let progress = |p| {
            let _ = channel.send(UpEvent::Progress(p));
        };
        let _ = channel.send(UpEvent::end(compose::up_cancellable(&engine, &project, &options, &progress, &cancel).await));
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
    let project = folder::load(Path::new(&dir), vec!["*".into()]).await?;
    Ok(state.subscriptions.spawn(async move {
        let progress = |p| {
            let _ = channel.send(UpEvent::Progress(p));
        };
        let built = compose::build(&engine, &project, &services, &progress).await;
        let _ = channel.send(UpEvent::end(built.map(|()| UpOutcome { error: None, created: Created::default(), warnings: Vec::new() })));
    }))
}

/// Pull the images of `services` (all when empty) from the project's files.
#[tauri::command]
#[specta::specta]
pub async fn compose_pull(state: State<'_, AppState>, dir: String, services: Vec<String>, channel: Channel<Progress>) -> Res<()> {
    let engine = state.pump.engine()?;
    // Every profile: pulling what a profile would run costs nothing on the running stack.
    let project = folder::load(Path::new(&dir), vec!["*".into()]).await?;
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

#[tauri::command]
#[specta::specta]
pub async fn compose_validate(dir: String, file: String, text: String, profiles: Vec<String>) -> Res<Validation> {
    Ok(folder::validate(Path::new(&dir), Path::new(&file), text, profiles).await?)
}

/// One of the project's own files, for the editor (any other path is refused).
#[tauri::command]
#[specta::specta]
pub async fn compose_file_read(dir: String, file: String) -> Res<String> {
    Ok(folder::read(Path::new(&dir), Path::new(&file)).await?)
}

/// Save the editor's text to one of the project's own files; refuses a text that does not load.
#[tauri::command]
#[specta::specta]
pub async fn compose_file_save(dir: String, file: String, text: String) -> Res<()> {
    Ok(folder::save(Path::new(&dir), Path::new(&file), text).await?)
}
