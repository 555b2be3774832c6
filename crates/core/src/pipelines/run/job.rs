//! One attempt of one job, as the Docker executor runs it: a bridge network, the services on
//! it, the job container (aliased `build`) with the project's files, caches restored, the
//! step script, `after_script`, caches saved, artifacts kept; then everything removed, while
//! later jobs go on.

use super::engine_ops as ops;
use super::files::{self, Selection};
use super::handoff::{self, Handoff};
use super::labels;
use super::mask::{mask_str, Masker};
use super::model::{LogStream, RunEvent};
use super::script;
use super::sent::{Sent, SentFiles};
use super::services::{self, Privilege};
use crate::error::{Error, Result};
use crate::pipelines::expand::expand;
use crate::pipelines::model::{ArtifactsWhen, Cache, CachePolicy, Image, Job, Service};
use crate::Engine;
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use futures_util::future::{BoxFuture, Shared};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

/// Where scripts are put in the job container (outside the project folder).
const SCRIPTS: &str = "/berth-ci";
/// Where the main process of a job with `after_script` notes its PID (see [`script::kill_step`]).
const PID_FILE: &str = "/berth-ci/main.pid";
/// Where cache volume `i` is mounted.
const CACHE_MOUNT: &str = "/berth-ci-cache";
/// The variable holding a docker config.json whose logins pull the job's and services' images.
const DOCKER_AUTH_CONFIG: &str = "DOCKER_AUTH_CONFIG";
/// The largest dotenv report read (GitLab's own limit is 5 KB).
const MAX_DOTENV: u64 = 64 << 10;

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

/// The files a job gets, as the pieces of one tar at `/`: the project's, its `.git` (once
/// made), the artifacts kept in `artifacts` (later sets over earlier ones, all over the project,
/// as the runner's downloads), then `scripts`.
async fn job_files(ctx: Arc<RunContext>, artifacts: Vec<PathBuf>, scripts: bytes::Bytes) -> Result<Vec<bytes::Bytes>> {
    let git = ctx.git_dir.clone().await;
    let mut parts = vec![ctx.project_tar.clone()];
    if !git.tar.is_empty() {
        parts.push(git.tar.clone());
    }
    for dir in &artifacts {
        parts.push(handoff::packed(dir, &ctx.builds_dir).await?.into());
    }
    parts.push(scripts);
    Ok(files::chain_tars(parts))
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

#[derive(Default)]
struct Made {
    containers: Vec<String>,
    network: bool,
    volumes: Vec<String>,
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
            if !(unpacking && ended.files_missing && ended.end == AttemptEnd::Exited(script::UNPACK_FAILED)) {
                sent = ended.sent;
                break ended.end;
            }
            // Nothing of the job ran: make its container again, with the files uploaded.
            tracing::debug!(image = %setup.image_name, "the job image could not unpack the job's files; uploading them");
            ctx.cannot_unpack.lock().expect("cannot_unpack").insert(setup.image_name.clone());
            ops::remove_container(engine, &container.id).await;
            made.containers.retain(|c| c != &container.id);
            let mut remade = Made::default();
            let made_again = make_container(ctx, input, name, network, &setup, Delivery::Upload, &mut remade).await;
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
    Ok(MainEnd { end, files_missing: mark.files_missing(), sent })
}

/// How a job's main process ended.
struct MainEnd {
    end: AttemptEnd,
    /// It could not unpack its files ([`script::unpack_then`]).
    files_missing: bool,
    /// The job folder it sent, if whole ([`script::Send`]).
    sent: Sent,
}

fn timed_out(ctx: &RunContext, job: &Job, timeout: Duration) -> AttemptEnd {
    ctx.say(&job.name, &format!("ERROR: Job failed: execution took longer than {}", human(timeout)));
    AttemptEnd::TimedOut
}

/// The job container, made and filled but not started.
struct Prepared<'a> {
    caches: Vec<CacheVolume<'a>>,
    setup: Setup,
    container: Container,
}

/// A job container [`make_container`] made.
struct Container {
    id: String,
    /// The files its main process unpacks from its stdin ([`Delivery::Stdin`]), being packed
    /// ([`job_files`]) while the container is made and started.
    stdin: Option<tokio::task::JoinHandle<Result<Vec<bytes::Bytes>>>>,
    /// Its main process sends the job folder when its scripts have ended ([`script::Send`]).
    sends: bool,
    /// Its main process, when started before the services were ready (see [`attempt`]).
    started: Option<ops::Attached>,
}

