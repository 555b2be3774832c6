//! Times a 20-service stack's `up` (to all running) and `down`, by Berth's core and by the
//! `docker-compose` CLI on the same engine in the same run, and Berth's memory meanwhile.
//! Beside them it times the engine's own floor: the same networks, volumes and containers made
//! by bare Engine API calls, all at once, with no compose logic at all; no client can beat it.
//! Used by `tests/bench/run.sh`.
//!
//!     cargo run --release -p berth-core --example compose_stack -- [runs] [services]
//!
//! Prints one `key=value` line per figure.

mod common;

use berth_core::compose::{self, stack, DownOptions, Options, UpOptions};
use berth_core::engine::{Endpoint, Engine, EngineSource};
use bollard::models::{ContainerCreateBody, HostConfig, NetworkCreateRequest, PortBinding, VolumeCreateRequest};
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions, RemoveVolumeOptions, StopContainerOptions};
use futures_util::future::try_join_all;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const IMAGE: &str = "berth-test/busybox:1";

fn cli(dir: &Path, project: &str, args: &[&str]) -> f64 {
    let t = Instant::now();
    let out = Command::new("docker-compose").args(["-p", project]).args(args).current_dir(dir).output().expect("docker-compose runs");
    assert!(out.status.success(), "docker-compose {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed().as_secs_f64()
}

/// The stack's work as bare API calls: network and volumes, then every container created and
/// started at once; then stopped and removed at once, network and volumes after. (up, down) s.
async fn floor(engine: &Engine, prefix: &str, services: usize) -> Result<(f64, f64), bollard::errors::Error> {
    let docker = engine.docker();
    let net = format!("{prefix}_default");
    let volumes: Vec<String> = (0..services).map(|i| format!("{prefix}_v{i:02}")).collect();
    let t = Instant::now();
    docker.create_network(NetworkCreateRequest { name: net.clone(), ..Default::default() }).await?;
    try_join_all(volumes.iter().map(|v| docker.create_volume(VolumeCreateRequest { name: Some(v.clone()), ..Default::default() }))).await?;
    let ids = try_join_all(volumes.iter().enumerate().map(|(i, volume)| {
        let ports = (i % 5 == 0).then(|| {
            HashMap::from([("80/tcp".to_string(), Some(vec![PortBinding { host_ip: Some("127.0.0.1".into()), host_port: None }]))])
        });
        let body = ContainerCreateBody {
            image: Some(IMAGE.into()),
            cmd: Some(vec!["sleep".into(), "1000000".into()]),
            stop_signal: Some("SIGKILL".into()),
            exposed_ports: ports.as_ref().map(|_| vec!["80/tcp".to_string()]),
            host_config: Some(HostConfig {
                binds: Some(vec![format!("{volume}:/data")]),
                network_mode: Some(net.clone()),
                port_bindings: ports,
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions { name: Some(format!("{prefix}-s{i:02}-1")), platform: String::new() };
        async move {
            let id = docker.create_container(Some(options), body).await?.id;
            docker.start_container(&id, None).await?;
            Ok::<_, bollard::errors::Error>(id)
        }
    }))
    .await?;
    let up = t.elapsed().as_secs_f64();
    let t = Instant::now();
    try_join_all(ids.iter().map(|id| async move {
        docker.stop_container(id, None::<StopContainerOptions>).await?;
        docker.remove_container(id, Some(RemoveContainerOptions { force: true, ..Default::default() })).await
    }))
    .await?;
    docker.remove_network(&net).await?;
    try_join_all(volumes.iter().map(|v| docker.remove_volume(v, None::<RemoveVolumeOptions>))).await?;
    Ok((up, t.elapsed().as_secs_f64()))
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
    let endpoint =
        Endpoint { name: "bench".into(), host: "unix:///var/run/docker.sock".into(), source: EngineSource::WellKnown, tls: None };
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

    let idle = common::status_mib("VmRSS:");
    let (mut berth_up, mut berth_down, mut cli_up, mut cli_down) = (vec![], vec![], vec![], vec![]);
    let (mut floor_up, mut floor_down) = (vec![], vec![]);
    for run in 0..runs {
        let (u, d) = floor(&engine, &format!("berthcmp-floor-{run}"), services).await?;
        floor_up.push(u);
        floor_down.push(d);

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
    let peak = common::peak_mib();
    let (bu, bd, cu, cd) = (median(berth_up), median(berth_down), median(cli_up), median(cli_down));
    let (fu, fd) = (median(floor_up), median(floor_down));
    println!("services={services} runs={runs}");
    println!("up_s berth={bu:.2} docker-compose={cu:.2} ratio={:.2}", bu / cu);
    println!("down_s berth={bd:.2} docker-compose={cd:.2} ratio={:.2}", bd / cd);
    // The best ratio any client could reach here, and how far above that floor each tool is.
    println!("up_floor_s engine={fu:.2} best_possible_ratio={:.2} berth_above={:.2} docker-compose_above={:.2}", fu / cu, bu - fu, cu - fu);
    println!(
        "down_floor_s engine={fd:.2} best_possible_ratio={:.2} berth_above={:.2} docker-compose_above={:.2}",
        fd / cd,
        bd - fd,
        cd - fd
    );
    println!("memory_mib idle={idle:.1} peak={peak:.1} above_idle={:.1}", peak - idle);
    Ok(())
}
