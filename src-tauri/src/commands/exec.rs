use super::Res;
use crate::state::AppState;
use berth_core::containers::exec::{self, ExecSession};
use berth_core::error::{Error, ErrorPayload};
use futures_util::StreamExt;
use tauri::ipc::{Channel, InvokeResponseBody, IpcResponse};
use tauri::State;
use tokio::io::AsyncWriteExt;

/// A chunk of a shell's output, sent raw (an ArrayBuffer in the page); empty: the session ended.
#[derive(specta::Type)]
pub struct ExecOutput(Vec<u8>);

impl IpcResponse for ExecOutput {
    fn body(self) -> tauri::Result<InvokeResponseBody> {
        Ok(InvokeResponseBody::Raw(self.0))
    }
}

/// Open a shell in a container. Output goes over `channel` as raw bytes; an empty message
/// means the session ended. The session ends with the page that opened it.
#[tauri::command]
#[specta::specta]
pub async fn exec_start(
    webview: tauri::Webview,
    state: State<'_, AppState>,
    container_id: String,
    cols: u16,
    rows: u16,
    channel: Channel<ExecOutput>,
) -> Res<ExecSession> {
    let engine = state.pump.engine()?;
    let (session, mut output, input) = exec::start(&engine, &container_id, cols, rows).await?;
    let task = tauri::async_runtime::spawn(async move {
        while let Some(chunk) = output.next().await {
            // An error ends the session; the terminal shows why (e.g. the engine went away).
            let (bytes, last) = match chunk {
                Ok(bytes) => (bytes, false),
                Err(e) => (format!("\r\n{e}\r\n").into_bytes(), true),
            };
            if channel.send(ExecOutput(bytes)).is_err() || last {
                break;
            }
        }
        let _ = channel.send(ExecOutput(Vec::new()));
    });
    state.execs.insert(webview.label(), engine, container_id, session.clone(), input, task);
    Ok(session)
}

#[tauri::command]
#[specta::specta]
pub async fn exec_write(state: State<'_, AppState>, exec_id: String, data: String) -> Res<()> {
    let input = state.execs.input(&exec_id).ok_or_else(|| ended(&exec_id))?;
    let mut input = input.lock().await;
    input.write_all(data.as_bytes()).await.map_err(|e| ErrorPayload::from(Error::io("The terminal session has ended", e)))?;
    input.flush().await.map_err(|e| ErrorPayload::from(Error::io("The terminal session has ended", e)))?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn exec_resize(state: State<'_, AppState>, exec_id: String, cols: u16, rows: u16) -> Res<()> {
    Ok(exec::resize(&state.pump.engine()?, &exec_id, cols, rows).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn exec_close(state: State<'_, AppState>, exec_id: String) -> Res<()> {
    state.execs.close(&exec_id);
    Ok(())
}

fn ended(exec_id: &str) -> ErrorPayload {
    ErrorPayload::from(Error::NotFound { what: "The terminal session".into(), detail: exec_id.to_string() })
}
