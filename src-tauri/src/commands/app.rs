use super::Res;
use crate::channels::{ChannelQueues, Queued};
use crate::state::AppState;
use berth_core::about::{self, About};
use berth_core::error::ErrorPayload;
use berth_core::platform::{self, Os};
use serde::Deserialize;
use std::sync::{Once, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};
use tauri::State;

/// When `main` began, for the start-up timeline.
static STARTED: OnceLock<SystemTime> = OnceLock::new();

/// Called first thing in `main`.
pub fn mark_start() {
    STARTED.get_or_init(SystemTime::now);
}

/// The page's start-up as it saw it: when it began loading (ms since the Unix epoch) and the
/// steps to its first list, each in ms since then.
#[derive(Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PageTimeline {
    origin_ms: f64,
    marks: Vec<(String, f64)>,
}

impl PageTimeline {
    /// "page=180 script=240 …": each step in ms since `main` began.
    fn since(&self, start: SystemTime) -> String {
        let start_ms = start.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3);
        let at = |ms: f64| (self.origin_ms + ms - start_ms).round() as i64;
        let steps = self.marks.iter().take(16).map(|(name, ms)| {
            let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(24).collect();
            format!("{name}={}", at(*ms))
        });
        std::iter::once(format!("page={}", at(0.0))).chain(steps).collect::<Vec<_>>().join(" ")
    }
}

/// Called by the UI once its first container list is on screen. Prints a marker line that the
/// start-up benchmark (`make bench`) times from process start, with the page's timeline.
#[tauri::command]
#[specta::specta]
pub async fn app_ready(rows: u32, timeline: PageTimeline) -> Res<()> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let steps = STARTED.get().map(|s| timeline.since(*s)).unwrap_or_default();
        println!("BERTH_FIRST_LIST rows={rows} ms-since-main: {steps}");
        tracing::info!(rows, %steps, "containers listed (ms since main)");
    });
    Ok(())
}

/// Every Channel message queued for the asking page since it last took (see channels.rs).
#[tauri::command]
#[specta::specta]
pub async fn channel_take(webview: tauri::Webview, queues: State<'_, ChannelQueues>) -> Res<Vec<Queued>> {
    Ok(queues.take(webview.label()))
}

/// The About panel: versions, OS, the engine in use, the log folder and the diagnostics text.
#[tauri::command]
#[specta::specta]
pub async fn app_about(state: State<'_, AppState>) -> Res<About> {
    let log_dir = platform::paths::current_log_dir().map(|d| d.display().to_string());
    let os = tauri::async_runtime::spawn_blocking(about::current_os).await.unwrap_or_else(|_| Os::CURRENT.label().into());
    Ok(About::new(env!("CARGO_PKG_VERSION"), tauri::VERSION, tauri::webview_version().ok(), os, &state.pump.status(), log_dir))
}

/// Opens Berth's log folder in the file manager. The page names no path: only this folder can
/// be opened this way, and the page holds no opener permission of its own.
#[tauri::command]
#[specta::specta]
pub async fn app_open_log_folder() -> Res<()> {
    let failed = |message: String, detail: String| ErrorPayload { code: berth_core::ErrorCode::Internal, message, detail, field: None };
    let dir = platform::paths::current_log_dir()
        .ok_or_else(|| failed("There is no home folder, so Berth logs to the terminal only.".into(), "no home folder".into()))?;
    let shown = dir.display().to_string();
    std::fs::create_dir_all(&dir).map_err(|e| failed(format!("The log folder {shown} cannot be created."), e.to_string()))?;
    crate::opener::open(&dir).await.map_err(|e| failed(format!("No file manager opened it; the folder is {shown}."), e.to_string()))
}