/// How the project, the artifacts a job gets and its scripts reach the job container.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// One tar on the main process's stdin, unpacked by the image's `tar` before the script
    /// ([`script::unpack_then`]): the engine runs no extraction of its own (a process apart per
    /// upload, about 100 ms each on Docker 20.10) and fills no volume with artifacts.
    Stdin,
    /// The engine's upload before the start, with artifacts handed through volumes
    /// ([`handoff`]): for a container kept alive for execs (a job with caches), a user other
    /// than root, or an image whose `tar` could not unpack the files.
    Upload,
}

/// What the job container is made from, whichever the [`Delivery`].
struct Setup {
    image_name: String,
    body: ContainerCreateBody,
    /// The script is the container's main process (see [`prepare_container`]).
    main: bool,
    step_files: Vec<String>,
    /// When the job's artifacts are kept, if it keeps any.
    artifacts_when: Option<ArtifactsWhen>,
}

/// Makes the job container and puts the project, the artifacts it depends on and its scripts
/// in it. A job without caches runs its script (then its `after_script`, see
/// [`script::step_then_after`]) as the container's main process, as `docker run` would: no
/// shell kept alive, no exec, and the container has stopped by itself when the files are copied
/// out. Otherwise the container is kept alive so that each step and the cache copies can run in it.
#[allow(clippy::too_many_arguments)]
async fn prepare_container<'a>(
    ctx: &Arc<RunContext>,
    input: &JobInput<'a>,
    name: &str,
    network: Option<&str>,
    env_map: &HashMap<String, String>,
    env_list: &[String],
    certs: Option<&String>,
    labels: &HashMap<String, String>,
    made: &mut Made,
) -> Result<Prepared<'a>> {
    let (job, engine) = (input.job, &ctx.engine);
    let image =
        job.image.clone().unwrap_or_else(|| Image { name: ctx.default_image.clone(), entrypoint: None, pull_policy: vec![], user: None });
    let image_name = expand(&image.name, |k| env_map.get(k).cloned());
    ctx.say(&job.name, &format!("Using image {image_name}"));
    let auth_config = env_map.get(DOCKER_AUTH_CONFIG).map(String::as_str);
    let (warning, runs_as_root) = ops::ensure_image(engine, &image_name, &image.pull_policy, auth_config).await?;
    if let Some(warning) = warning {
        ctx.say(&job.name, &warning);
    }
    let caches = cache_volumes(ctx, job, env_map).await?;
    let mut binds: Vec<String> = caches.iter().enumerate().map(|(i, c)| format!("{}:{CACHE_MOUNT}/{i}", c.volume)).collect();
    if let Some(certs) = certs {
        binds.push(format!("{certs}:/certs/client"));
    }
    if let Some(socket) = &ctx.host_socket {
        binds.push(format!("{socket}:/var/run/docker.sock"));
    }
    let step_files: Vec<String> = SCRIPT_NAMES.iter().map(|n| format!("{SCRIPTS}/{n}")).collect();
    let main = caches.is_empty();
    // The main process's command depends on how the files come (see [`make_container`]).
    let (cmd, env) = if main {
        (None, env_list.iter().cloned().chain(["CI_JOB_STATUS=running".to_string()]).collect())
    } else {
        (Some(vec!["sh".into(), "-c".into(), "while :; do sleep 3600; done".into()]), env_list.to_vec())
    };
    let body = ContainerCreateBody {
        image: Some(image_name.clone()),
        entrypoint: api_entrypoint(&image),
        cmd,
        env: Some(env),
        working_dir: Some(ctx.builds_dir.clone()),
        user: image.user.clone(),
        labels: Some(labels.clone()),
        // Berth keeps the job's log itself; the engine's own copy would cost it a JSON line
        // per chunk of output (a third of the time of a job that prints 10 MB).
        host_config: Some(HostConfig {
            binds: Some(binds),
            log_config: Some(HostConfigLogConfig { typ: Some("none".into()), config: None }),
            ..Default::default()
        }),
        ..Default::default()
    };
    // tar as root writes where the engine's upload would; another user may not.
    let unpacks = main
        && image.user.as_deref().is_none_or(ops::is_root)
        && runs_as_root
        && !ctx.cannot_unpack.lock().expect("cannot_unpack").contains(&image_name);
    let artifacts_when = artifact_selections(ctx, job, env_map).and(job.artifacts.as_ref()).map(|a| a.when);
    let setup = Setup { image_name, body, main, step_files, artifacts_when };
    let delivery = if unpacks { Delivery::Stdin } else { Delivery::Upload };
    let container = make_container(ctx, input, name, network, &setup, delivery, made).await?;
    Ok(Prepared { caches, setup, container })
}

