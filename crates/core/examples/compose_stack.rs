//! Times a 20-service stack's `up` (to all running) and `down`, by Berth's core and by the
//! `docker-compose` CLI on the same engine in the same run, and Berth's memory meanwhile.
//! Used by `tests/bench/run.sh`.
//!
//!     cargo run --release -p berth-core --example compose_stack -- [runs] [services]
//!
//! Prints one `key=value` line per figure.

use berth_core::compose::{self, stack, DownOptions, Options, UpOptions};
use berth_core::engine::{Endpoint, Engine, EngineSource};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const IMAGE: &str = "berth-test/busybox:1";

/// Resident and peak resident memory of this process, in MiB (Linux).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok())
    };
    (kib("VmRSS:").unwrap_or(0.0) / 1024.0, kib("VmHWM:").unwrap_or(0.0) / 1024.0)
}

fn cli(dir: &Path, project: &str, args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = Command::new("docker-compose").args(["-p", project]).args(args).current_dir(dir).output().expect("docker-compose runs");
    assert!(out.status.success(), "docker-compose {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3).max(1);
    let services: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20);
    let endpoint = Endpoint { name: "bench".into(), host: "unix:///var/run/docker.sock".into(), source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;

    // 20 independent services on one network, a named volume each, every fifth publishing a
    // port; SIGKILL as the stop signal so both tools measure their own work, not a 10 s grace.
    let dir = tempfile::tempdir()?;
    let mut yaml = String::from("services:\n");
    for i in 0..services {
        yaml.push_str(&format!(
            "  s{i:02}:\n    image: {IMAGE}\n    command: sleep 1000000\n    stop_signal: SIGKILL\n    volumes: [v{i:02}:/data]\n"
        ));
        if i % 5 == 0 {
            yaml.push_str("    ports: [\"127.0.0.1::80\"]\n");
        }
    }
    yaml.push_str("volumes:\n");
    for i in 0..services {
        yaml.push_str(&format!("  v{i:02}: {{}}\n"));
    }
    std::fs::write(dir.path().join("docker-compose.yml"), yaml)?;

    let (idle, _) = memory();
    let (mut berth_up, mut berth_down, mut cli_up, mut cli_down) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let cli_project = format!("berthcmp-bench-cli-{run}");
        cli_up.push(cli(dir.path(), &cli_project, &["up", "-d"]));
        cli_down.push(cli(dir.path(), &cli_project, &["down", "-v"]));

        let project = format!("berthcmp-bench-{run}");
        let opts = Options { project_dir: Some(dir.path().into()), name: Some(project.clone()), ..Default::default() };
        let t = Instant::now();
        let p = compose::load(&opts).map_err(|e| e.to_string())?;
        // PHASES=1 prints each progress line with its time, to see where an up spends it.
        let phases = std::env::var_os("PHASES").is_some();
        let progress = |pr: compose::Progress| {
            if phases {
                eprintln!("{:>6.2} {} {}", t.elapsed().as_secs_f64(), pr.resource, pr.state);
            }
        };
        let outcome = compose::up(&engine, &p, &UpOptions::default(), &progress).await?;
        if let Some(e) = outcome.error {
            return Err(e.message.into());
        }
        berth_up.push(t.elapsed().as_secs_f64());
        let running = stack::list(&engine).await?.into_iter().find(|s| s.name == project).map(|s| s.running).unwrap_or(0);
        assert_eq!(running, services, "all services run after up");
        let t = Instant::now();
        stack::down(&engine, &project, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await?;
        berth_down.push(t.elapsed().as_secs_f64());
    }
    let (_, peak) = memory();
    let (bu, bd, cu, cd) = (median(berth_up), median(berth_down), median(cli_up), median(cli_down));
    println!("services={services} runs={runs}");
    println!("up_s berth={bu:.2} docker-compose={cu:.2} ratio={:.2}", bu / cu);
    println!("down_s berth={bd:.2} docker-compose={cd:.2} ratio={:.2}", bd / cd);
    println!("memory_mib idle={idle:.1} peak={peak:.1} above_idle={:.1}", peak - idle);
    Ok(())
}
