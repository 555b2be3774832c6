//! Work that blocks (reading and parsing a project's files, walking a build context) runs on
//! tokio's blocking pool with a time limit: the app has only two async workers, and one slow
//! folder (a network mount, a huge tree) must never freeze the window.

use crate::error::{Error, Result};
use std::time::Duration;

/// Long enough for a very large folder on a slow disk; a hung mount ends here.
pub const FOLDER_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `work` off the async workers. After `limit` it gives up with a sentence saying `what`
/// took too long; the thread is left to finish (or stay blocked) on its own.
pub async fn run<T: Send + 'static>(what: &str, limit: Duration, work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(Error::Internal(format!("{what} failed: {e}"))),
        Err(_) => Err(Error::InvalidInput {
            field: None,
            message: format!(
                "{what} took longer than {} seconds, so Berth stopped waiting. The folder may be on a slow or unresponsive disk.",
                limit.as_secs()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_hung_folder_ends_at_the_limit_and_the_workers_stay_free() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("hung");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        // As the app runs: two async workers. Three reads that never end (a hung mount) would hold both.
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let started = Instant::now();
        let (outcomes, answered) = rt.block_on(async {
            let hung: Vec<_> = (0..3)
                .map(|_| {
                    let fifo = fifo.clone();
                    tokio::spawn(run("Reading the folder", Duration::from_secs(20), move || {
                        std::fs::read(&fifo).map_err(|e| Error::io("Reading", e))
                    }))
                })
                .collect();
            // Other work is answered meanwhile.
            let answered = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                started.elapsed()
            })
            .await
            .unwrap();
            let mut outcomes = Vec::new();
            for h in hung {
                outcomes.push(h.await.unwrap());
            }
            (outcomes, answered)
        });
        assert!(answered < Duration::from_secs(10), "{answered:?}"); // well before the reads give up
        assert!(started.elapsed() < Duration::from_secs(50), "{:?}", started.elapsed());
        for o in outcomes {
            let e = o.unwrap_err().to_string();
            assert!(e.starts_with("Reading the folder took longer than 20 seconds"), "{e}");
        }
        // Let the three reads end so the runtime can shut down.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap());
    }
}
