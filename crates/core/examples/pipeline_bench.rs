//! Runs a project's `.gitlab-ci.yml` with Berth's core (the functions the app calls), or the
//! engine's floor for the same pipeline. Used by `tests/bench/pipelines.sh`.
//!
//!     pipeline_bench berth <project> <concurrency> [NAME=value…]   the run, as JSON on stdout
//!     pipeline_bench floor <project> <concurrency> [NAME=value…]   the floor's seconds
//!
//! The floor is the least any Docker executor must ask of the engine: per job, a network and
//! its services when it has some, then one container running the job's script, waited on and
//! removed; stages in order, a stage's jobs `concurrency` at a time. No files are copied in or
//! out and nothing is streamed, so it is the engine's own container start/stop time plus the
//! scripts' own time: no executor can go under it.

use berth_core::engine::{Endpoint, Engine, EngineSource};
use berth_core::pipelines::model::{Job, Variable, VariableOrigin, When};
use berth_core::pipelines::run::{self, JobStatus, RunEvent, RunOptions};
use berth_core::pipelines::{self, LoadOptions};
use bollard::models::{ContainerCreateBody, EndpointSettings, HostConfig, NetworkCreateRequest, NetworkingConfig};
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions, WaitContainerOptions};
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;
use tokio::sync::mpsc;

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, project, concurrency, vars @ ..] = args.as_slice() else {
        return Err("usage: pipeline_bench berth|floor <project> <concurrency> [NAME=value…]".into());
    };
    let root = std::fs::canonicalize(project)?;
    let concurrency: usize = concurrency.parse()?;
    let endpoint =
        Endpoint { name: "bench".into(), host: "unix:///var/run/docker.sock".into(), source: EngineSource::WellKnown, tls: None };
    let engine = Engine::connect(&endpoint).await?;
    match mode.as_str() {
        "berth" => berth(&engine, root, concurrency, run_variables(vars)?).await,
        "floor" => floor(&engine, root, concurrency, run_variables(vars)?).await,
        other => Err(format!("unknown mode {other}").into()),
    }
}

/// Load and run the pipeline as the app does; print the wall time, each job's outcome and log.
/// `NAME=value` arguments as a run's variables.
fn run_variables(vars: &[String]) -> Result<Vec<Variable>, Failure> {
    vars.iter()
        .map(|v| {
            let (name, value) = v.split_once('=').ok_or("a run variable is NAME=value")?;
            Ok(Variable { name: name.into(), value: value.into(), expand: true, masked: false, origin: VariableOrigin::Run })
        })
        .collect()
}

async fn berth(engine: &Engine, root: PathBuf, concurrency: usize, variables: Vec<Variable>) -> Result<(), Failure> {
    let run_dir = tempfile::tempdir()?;
    let t = Instant::now();
    let pipeline = pipelines::load(&LoadOptions { root, variables, pipeline_id: 1, ..Default::default() }).map_err(|e| e.to_string())?;
    let mut options = RunOptions::new(run_dir.path().join("run"));
    options.concurrency = concurrency;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut handle = run::start(engine, pipeline, options, tx).await?;
    let summary = handle.wait().await;
    let wall = t.elapsed().as_secs_f64();
    let mut logs: HashMap<String, Vec<u8>> = HashMap::new();
    while let Ok(event) = rx.try_recv() {
        if let RunEvent::Log { job, bytes, .. } = event {
            logs.entry(job).or_default().extend_from_slice(&bytes);
        }
    }
    let jobs: Vec<_> = summary
        .jobs
        .iter()
        .map(|j| {
            let outcome = match (j.status, j.allowed_failure) {
                (JobStatus::Success, _) => "success",
                (JobStatus::Failed, true) => "warning",
                (JobStatus::Failed, false) => "failed",
                _ => "not run",
            };
            let log = logs.get(&j.name).map(|l| String::from_utf8_lossy(l).into_owned()).unwrap_or_default();
            serde_json::json!({ "name": j.name, "outcome": outcome, "seconds": j.duration_secs, "log": log })
        })
        .collect();
    println!("{}", serde_json::json!({ "wall": wall, "jobs": jobs }));
    Ok(())
}

/// The same stages and jobs as bare Engine API calls (see the file's comment).
async fn floor(engine: &Engine, root: PathBuf, concurrency: usize, variables: Vec<Variable>) -> Result<(), Failure> {
    let pipeline = pipelines::load(&LoadOptions { root, variables, pipeline_id: 1, ..Default::default() }).map_err(|e| e.to_string())?;
    let t = Instant::now();
    for stage in 0..pipeline.stages.len() {
        let jobs: Vec<&Job> = pipeline.jobs.iter().filter(|j| j.stage_index == stage && j.when != When::Never).collect();
        stream::iter(jobs.into_iter().enumerate().map(|(i, job)| floor_job(engine, stage * 100 + i, job)))
            .buffer_unordered(concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await?;
    }
    println!("{:.3}", t.elapsed().as_secs_f64());
    Ok(())
}

async fn floor_job(engine: &Engine, n: usize, job: &Job) -> Result<(), bollard::errors::Error> {
    let docker = engine.docker();
    let name = format!("berth-bench-floor-{}-{n}", std::process::id());
    let env: Vec<String> = pipelines::expand::environment(&job.variables).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let network = (!job.services.is_empty()).then(|| name.clone());
    let attach = |aliases: Vec<String>| {
        network.as_ref().map(|net| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(net.clone(), EndpointSettings { aliases: Some(aliases), ..Default::default() })])),
        })
    };
    let host = || HostConfig { network_mode: network.clone(), ..Default::default() };
    if let Some(net) = &network {
        docker.create_network(NetworkCreateRequest { name: net.clone(), ..Default::default() }).await?;
    }
    let mut ids = Vec::new();
    for (i, service) in job.services.iter().enumerate() {
        let body = ContainerCreateBody {
            image: Some(service.image.name.clone()),
            cmd: service.command.clone(),
            host_config: Some(host()),
            networking_config: attach(service.aliases.clone()),
            ..Default::default()
        };
        let options = CreateContainerOptions { name: Some(format!("{name}-svc{i}")), ..Default::default() };
        let id = docker.create_container(Some(options), body).await?.id;
        docker.start_container(&id, None).await?;
        ids.push(id);
    }
    let image = job.image.as_ref().map(|i| i.name.clone()).unwrap_or_else(|| "berth-test/debian:bookworm".into());
    let script = job.before_script.iter().chain(&job.script).cloned().collect::<Vec<_>>().join("\n");
    let body = ContainerCreateBody {
        image: Some(image),
        cmd: Some(vec!["bash".into(), "-c".into(), format!("mkdir -p /builds/floor && cd /builds/floor\n{script}")]),
        env: Some(env),
        host_config: Some(host()),
        networking_config: attach(vec!["build".into()]),
        ..Default::default()
    };
    let options = CreateContainerOptions { name: Some(name.clone()), ..Default::default() };
    let id = docker.create_container(Some(options), body).await?.id;
    docker.start_container(&id, None).await?;
    // A non-zero exit is an error item here; the floor only times the work, not its outcome.
    let _ = docker.wait_container(&id, None::<WaitContainerOptions>).collect::<Vec<_>>().await;
    ids.push(id);
    for id in ids.iter().rev() {
        docker.remove_container(id, Some(RemoveContainerOptions { force: true, v: true, ..Default::default() })).await?;
    }
    if let Some(net) = &network {
        docker.remove_network(net).await?;
    }
    Ok(())
}
