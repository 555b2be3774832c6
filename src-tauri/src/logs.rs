//! Where the app's log lines go: the platform's log folder (berth_core::platform::paths),
//! one file a day with a week kept, and stderr for a run from a terminal. Both carry the same
//! filter (berth_core::logging), so no request body or secret reaches either.

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Log files kept, one a day.
const KEEP: usize = 7;

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::new(berth_core::logging::filter(std::env::var("BERTH_LOG").ok().as_deref()));
    let dir = berth_core::platform::paths::current_log_dir();
    // Written as each line comes (no background thread), so nothing is lost when the app exits.
    let file = dir.as_ref().map(|dir| {
        RollingFileAppender::builder().rotation(Rotation::DAILY).filename_prefix("berth").filename_suffix("log").max_log_files(KEEP).build(dir)
    });
    let (file, problem) = match file {
        Some(Ok(appender)) => (Some(appender), String::new()),
        Some(Err(e)) => (None, e.to_string()),
        None => (None, "there is no home folder".to_string()),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file.map(|f| tracing_subscriber::fmt::layer().with_ansi(false).with_writer(f)))
        .init();
    let os = berth_core::platform::Os::CURRENT.label();
    match dir.filter(|_| problem.is_empty()) {
        Some(dir) => tracing::info!(version = env!("CARGO_PKG_VERSION"), os, logs = %dir.display(), "Berth starting"),
        None => tracing::warn!(version = env!("CARGO_PKG_VERSION"), os, %problem, "Berth starting; logging to stderr only"),
    }
}
