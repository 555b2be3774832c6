//! Small helpers shared by the streaming loops (event pump, logs).

use tokio::time::Instant;

/// Sleep until `at`, or forever when there is nothing to flush: the timer arm of a batching
/// `select!` loop.
pub(crate) async fn flush_timer(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
