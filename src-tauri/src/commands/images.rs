use super::Res;
use crate::state::AppState;
use berth_core::images::{
    self, ArchiveEvent, CommitSpec, ImageDetails, ImageSummary, NormalizedReference, PruneEstimate, PruneReport, PruneScope, Reference,
    SearchResult, TransferEvent,
};
use berth_core::Engine;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn image_list(state: State<'_, AppState>) -> Res<Vec<ImageSummary>> {
    Ok(images::list(&state.pump.engine()?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_details(state: State<'_, AppState>, image: String) -> Res<ImageDetails> {
    Ok(images::details(&state.pump.engine()?, &image).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_remove(state: State<'_, AppState>, image: String, force: bool) -> Res<()> {
    Ok(images::remove(&state.pump.engine()?, &image, force).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_prune_estimate(state: State<'_, AppState>, scope: PruneScope) -> Res<PruneEstimate> {
    Ok(images::prune_estimate(&state.pump.engine()?, scope, &[]).await?)
}

/// Remove exactly the `images` (ids) the user confirmed (from the estimate).
#[tauri::command]
#[specta::specta]
pub async fn image_prune(state: State<'_, AppState>, scope: PruneScope, images: Vec<String>) -> Res<PruneReport> {
    Ok(images::prune(&state.pump.engine()?, scope, &images).await?)
}

/// A typed reference, normalised (what would be pulled), or why it is invalid.
/// Rejects with InvalidInput (field 'reference') and a precise sentence when invalid.
#[tauri::command]
#[specta::specta]
pub async fn image_reference(input: String) -> Res<NormalizedReference> {
    Ok(images::normalized(&input)?)
}

/// A transfer the UI follows; cancel it with `subscription_cancel(id)`.
#[derive(Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferStarted {
    id: String,
    reference: String,
}

/// Starts a pull; cancel with `subscriptionCancel(started.id)`.
#[tauri::command]
#[specta::specta]
pub async fn image_pull(state: State<'_, AppState>, reference: String, channel: Channel<TransferEvent>) -> Res<TransferStarted> {
    let engine = state.pump.engine()?;
    let r = images::normalize(&reference)?;
    Ok(follow(&state, engine, r, Direction::Pull, channel))
}

/// Tag `image` as `target` (when it is not already that name), then push `target`.
#[tauri::command]
#[specta::specta]
pub async fn image_push(
    state: State<'_, AppState>,
    image: String,
    target: String,
    channel: Channel<TransferEvent>,
) -> Res<TransferStarted> {
    let engine = state.pump.engine()?;
    let familiar = images::tag(&engine, &image, &target).await?;
    let r = images::normalize(&familiar)?;
    Ok(follow(&state, engine, r, Direction::Push, channel))
}

enum Direction {
    Pull,
    Push,
}

/// Run the transfer as a subscription the UI can cancel, its events going over `channel`.
fn follow(state: &AppState, engine: Engine, r: Reference, direction: Direction, channel: Channel<TransferEvent>) -> TransferStarted {
    let reference = r.familiar();
    let id = state.subscriptions.spawn(async move {
        let emit = |e| send(&channel, e);
        match direction {
            Direction::Pull => images::pull(&engine, &r, emit).await,
            Direction::Push => images::push(&engine, &r, emit).await,
        }
    });
    TransferStarted { id, reference }
}

#[tauri::command]
#[specta::specta]
pub async fn image_tag(state: State<'_, AppState>, image: String, target: String) -> Res<String> {
    Ok(images::tag(&state.pump.engine()?, &image, &target).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_search_hub(state: State<'_, AppState>, term: String) -> Res<Vec<SearchResult>> {
    Ok(images::search_hub(&state.pump.engine()?, &term).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_registry_search(registry: String, term: String) -> Res<Vec<String>> {
    Ok(images::registry_repositories(&registry, &term).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_registry_tags(registry: String, repository: String) -> Res<Vec<String>> {
    Ok(images::registry_tags(&registry, &repository).await?)
}

/// A save or load the UI follows; cancel it with `subscription_cancel(id)`.
#[derive(Serialize, specta::Type)]
pub struct ArchiveStarted {
    id: String,
}

/// Ask where to save, then write the images there. None when the user cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn image_save(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    images: Vec<String>,
    channel: Channel<ArchiveEvent>,
) -> Res<Option<ArchiveStarted>> {
    let engine = state.pump.engine()?;
    let suggested = match images.as_slice() {
        [one] => format!("{}.tar", one.replace(['/', ':'], "_")),
        _ => "images.tar".into(),
    };
    let Some(path) = crate::dialogs::save_path(&app, &suggested, "Image archives", &["tar"]).await? else {
        return Ok(None);
    };
    let id = state.subscriptions.spawn(async move {
        let progress = |p| send(&channel, ArchiveEvent::Progress(p));
        let saved = images::save(&engine, &images, &path, progress).await;
        send(&channel, ArchiveEvent::saved(saved, &path));
    });
    Ok(Some(ArchiveStarted { id }))
}

/// Ask for a .tar, then load it. None when the user cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn image_load(app: tauri::AppHandle, state: State<'_, AppState>, channel: Channel<ArchiveEvent>) -> Res<Option<ArchiveStarted>> {
    let engine = state.pump.engine()?;
    let Some(path) = crate::dialogs::open_path(&app, "Image archives", &["tar"]).await? else {
        return Ok(None);
    };
    let id = state.subscriptions.spawn(async move {
        let progress = {
            let channel = channel.clone();
            move |p| send(&channel, ArchiveEvent::Progress(p))
        };
        send(&channel, ArchiveEvent::loaded(images::load(&engine, &path, progress).await));
    });
    Ok(Some(ArchiveStarted { id }))
}

/// A closed Channel means the window went away; the task ends with it.
fn send<T: tauri::ipc::IpcResponse>(channel: &Channel<T>, event: T) {
    let _ = channel.send(event);
}

#[tauri::command]
#[specta::specta]
pub async fn container_commit(state: State<'_, AppState>, spec: CommitSpec) -> Res<String> {
    Ok(images::commit(&state.pump.engine()?, &spec).await?)
}
