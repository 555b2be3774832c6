//! One attempt of one job, as the Docker executor runs it: a bridge network, the services on
//! it ([`super::services`]), the job container (aliased `build`) with the project's files
//! ([`super::container`]), caches restored, the step script, `after_script`, caches saved and
//! artifacts kept ([`super::keep`]); then everything removed, while later jobs go on.

use super::container::{make_container, prepare_container, Container, Delivery, Prepared};
use super::engine_ops as ops;
use super::handoff::Handoff;
use super::keep::{applies, artifact_selections, keep_artifacts, save_cache, CacheVolume, CACHE_MOUNT};
use super::labels;
use super::mask::{mask_str, Masker};
use super::model::{LogStream, RunEvent};
use super::script::{self, Missing};
use super::sent::{Sent, SentFiles};
use super::services::{self, start_service, Privilege};
use crate::error::{Error, Result};
use crate::pipelines::model::{CachePolicy, Job};
use crate::Engine;
use futures_util::future::{BoxFuture, Shared};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

/// Where scripts are put in the job container (outside the project folder).
pub(super) const SCRIPTS: &str = "/berth-ci";
/// Where the main process of a job with `after_script` notes its PID (see [`script::kill_step`]).
pub(super) const PID_FILE: &str = "/berth-ci/main.pid";
/// The variable holding a docker config.json whose logins pull the job's and services' images.
pub(super) const DOCKER_AUTH_CONFIG: &str = "DOCKER_AUTH_CONFIG";

/// What every job of a run shares.
pub struct RunContext {
    pub engine: Engine,
    pub id: String,
    pub project_root: PathBuf,
    pub builds_dir: String,
    /// A short hash of the project folder, in cache volume names.
    pub project_key: String,
    pub default_image: String,
    pub service_wait: Duration,
    pub max_download: u64,
    pub host_socket: Option<String>,
    pub secrets: Vec<String>,
    pub events: UnboundedSender<RunEvent>,
    /// The project's files, as a tar at `/`.
    pub project_tar: bytes::Bytes,
    /// The `.git` made for jobs, once made.
    pub git_dir: Shared<BoxFuture<'static, Arc<GitDir>>>,
    pub tracked: HashSet<String>,
    pub run_dir: PathBuf,
    /// Learnt from the first privileged service: whether `--privileged` works here.
    pub privilege: Mutex<Option<Privilege>>,
    /// Images whose `tar` could not unpack a job's files from its stdin (see [`Delivery::Stdin`]).
    pub cannot_unpack: Mutex<HashSet<String>>,
    /// Kept artifacts reach jobs whose files come on stdin through read-only bind mounts of
    /// their folders (see [`super::handoff::bound`]): while the engine is local and no job has found
    /// them empty.
    pub binds_artifacts: std::sync::atomic::AtomicBool,
    /// Removals of finished attempts' containers, networks and volumes still under way.
    pub removals: Mutex<JoinSet<()>>,
    /// The volumes that hand kept artifacts to later jobs.
    pub handoff: Handoff,
}

/// The `.git` a job finds in its folder (see [`super::git_dir`]), or why there is none.
#[derive(Default)]
pub struct GitDir {
    /// A tar at `/`; empty when there is none.
    pub tar: bytes::Bytes,
    /// Why jobs get no `.git`, said in each job's log.
    pub note: Option<String>,
}

impl RunContext {
    pub fn job_dir(&self, job: &str) -> PathBuf {
        self.run_dir.join("jobs").join(slug(job))
    }

    /// Show and keep a chunk of the job's log (already masked).
    pub fn log(&self, job: &str, stream: LogStream, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let dir = self.job_dir(job);
        let written = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::OpenOptions::new().create(true).append(true).open(dir.join("log.txt")))
            .and_then(|mut f| f.write_all(&bytes));
        if let Err(e) = written {
            tracing::warn!(%e, job, "could not keep a job log line");
        }
        let _ = self.events.send(RunEvent::Log { job: job.into(), stream, bytes });
    }

    /// Waits for every removal [`run_attempt`] left under way, then removes the volumes that
    /// handed artifacts to later jobs.
    pub async fn removed(&self) {
        let mut removals = std::mem::take(&mut *self.removals.lock().expect("removals"));
        while removals.join_next().await.is_some() {}
        self.handoff.remove(&self.engine).await;
    }

    /// One of Berth's own lines in the job log.
    pub fn say(&self, job: &str, text: &str) {
        let line = format!("\x1b[36;1m{}\x1b[0;m\n", mask_str(text, &self.secrets));
        self.log(job, LogStream::System, line.into_bytes());
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    Exited(i64),
    TimedOut,
    /// Berth or the engine failed before or around the script (`runner_system_failure`).
    System(String),
}

