use super::Res;
use crate::state::AppState;
use crate::streams::Sink;
use berth_core::containers::logs::{self, LogEvent, LogOptions};
use berth_core::containers::stats::{self, StatsEvent};
use tauri::ipc::Channel;
use tauri::{State, Webview};

/// Follow a container's logs over `channel` while the asking page lives; returns the id to
/// cancel with.
#[tauri::command]
#[specta::specta]
pub async fn container_logs_subscribe(
    webview: Webview,
    state: State<'_, AppState>,
    id: String,
    options: LogOptions,
    channel: Channel<LogEvent>,
) -> Res<String> {
    let engine = state.pump.engine()?;
    Ok(state.subscriptions.spawn_for(webview.label(), async move {
        let sink = Sink::new(channel);
        sink.run(logs::follow(&engine, &id, options, |event| sink.send(event))).await;
    }))
}

/// Follow a container's resource use (about a sample a second) over `channel`; returns the id
/// to cancel with.
#[tauri::command]
#[specta::specta]
pub async fn container_stats_subscribe(
    webview: Webview,
    state: State<'_, AppState>,
    id: String,
    channel: Channel<StatsEvent>,
) -> Res<String> {
    let engine = state.pump.engine()?;
    Ok(state.subscriptions.spawn_for(webview.label(), async move {
        let sink = Sink::new(channel);
        sink.run(stats::follow(&engine, &id, |event| sink.send(event))).await;
    }))
}

#[tauri::command]
#[specta::specta]
pub async fn subscription_cancel(state: State<'_, AppState>, id: String) -> Res<()> {
    state.subscriptions.cancel(&id);
    Ok(())
}

/// Ask where to save, then write the whole log there. None when the user cancels the dialog.
#[tauri::command]
#[specta::specta]
pub async fn container_logs_save(app: tauri::AppHandle, state: State<'_, AppState>, id: String, timestamps: bool) -> Res<Option<String>> {
    let engine = state.pump.engine()?;
    let name = berth_core::containers::inspect(&engine, &id).await?.summary.name;
    let Some(path) = crate::dialogs::save_path(&app, &format!("{name}.log"), "Log files", &["log", "txt"]).await? else {
        return Ok(None);
    };
    logs::save(&engine, &id, timestamps, &path).await?;
    Ok(Some(path.display().to_string()))
}