/// The names of a job's script files in [`SCRIPTS`]: its step, its `after_script`, and the
/// main process that runs both.
const SCRIPT_NAMES: [&str; 3] = ["step_script", "after_script", "main"];

/// Makes the job container from `setup`, with the project, the artifacts it depends on and its
/// scripts either uploaded or (returned) to be written to its main process's stdin.
async fn make_container(
    ctx: &Arc<RunContext>,
    input: &JobInput<'_>,
    name: &str,
    network: Option<&str>,
    setup: &Setup,
    delivery: Delivery,
    made: &mut Made,
) -> Result<Container> {
    let (job, engine) = (input.job, &ctx.engine);
    let mut body = setup.body.clone();
    // The job's own tar sends its folder where it unpacked it.
    let send = setup.artifacts_when.filter(|_| delivery == Delivery::Stdin).map(|when| script::Send { dir: &ctx.builds_dir, when });
    let sends = send.is_some();
    if setup.main {
        let wrapped = !job.after_script.is_empty() || sends;
        body.cmd = Some(if wrapped { vec!["sh".into(), setup.step_files[2].clone()] } else { script::shell_command(&setup.step_files[0]) });
    }
    let mut copy = None;
    let mut fill = None;
    match delivery {
        Delivery::Stdin => {
            body.cmd = body.cmd.take().map(script::unpack_then);
            (body.open_stdin, body.stdin_once, body.attach_stdin) = (Some(true), Some(true), Some(true));
        }
        Delivery::Upload => {
            let (handed, filled) = ctx.handoff.prepare(engine, &ctx.id, &input.artifacts_from, &setup.image_name).await?;
            copy = handoff::copy_command(handed.len(), &ctx.builds_dir);
            let host = body.host_config.get_or_insert_with(Default::default);
            host.binds.get_or_insert_with(Vec::new).extend(handoff::binds(&handed));
            fill = Some(filled);
        }
    }
    let steps = [
        (SCRIPT_NAMES[0], script::step_script(&ctx.builds_dir, copy.as_deref(), &job.before_script, &job.script)),
        (SCRIPT_NAMES[1], script::after_script(&ctx.builds_dir, &job.after_script)),
        (SCRIPT_NAMES[2], {
            let after = (!job.after_script.is_empty()).then_some(setup.step_files[1].as_str());
            script::step_then_after(&setup.step_files[0], after, PID_FILE, send)
        }),
    ];
    let scripts = bytes::Bytes::from(scripts_tar(&steps)?);
    let Some(filled) = fill else {
        let packing = tokio::spawn(job_files(ctx.clone(), input.artifacts_from.clone(), scripts));
        let id = ops::create_container(engine, name, body, network, vec!["build".into()]).await?;
        made.containers.push(id.clone());
        return Ok(Container { id, stdin: Some(packing), sends, started: None });
    };
    let id = ops::create_container(engine, name, body, network, vec!["build".into()]).await?;
    made.containers.push(id.clone());
    let tar = job_files(ctx.clone(), vec![], scripts).await?.concat();
    // The project and its scripts in one upload: each upload is an extraction the engine runs
    // apart. The artifacts it gets are in volumes, copied by the step script.
    let upload = ops::upload(engine, &id, tar, "Copying the project and the job's script into the job container");
    let (uploaded, filled) = tokio::join!(upload, filled);
    uploaded.and(filled)?;
    Ok(Container { id, stdin: None, sends, started: None })
}