/// What the job runs with, decided by the scheduler.
pub struct JobInput<'a> {
    pub job: &'a Job,
    pub env: Vec<(String, String)>,
    /// Artifact folders of the jobs it depends on, in order.
    pub artifacts_from: Vec<PathBuf>,
    pub attempt: u32,
    pub timeout: Duration,
}

pub async fn run_attempt(ctx: &Arc<RunContext>, input: JobInput<'_>) -> AttemptEnd {
    let job = input.job;
    let name = format!("berth-pl-{}-{}-{}", ctx.id, slug(&job.name), input.attempt);
    let mut made = Made::default();
    let end = match attempt(ctx, &input, &name, &mut made).await {
        Ok(end) => end,
        Err(e) => AttemptEnd::System(e.to_string()),
    };
    // The outcome is known: later jobs need not wait for the engine to kill and remove what
    // the attempt made (as on GitLab, where clean-up follows the job's status). The run waits
    // for it before it ends ([`RunContext::removed`]).
    let engine = ctx.engine.clone();
    ctx.removals.lock().expect("removals").spawn(async move {
        // All at once: each removal kills and unmounts apart in the engine.
        futures_util::future::join_all(made.containers.iter().map(|id| ops::remove_container(&engine, id))).await;
        if made.network {
            let _ = engine.docker().remove_network(&name).await;
        }
        for v in &made.volumes {
            let _ = engine.docker().remove_volume(v, None::<bollard::query_parameters::RemoveVolumeOptions>).await;
        }
    });
    end
}

/// What an attempt made, removed when it ends.
#[derive(Default)]
pub(super) struct Made {
    pub(super) containers: Vec<String>,
    pub(super) network: bool,
    pub(super) volumes: Vec<String>,
}

