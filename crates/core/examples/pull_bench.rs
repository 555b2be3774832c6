//! Times one pull through Berth's core, as the app makes it (`images::pull` with its throttled
//! progress), and counts the progress updates that would reach the UI. Used by
//! `tests/bench/pull.sh`; the image must not be present when it starts.
//!
//!     cargo run --release -p berth-core --example pull_bench -- <reference> [unix:///var/run/docker.sock]
//!
//! Prints `ms=X updates=N max_per_s=M layers=L peak_mb=P` (max_per_s: most updates in any one-second
//! window; peak_mb: this process's VmHWM, the core's memory while pulling).

mod common;

use berth_core::engine::{Endpoint, Engine, EngineSource};
use berth_core::images::{self, TransferEvent};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let reference = images::normalize(&args.next().ok_or("usage: pull_bench <reference> [host]")?)?;
    let host = args.next().unwrap_or_else(|| "unix:///var/run/docker.sock".into());
    let endpoint = Endpoint { name: "bench".into(), host, source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;

    let mut updates: Vec<Instant> = Vec::new();
    let mut layers = 0;
    let mut outcome = None;
    let start = Instant::now();
    images::pull(&engine, &reference, |event| match event {
        TransferEvent::Progress(p) => {
            updates.push(Instant::now());
            layers = p.layers_total;
        }
        other => outcome = Some(other),
    })
    .await;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    if let Some(TransferEvent::Failed { error }) = outcome {
        return Err(error.message.into());
    }
    println!(
        "ms={ms:.0} updates={} max_per_s={} layers={layers} peak_mb={:.1}",
        updates.len(),
        max_in_window(&updates, Duration::from_secs(1)),
        common::peak_mib()
    );
    Ok(())
}

/// The most timestamps (sorted) that fall in any window of length `window`.
fn max_in_window(at: &[Instant], window: Duration) -> usize {
    let mut first = 0;
    let mut best = 0;
    for (i, t) in at.iter().enumerate() {
        while *t - at[first] >= window {
            first += 1;
        }
        best = best.max(i + 1 - first);
    }
    best
}
