//! Times Berth's container list call, as the app makes it (one long-lived Engine).
//! Used by `tests/bench/run.sh`.
//!
//!     cargo run --release -p berth-core --example list_latency -- [runs] [unix:///var/run/docker.sock]
//!
//! Prints `rows=N runs=N median_ms=X min_ms=Y`.

use berth_core::engine::{Endpoint, Engine, EngineSource};
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20).max(1);
    let host = args.next().unwrap_or_else(|| "unix:///var/run/docker.sock".into());
    let endpoint = Endpoint { name: "bench".into(), host, source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;

    // One untimed call first: the app lists on an engine it has already connected to.
    let rows = berth_core::containers::list(&engine).await?.len();
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        berth_core::containers::list(&engine).await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    println!("rows={rows} runs={runs} median_ms={:.2} min_ms={:.2}", ms[runs / 2], ms[0]);
    Ok(())
}