async fn attempt(ctx: &Arc<RunContext>, input: &JobInput<'_>, name: &str, made: &mut Made) -> Result<AttemptEnd> {
    let job = input.job;
    let engine = &ctx.engine;
    let labels = labels::for_job(&ctx.id, &job.name);
    let env_map: HashMap<String, String> = input.env.iter().cloned().collect();
    let env_list: Vec<String> = input.env.iter().map(|(k, v)| format!("{k}={v}")).collect();

    // A network of its own only when services must reach the job (and it them) by name; a job
    // without services stays on the default bridge, as with the runner's default settings.
    let network = (!job.services.is_empty()).then_some(name);
    if let Some(network) = network {
        ops::create_network(engine, network, labels.clone()).await?;
        made.network = true;
    }

    // Docker-in-Docker with TLS: the client certificates it makes are shared with the job.
    let tls_dind = job.services.iter().any(services::is_dind) && env_map.get("DOCKER_TLS_CERTDIR").is_some_and(|d| !d.is_empty());
    let certs = format!("{name}-certs");
    if tls_dind {
        ops::create_volume(engine, &certs, labels.clone()).await?;
        made.volumes.push(certs.clone());
    }

    // The services start while the job container is made (and filled, or started: see
    // [`Delivery`]); the script waits for both.
    let (mut of_services, mut of_job) = (Made::default(), Made::default());
    let certs = tls_dind.then_some(&certs);
    let services = async {
        for (i, service) in job.services.iter().enumerate() {
            start_service(ctx, job, service, &format!("{name}-svc{i}"), network, &env_list, certs, &labels, &mut of_services).await?;
        }
        Ok::<_, Error>(())
    };
    let container = async {
        let mut prepared = prepare_container(ctx, input, name, network, &env_map, &env_list, certs, &labels, &mut of_job).await?;
        // A job whose files come on its stdin is started at once: its script waits for them,
        // which are written once the services answer. The engine starts it meanwhile.
        let c = &mut prepared.container;
        if prepared.setup.main && c.stdin.is_some() {
            c.started = Some(ops::attach_and_start(engine, &c.id, true).await?);
        }
        Ok::<_, Error>(prepared)
    };
    let (container, services) = tokio::join!(container, services);
    // Removed together when the attempt ends (see [`run_attempt`]).
    made.containers.extend(of_services.containers.into_iter().chain(of_job.containers));
    let Prepared { caches, setup, mut container } = container?;
    services?;
    if let Some(note) = &ctx.git_dir.clone().await.note {
        ctx.say(&job.name, note);
    }
    let step_files = &setup.step_files;

    let mut sent = Sent::Nothing;
    let end = if setup.main {
        loop {
            let unpacking = container.stdin.is_some();
            let ended = main_step(ctx, input, &mut container).await?;
            let delivery = match ended.missing {
                Some(Missing::Files) if unpacking && ended.end == AttemptEnd::Exited(script::UNPACK_FAILED) => {
                    tracing::debug!(image = %setup.image_name, "the job image could not unpack the job's files; uploading them");
                    ctx.cannot_unpack.lock().expect("cannot_unpack").insert(setup.image_name.clone());
                    Delivery::Upload
                }
                Some(Missing::Artifacts) if unpacking && ended.end == AttemptEnd::Exited(script::UNPACK_FAILED) => {
                    tracing::debug!("the engine does not share this machine's files; artifacts go on stdin");
                    ctx.binds_artifacts.store(false, std::sync::atomic::Ordering::Relaxed);
                    Delivery::Stdin
                }
                _ => {
                    sent = ended.sent;
                    break ended.end;
                }
            };
            // Nothing of the job ran: make its container again, its files sent another way.
            ops::remove_container(engine, &container.id).await;
            made.containers.retain(|c| c != &container.id);
            let mut remade = Made::default();
            let made_again = make_container(ctx, input, name, network, &setup, delivery, &mut remade).await;
            made.containers.extend(remade.containers);
            container = made_again?;
        }
    } else {
        let id = &container.id;
        ops::start(engine, id).await?;
        for (i, c) in caches.iter().enumerate() {
            if c.cache.policy != CachePolicy::Push && c.exists {
                ctx.say(&job.name, &format!("Restoring cache \"{}\"", c.key));
                // As for artifacts (see `handoff::copy_command`): a user other than root may not
                // keep times on the project folder itself.
                let (from, to) = (format!("{CACHE_MOUNT}/{i}/."), format!("{}/", script::quote(&ctx.builds_dir)));
                let cmd = format!("cp -a {from} {to} 2>/dev/null || cp -R {from} {to}");
                run_quiet(ctx, job, id, &cmd).await?;
            }
        }
        let running = vec!["CI_JOB_STATUS=running".to_string()];
        match tokio::time::timeout(input.timeout, step(ctx, job, id, Step::Exec { file: &step_files[0], env: running })).await {
            Ok(code) => AttemptEnd::Exited(code?),
            Err(_) => {
                // Stop the script but keep the container for after_script, as the runner does.
                let _ = ops::exec(engine, id, vec!["sh".into(), "-c".into(), "kill -9 -1".into()], vec![], |_, _| {}).await;
                timed_out(ctx, job, input.timeout)
            }
        }
    };
    let succeeded = end == AttemptEnd::Exited(0);

    if !setup.main && !job.after_script.is_empty() {
        ctx.say(&job.name, "Running after_script");
        let status = format!("CI_JOB_STATUS={}", if succeeded { "success" } else { "failed" });
        let after = Step::Exec { file: &step_files[1], env: vec![status] };
        match tokio::time::timeout(script::AFTER_SCRIPT_TIMEOUT, step(ctx, job, &container.id, after)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(code)) => {
                ctx.say(&job.name, &format!("WARNING: after_script failed with exit code {code}; the job's status is not changed."))
            }
            Ok(Err(e)) => ctx.say(&job.name, &format!("WARNING: after_script could not run: {e}")),
            Err(_) => ctx.say(&job.name, "WARNING: after_script took longer than 5 minutes and was stopped."),
        }
    }

    let saving: Vec<(usize, &CacheVolume)> =
        caches.iter().enumerate().filter(|(_, c)| c.cache.policy != CachePolicy::Pull && applies(c.cache.when, succeeded)).collect();
    let artifacts = job.artifacts.as_ref().filter(|a| applies(a.when, succeeded)).and_then(|_| artifact_selections(ctx, job, &env_map));
    if !saving.is_empty() || artifacts.is_some() {
        // One copy of the project folder as the job left it, for its caches and artifacts.
        let dir = ctx.job_dir(&job.name);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("Keeping the job's files", e))?;
        let snapshot = dir.join("project.tar");
        match sent {
            Sent::Tar(_) => {}
            Sent::TooBig => return Err(ops::too_big(&ctx.builds_dir, ctx.max_download)),
            Sent::Nothing => ops::download(engine, &container.id, &ctx.builds_dir, &snapshot, ctx.max_download).await?,
        }
        let kept = async {
            for (i, c) in saving {
                save_cache(ctx, job, &container.id, i, c, &env_map, &snapshot).await?;
            }
            if let Some(selections) = artifacts {
                keep_artifacts(ctx, job, selections, &snapshot).await?;
            }
            Ok::<_, Error>(())
        }
        .await;
        let _ = std::fs::remove_file(&snapshot);
        kept?;
    }
    Ok(end)
}

