use super::Res;
use crate::state::AppState;
use berth_core::containers::logs::{self, LogEvent, LogOptions};
use berth_core::error::ErrorPayload;
use tauri::ipc::Channel;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

/// Follow a container's logs over `channel`; returns the id to cancel with.
#[tauri::command]
pub async fn container_logs_subscribe(
    state: State<'_, AppState>,
    id: String,
    options: LogOptions,
    channel: Channel<LogEvent>,
) -> Res<String> {
    let engine = state.pump.engine()?;
    Ok(state.subscriptions.spawn(async move {
        logs::follow(&engine, &id, options, |event| {
            let _ = channel.send(event);
        })
        .await;
    }))
}

#[tauri::command]
pub async fn subscription_cancel(state: State<'_, AppState>, id: String) -> Res<()> {
    state.subscriptions.cancel(&id);
    Ok(())
}

/// Ask where to save, then write the whole log there. None when the user cancels the dialog.
#[tauri::command]
pub async fn container_logs_save(app: tauri::AppHandle, state: State<'_, AppState>, id: String, timestamps: bool) -> Res<Option<String>> {
    let engine = state.pump.engine()?;
    let name = berth_core::containers::inspect(&engine, &id).await?.summary.name;
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(format!("{name}.log"))
        .add_filter("Log files", &["log", "txt"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else { return Ok(None) };
    let path = path.into_path().map_err(|e| ErrorPayload {
        code: berth_core::ErrorCode::InvalidInput,
        message: "That location cannot be written to; pick a folder on this computer.".into(),
        detail: e.to_string(),
        field: None,
    })?;
    logs::save(&engine, &id, timestamps, &path).await?;
    Ok(Some(path.display().to_string()))
}
