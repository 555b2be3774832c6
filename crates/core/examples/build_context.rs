//! Build-context benchmark: a 500 MB context of 20,000 files, half of them left out by
//! `.dockerignore`, built with a trivial Dockerfile so the time is the packing and sending.
//! Berth's build (BuildKit and classic) against `docker build` on the same folder, in the same
//! run, alternating; and this process's peak memory (VmHWM), which is Berth's build path.
//! Used by `tests/bench/run.sh`.
//!
//!     cargo run --release -p berth-core --example build_context -- <dir> [runs]
//!
//! The data is generated once into <dir> (keep it under target/, never in git).

mod common;

use berth_core::build::{self, BuildRequest, Builder};
use berth_core::engine::{Endpoint, Engine, EngineSource};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const FILES: usize = 20_000;
const TOTAL_BYTES: u64 = 500 * 1024 * 1024;
const TAG: &str = "berth-build-bench:ctx";
const CLI_TAG: &str = "berth-build-bench:cli";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: build_context <dir> [runs]")?);
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3).max(1);
    generate(&dir)?;
    let endpoint =
        Endpoint { name: "bench".into(), host: "unix:///var/run/docker.sock".into(), source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;

    let plan = build::plan(&dir, "Dockerfile")?;
    println!(
        "context: {} files, {:.0} MB sent, {} left out by .dockerignore",
        plan.context.files,
        plan.context.bytes as f64 / 1e6,
        plan.context.excluded_files
    );

    let mut times: [Vec<f64>; 3] = Default::default();
    for run in 0..=runs {
        // The first round warms the page cache and the engine's build cache; it is not timed.
        for (i, builder) in [Some(Builder::BuildKit), Some(Builder::Classic), None].into_iter().enumerate() {
            let t = Instant::now();
            match builder {
                Some(b) => {
                    let request = BuildRequest {
                        folder: dir.clone(),
                        dockerfile: "Dockerfile".into(),
                        tags: vec![TAG.into()],
                        builder: Some(b),
                        ..Default::default()
                    };
                    build::build(&engine, &request, |_| {}).await?;
                }
                None => {
                    let out = std::process::Command::new("docker")
                        .args(["build", "-q", "-t", CLI_TAG])
                        .arg(&dir)
                        .env("DOCKER_BUILDKIT", "0")
                        .output()?;
                    if !out.status.success() {
                        return Err(format!("docker build: {}", String::from_utf8_lossy(&out.stderr)).into());
                    }
                }
            }
            if run > 0 {
                times[i].push(t.elapsed().as_secs_f64());
            }
        }
    }
    let _ = std::process::Command::new("docker").args(["rmi", "-f", TAG, CLI_TAG]).output();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let [bk, classic, cli] = &mut times;
    let (bk, classic, cli) = (median(bk), median(classic), median(cli));
    let peak_mb = common::peak_mib();
    println!("berth_buildkit_s={bk:.2} berth_classic_s={classic:.2} docker_build_s={cli:.2} ratio_buildkit={:.2} ratio_classic={:.2} peak_mb={peak_mb:.1} runs={runs}", bk / cli, classic / cli);
    Ok(())
}

/// 20,000 files of varied sizes averaging 25 KiB; every other file is left out by
/// `.dockerignore` (`*.log` beside the sources, and a whole `node_modules`).
fn generate(dir: &Path) -> std::io::Result<()> {
    let marker = dir.join(".generated");
    if marker.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("Dockerfile"), "FROM berth-test/busybox:1\nLABEL berth.bench=build-context\n")?;
    std::fs::write(dir.join(".dockerignore"), "**/*.log\nnode_modules\n")?;
    let average = TOTAL_BYTES / FILES as u64;
    let block: Vec<u8> = (0..2 * average as usize).map(|i| (i * 31 % 251) as u8).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..FILES {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let size = (average / 2 + seed % average) as usize; // average/2 .. 1.5·average
        let (sub, name) = match i % 4 {
            0 | 2 => (format!("src/d{:03}", i % 200), format!("f{i:05}.rs")),
            1 => (format!("src/d{:03}", i % 200), format!("f{i:05}.log")),
            _ => (format!("node_modules/p{:03}", i % 200), format!("f{i:05}.js")),
        };
        let sub = dir.join(sub);
        std::fs::create_dir_all(&sub)?;
        std::fs::File::create(sub.join(name))?.write_all(&block[..size])?;
    }
    std::fs::write(marker, "")?;
    Ok(())
}
