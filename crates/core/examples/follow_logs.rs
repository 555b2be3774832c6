//! Follows one container's logs through Berth's core for a while, as the app's Logs tab does
//! (`containers::logs::follow`, the last 1000 lines then live), and reports this process's peak
//! memory (VmHWM): the core's own cost of a chatty log. Used by `tests/bench/run.sh`.
//!
//!     cargo run --release -p berth-core --example follow_logs -- <container> [seconds]
//!
//! Prints `lines=N seconds=S peak_mb=X`.

mod common;

use berth_core::containers::logs::{self, LogEvent, LogOptions};
use berth_core::engine::{Endpoint, Engine, EngineSource};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let id = args.next().ok_or("usage: follow_logs <container> [seconds]")?;
    let seconds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(30);
    let endpoint =
        Endpoint { name: "bench".into(), host: "unix:///var/run/docker.sock".into(), source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;

    let mut lines = 0usize;
    let mut ended = None;
    let opts = LogOptions { follow: true, timestamps: false, tail: Some(1000) };
    let follow = logs::follow(&engine, &id, opts, |event| match event {
        LogEvent::Lines { lines: batch } => lines += batch.len(),
        LogEvent::End { error } => ended = Some(error),
    });
    // The follow runs until the container stops; the bench stops it after `seconds`.
    let _ = tokio::time::timeout(Duration::from_secs(seconds), follow).await;
    if let Some(Some(error)) = ended {
        return Err(error.message.into());
    }
    println!("lines={lines} seconds={seconds} peak_mb={:.1}", common::peak_mib());
    Ok(())
}