/// The job's main process, under the job's timeout (see [`script::step_then_after`]); how the
/// attempt ended, and whether it said that it could not unpack its files ([`script::unpack_then`]).
async fn main_step(ctx: &Arc<RunContext>, input: &JobInput<'_>, container: &mut Container) -> Result<MainEnd> {
    let (job, engine, id) = (input.job, &ctx.engine, container.id.as_str());
    let mark = Mutex::new(script::StepMark::default());
    let tap = container.sends.then(|| SentFiles::new(ctx.job_dir(&job.name).join("project.tar"), ctx.max_download));
    let tap = Mutex::new(tap);
    let stdin = match container.stdin.take() {
        Some(packing) => Some(packing.await.map_err(|e| Error::Internal(e.to_string()))??),
        None => None,
    };
    let main = Step::Main { mark: &mark, tap: &tap, stdin, attached: container.started.take() };
    let mut ran = std::pin::pin!(step(ctx, job, id, main));
    let end = match tokio::time::timeout(input.timeout, &mut ran).await {
        Ok(code) => AttemptEnd::Exited(code?),
        Err(_) if !job.after_script.is_empty() => {
            // The job's timeout covers the step; once it has ended, only after_script runs,
            // under its own limit. Else the main process goes on to after_script once the
            // step's processes are gone.
            let step_ended = mark.lock().expect("step mark").code();
            if step_ended.is_none() {
                let kill = vec!["sh".into(), "-c".into(), script::kill_step(PID_FILE)];
                let _ = ops::exec(engine, id, kill, vec![], |_, _| {}).await;
            }
            let after = tokio::time::timeout(script::AFTER_SCRIPT_TIMEOUT + Duration::from_secs(10), &mut ran).await;
            if after.is_err() {
                ctx.say(&job.name, "WARNING: after_script took longer than 5 minutes and was stopped.");
                let _ = engine.docker().kill_container(id, None::<bollard::query_parameters::KillContainerOptions>).await;
            }
            match (step_ended, after) {
                (Some(_), Ok(code)) => AttemptEnd::Exited(code?),
                (Some(code), Err(_)) => AttemptEnd::Exited(code),
                (None, _) => timed_out(ctx, job, input.timeout),
            }
        }
        Err(_) => {
            let _ = engine.docker().kill_container(id, None::<bollard::query_parameters::KillContainerOptions>).await;
            timed_out(ctx, job, input.timeout)
        }
    };
    let mark = mark.lock().expect("step mark");
    // A tar is whole only if the process said so after it.
    let sent = match tap.lock().expect("sent files").take().map(SentFiles::outcome) {
        Some(Sent::Tar(path)) if !mark.sent() => {
            let _ = std::fs::remove_file(path);
            Sent::Nothing
        }
        other => other.unwrap_or(Sent::Nothing),
    };
    Ok(MainEnd { end, missing: mark.missing(), sent })
}