#[allow(clippy::too_many_arguments)]
async fn start_service(
    ctx: &Arc<RunContext>,
    job: &Job,
    service: &Service,
    cname: &str,
    network: Option<&str>,
    job_env: &[String],
    certs: Option<&String>,
    labels: &HashMap<String, String>,
    made: &mut Made,
) -> Result<()> {
    let engine = &ctx.engine;
    let aliases = services::aliases(service);
    ctx.say(&job.name, &format!("Starting service {} as {}", service.image.name, aliases.join(", ")));
    let auth_config = job_env.iter().find_map(|e| e.strip_prefix(DOCKER_AUTH_CONFIG)?.strip_prefix('='));
    if let (Some(warning), _) = ops::ensure_image(engine, &service.image.name, &service.image.pull_policy, auth_config).await? {
        ctx.say(&job.name, &warning);
    }
    let mut env = job_env.to_vec();
    env.extend(crate::pipelines::expand::environment(&service.variables).into_iter().map(|(k, v)| format!("{k}={v}")));
    let dind = services::is_dind(service);
    let mut host = HostConfig::default();
    if let Some(certs) = certs.filter(|_| dind) {
        host.binds = Some(vec![format!("{certs}:/certs/client")]);
    }
    let body = |host: HostConfig| ContainerCreateBody {
        image: Some(service.image.name.clone()),
        user: service.image.user.clone(),
        entrypoint: api_entrypoint(&service.image),
        cmd: service.command.clone(),
        env: Some(env.clone()),
        labels: Some(labels.clone()),
        host_config: Some(host),
        ..Default::default()
    };
    if !dind {
        let id = ops::create_container(engine, cname, body(host), network, aliases.clone()).await?;
        made.containers.push(id.clone());
        ops::start(engine, &id).await?;
        wait_for_ports(ctx, job, service, &id).await;
        return Ok(());
    }
    let known = *ctx.privilege.lock().expect("privilege lock");
    let mut privilege = known.unwrap_or(Privilege::Full);
    loop {
        let mut h = host.clone();
        privilege.apply(&mut h);
        let id = ops::create_container(engine, cname, body(h), network, aliases.clone()).await?;
        made.containers.push(id.clone());
        match ops::start(engine, &id).await {
            Ok(()) => {
                *ctx.privilege.lock().expect("privilege lock") = Some(privilege);
                if privilege == Privilege::AllButMissingCaps {
                    ctx.say(&job.name, Privilege::FALLBACK_NOTICE);
                }
                wait_for_ports(ctx, job, service, &id).await;
                return Ok(());
            }
            Err(e) if privilege == Privilege::Full && services::refuses_privileged(&e) => {
                ops::remove_container(engine, &id).await;
                made.containers.retain(|c| c != &id);
                privilege = Privilege::AllButMissingCaps;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Wait until the service accepts connections on one of its exposed TCP ports (from the host,
/// on the container's address: `docker:dind` exposes 2375 and 2376 but serves one); a service
/// that does not is reported and the job goes on, as after the runner's health check.
async fn wait_for_ports(ctx: &Arc<RunContext>, job: &Job, service: &Service, id: &str) {
    let Ok(info) = ctx.engine.docker().inspect_container(id, None::<bollard::query_parameters::InspectContainerOptions>).await else {
        return;
    };
    let ports: Vec<u16> = info
        .config
        .as_ref()
        .and_then(|c| c.exposed_ports.as_ref())
        .map(|p| p.iter().filter_map(|k| k.strip_suffix("/tcp").and_then(|n| n.parse().ok())).collect())
        .unwrap_or_default();
    let ip =
        info.network_settings.and_then(|n| n.networks).and_then(|n| n.into_values().find_map(|e| e.ip_address.filter(|a| !a.is_empty())));
    let (Some(ip), false) = (ip, ports.is_empty()) else {
        return;
    };
    let deadline = tokio::time::Instant::now() + ctx.service_wait;
    loop {
        for &port in &ports {
            let attempt = tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect((ip.as_str(), port))).await;
            if matches!(attempt, Ok(Ok(_))) {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
            ctx.say(
                &job.name,
                &format!(
                    "WARNING: Service {} did not open port {} within {}; the job goes on without waiting.",
                    service.image.name,
                    list.join(" or "),
                    human(ctx.service_wait)
                ),
            );
            return;
        }
        // A refused connection answers at once: polling often costs nothing and starts the
        // job as soon as the service listens.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
            let code = ops::run_attached(&ctx.engine, id, attached, stdin, |is_err, bytes| {
                if is_err {
                    output(true, &mark.lock().expect("step mark").push(bytes))
                } else if let Some(tap) = tap.lock().expect("sent files").as_mut() {
                    output(false, &tap.push(bytes))
                } else {
                    output(false, bytes)
                }
            })
            .await?;
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
async fn run_quiet(ctx: &Arc<RunContext>, job: &Job, id: &str, cmd: &str) -> Result<()> {
    let mut output = Vec::new();
    let code = ops::exec(&ctx.engine, id, vec!["sh".into(), "-c".into(), cmd.into()], vec![], |_, b| output.extend_from_slice(b)).await?;
    if code != 0 {
        ctx.say(&job.name, &format!("WARNING: {}", String::from_utf8_lossy(&output).trim()));
    }
    Ok(())
}

struct CacheVolume<'a> {
    cache: &'a Cache,
    key: String,
    volume: String,
    exists: bool,
}

/// One named volume per cache key (the runner's keying), created when first pushed.
async fn cache_volumes<'a>(ctx: &Arc<RunContext>, job: &'a Job, env: &HashMap<String, String>) -> Result<Vec<CacheVolume<'a>>> {
    let mut out = Vec::new();
    for cache in &job.caches {
        let key = cache.key.resolve(&ctx.project_root, env);
        let mut volume = cache_volume_name(&ctx.project_key, &key);
        let mut exists = ops::volume_exists(&ctx.engine, &volume).await;
        if !exists {
            for fallback in &cache.fallback_keys {
                let candidate = cache_volume_name(&ctx.project_key, &expand(fallback, |k| env.get(k).cloned()));
                if ops::volume_exists(&ctx.engine, &candidate).await {
                    ctx.say(&job.name, &format!("Cache \"{key}\" not found; using fallback \"{fallback}\""));
                    volume = candidate;
                    exists = true;
                    break;
                }
            }
        }
        if !exists {
            let labels = HashMap::from([(labels::CACHE.to_string(), ctx.project_key.clone())]);
            ops::create_volume(&ctx.engine, &volume, labels).await?;
        }
        out.push(CacheVolume { cache, key, volume, exists });
    }
    Ok(out)
}

/// `berth-cache-<project>-<key>`, the key reduced to what volume names allow.
pub fn cache_volume_name(project_key: &str, key: &str) -> String {
    let clean: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '_' }).collect();
    let hash = &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(key.as_bytes()))[..8];
    format!("berth-cache-{project_key}-{}-{hash}", clean.chars().take(64).collect::<String>())
}

/// Save cache `i` as the runner does: its `paths` (globs with `**`, folders with all they hold)
/// and with `untracked: true` every file the job started without, from `snapshot` (the
/// engine's tar of the project folder) into the cache's volume, replacing what it held.
async fn save_cache(
    ctx: &Arc<RunContext>,
    job: &Job,
    id: &str,
    i: usize,
    c: &CacheVolume<'_>,
    env: &HashMap<String, String>,
    snapshot: &Path,
) -> Result<()> {
    ctx.say(&job.name, &format!("Saving cache \"{}\"", c.key));
    let selection = Selection {
        paths: c.cache.paths.iter().map(|p| files::project_relative(&expand(p, |k| env.get(k).cloned()), &ctx.builds_dir)).collect(),
        exclude: vec![],
        untracked: c.cache.untracked,
    };
    let packed = snapshot.with_file_name(format!("cache-{i}.tar"));
    let (from, to, tracked) = (snapshot.to_path_buf(), packed.clone(), ctx.tracked.clone());
    let prefix = format!("{}/{i}", CACHE_MOUNT.trim_start_matches('/'));
    let kept = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
        let read = std::fs::File::open(&from).map_err(|e| Error::io("Reading the job's files", e))?;
        let write = std::fs::File::create(&to).map_err(|e| Error::io("Packing the cache", e))?;
        files::select_into_tar(std::io::BufReader::new(read), &selection, &tracked, &prefix, std::io::BufWriter::new(write))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let saved = async {
        let kept = kept?;
        run_quiet(ctx, job, id, &format!("rm -rf {m}/{i}/* {m}/{i}/.[!.]* {m}/{i}/..?* 2>/dev/null; true", m = CACHE_MOUNT)).await?;
        let count = kept.iter().filter(|k| !k.ends_with('/')).count();
        if kept.is_empty() {
            ctx.say(&job.name, "WARNING: no files matched the cache paths; the cache is now empty");
        } else {
            ops::upload_file(&ctx.engine, id, &packed, "Saving the cache").await?;
            ctx.say(&job.name, &format!("Cache \"{}\" saved: {count} file(s)", c.key));
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_file(&packed);
    saved
}

/// What a job's `artifacts:` keeps (its paths, and its dotenv report apart: loaded into later
/// jobs, not handed to them as a file); `None` when it keeps nothing.
fn artifact_selections(ctx: &Arc<RunContext>, job: &Job, env: &HashMap<String, String>) -> Option<(Selection, Selection)> {
    let artifacts = job.artifacts.as_ref()?;
    let paths = |list: &[String]| -> Vec<String> {
        list.iter().map(|p| files::project_relative(&expand(p, |k| env.get(k).cloned()), &ctx.builds_dir)).collect()
    };
    let selection = Selection { paths: paths(&artifacts.paths), exclude: paths(&artifacts.exclude), untracked: artifacts.untracked };
    let reports = Selection { paths: paths(&artifacts.dotenv), ..Default::default() };
    let nothing = selection.paths.is_empty() && !selection.untracked && reports.paths.is_empty();
    (!nothing).then_some((selection, reports))
}

/// Keep the artifacts picked from `snapshot` (the engine's tar of the project folder).
async fn keep_artifacts(ctx: &Arc<RunContext>, job: &Job, (selection, reports): (Selection, Selection), snapshot: &Path) -> Result<()> {
    ctx.say(&job.name, "Uploading artifacts");
    let dir = ctx.job_dir(&job.name);
    let archive = snapshot.to_path_buf();
    let no_paths = selection.paths.is_empty();
    let (dest, report_dir) = (dir.join("artifacts"), dir.join("reports"));
    let _ = std::fs::remove_dir_all(&dest);
    let _ = std::fs::remove_dir_all(&report_dir);
    let tracked = ctx.tracked.clone();
    let (a, d, r, rs) = (archive.clone(), dest.clone(), report_dir.clone(), reports.clone());
    let kept = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
        let open = || std::fs::File::open(&a).map(std::io::BufReader::new).map_err(|e| Error::io("Reading the job's files", e));
        let kept = if selection.paths.is_empty() && !selection.untracked {
            vec![]
        } else {
            files::extract_selected(open()?, &selection, &tracked, &d)?
        };
        if !rs.paths.is_empty() {
            files::extract_selected(open()?, &rs, &tracked, &r)?;
        }
        Ok(kept)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))??;
    let count = kept.iter().filter(|k| !k.ends_with('/')).count();
    if kept.is_empty() && !no_paths {
        ctx.say(&job.name, "WARNING: no files matched the artifacts paths");
    } else if !kept.is_empty() {
        ctx.say(&job.name, &format!("{count} artifact file(s) kept"));
    }
    let mut pairs = Vec::new();
    for file in &reports.paths {
        let path = report_dir.join(file);
        match crate::fsutil::read_text_capped(&path, MAX_DOTENV, "The dotenv report") {
            Ok(text) => pairs.extend(files::parse_dotenv(&text)),
            Err(_) if !path.exists() => ctx.say(&job.name, &format!("WARNING: the dotenv report {file} was not made")),
            Err(e) => ctx.say(&job.name, &format!("WARNING: {e}")),
        }
    }
    if !pairs.is_empty() {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        std::fs::write(dir.join("dotenv"), text).map_err(|e| Error::io("Keeping the dotenv report", e))?;
    }
    Ok(())
}

fn scripts_tar(steps: &[(&str, String)]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    // Writable by the job's user, whoever it is (sticky, as /tmp): the main process notes its PID here.
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o1777);
    dir.set_size(0);
    tar.append_data(&mut dir, format!("{}/", SCRIPTS.trim_start_matches('/')), std::io::empty())
        .map_err(|e| Error::io("Writing the job's script", e))?;
    for (name, text) in steps {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o755);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, format!("{}/{name}", SCRIPTS.trim_start_matches('/')), text.as_bytes())
            .map_err(|e| Error::io("Writing the job's script", e))?;
    }
    tar.into_inner().map_err(|e| Error::io("Writing the job's script", e))
}

/// `entrypoint: [""]` (no entrypoint) is `[""]` for the engine; an empty list would mean the image's.
fn api_entrypoint(image: &Image) -> Option<Vec<String>> {
    image.entrypoint.as_ref().map(|e| if e.is_empty() { vec![String::new()] } else { e.clone() })
}

fn applies(when: ArtifactsWhen, succeeded: bool) -> bool {
    match when {
        ArtifactsWhen::Always => true,
        ArtifactsWhen::OnSuccess => succeeded,
        ArtifactsWhen::OnFailure => !succeeded,
    }
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