/// How a job's main process ended.
struct MainEnd {
    end: AttemptEnd,
    /// What it found missing before the job's scripts ([`script::unpack_then`]).
    missing: Option<Missing>,
    /// The job folder it sent, if whole ([`script::Send`]).
    sent: Sent,
}

fn timed_out(ctx: &RunContext, job: &Job, timeout: Duration) -> AttemptEnd {
    ctx.say(&job.name, &format!("ERROR: Job failed: execution took longer than {}", human(timeout)));
    AttemptEnd::TimedOut
}

/// How a step's script runs: as the container's main process (started here), or a script file
/// run in the running container with more environment.
enum Step<'a> {
    /// The container's main process, with its files on stdin when given; its stderr goes
    /// through the step mark (see [`script::step_then_after`]).
    /// `attached` when it was started already.
    Main {
        mark: &'a Mutex<script::StepMark>,
        tap: &'a Mutex<Option<SentFiles>>,
        stdin: Option<Vec<bytes::Bytes>>,
        attached: Option<ops::Attached>,
    },
    Exec {
        file: &'a str,
        env: Vec<String>,
    },
}

/// Run one step with its output in the job log; the exit code.
async fn step(ctx: &Arc<RunContext>, job: &Job, id: &str, how: Step<'_>) -> Result<i64> {
    let mut out = Masker::new(&ctx.secrets);
    let mut err = Masker::new(&ctx.secrets);
    let output = |is_err: bool, bytes: &[u8]| {
        if is_err {
            ctx.log(&job.name, LogStream::Stderr, err.push(bytes));
        } else {
            ctx.log(&job.name, LogStream::Stdout, out.push(bytes));
        }
    };
    let code = match how {
        Step::Main { mark, tap, stdin, attached } => {
            let mut output = output;
            let attached = match attached {
                Some(attached) => attached,
                None => ops::attach_and_start(&ctx.engine, id, stdin.is_some()).await?,
            };
            let routed = |is_err: bool, bytes: &[u8]| {
                if is_err {
                    output(true, &mark.lock().expect("step mark").push(bytes))
                } else if let Some(tap) = tap.lock().expect("sent files").as_mut() {
                    output(false, &tap.push(bytes))
                } else {
                    output(false, bytes)
                }
            };
            // The main process exits with the step's code once its output has ended (see
            // [`script::step_then_after`]).
            let said = || mark.lock().expect("step mark").code();
            let code = ops::run_attached(&ctx.engine, id, attached, stdin, routed, said).await?;
            output(true, &mark.lock().expect("step mark").finish());
            if let Some(tap) = tap.lock().expect("sent files").as_mut() {
                output(false, &tap.held());
            }
            code
        }
        Step::Exec { file, env } => ops::exec(&ctx.engine, id, script::shell_command(file), env, output).await?,
    };
    ctx.log(&job.name, LogStream::Stdout, out.finish());
    ctx.log(&job.name, LogStream::Stderr, err.finish());
    Ok(code)
}

/// A shell command of Berth's own; its output goes to the log only when it fails.
pub(super) async fn run_quiet(ctx: &Arc<RunContext>, job: &Job, id: &str, cmd: &str) -> Result<()> {
    let mut output = Vec::new();
    let code = ops::exec(&ctx.engine, id, vec!["sh".into(), "-c".into(), cmd.into()], vec![], |_, b| output.extend_from_slice(b)).await?;
    if code != 0 {
        ctx.say(&job.name, &format!("WARNING: {}", String::from_utf8_lossy(&output).trim()));
    }
    Ok(())
}

/// A job name made safe for file and container names, unique by a short hash.
pub fn slug(name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let hash = &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(name.as_bytes()))[..6];
    format!("{}-{hash}", clean.trim_matches('-').chars().take(40).collect::<String>())
}

pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}
