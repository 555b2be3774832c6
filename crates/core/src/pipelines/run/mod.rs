//! Running a resolved [`Pipeline`] with GitLab Runner's Docker-executor semantics, through the
//! Engine API only.
//!
//! - [`start`] checks consent, packs the project's tracked files once and schedules the jobs:
//!   `needs`/stage order, `when`, a concurrency limit, `resource_group`, `retry`, `timeout`.
//! - Each job attempt ([`job`]) gets its own network, services and container, all labelled
//!   with the run id ([`labels`]); [`cleanup_interrupted`] removes what dead runs left.
//! - Live [`RunEvent`]s (status, masked log bytes) go to the channel the caller passes.
//! - Artifacts, logs and dotenv reports are kept under [`RunOptions::run_dir`]; caches are
//!   named volumes per project and key, removed by [`clear_cache`].

mod container;
mod engine_ops;
mod files;
mod git_dir;
mod handoff;
#[cfg(test)]
mod hostile_repo_tests;
mod job;
mod keep;
mod labels;
mod mask;
pub mod model;
mod schedule;
mod script;
mod sent;
mod services;

pub use model::*;

use super::model::{AllowFailure, Pipeline, RetryWhen, Variable, VariableOrigin, When};
use crate::error::{Error, Result};
use crate::Engine;
use futures_util::FutureExt;
use job::{AttemptEnd, GitDir, JobInput, RunContext};
use schedule::{Decision, State};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A run in progress: cancel it, play its manual jobs, wait for it.
pub struct RunHandle {
    id: String,
    cancel: CancellationToken,
    superseded: CancellationToken,
    play: mpsc::UnboundedSender<String>,
    summary: watch::Receiver<Option<RunSummary>>,
}

impl RunHandle {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stop every running job and remove every container, network and volume of the run.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A newer run of the same project started: as GitLab auto-cancels a redundant pipeline,
    /// the run is canceled when every job it has started is `interruptible` (jobs not started
    /// yet do not count); once a job that is not has started, the run goes on.
    pub fn supersede(&self) {
        self.superseded.cancel();
    }

    /// Start a `when: manual` job that is waiting.
    pub fn play(&self, job: &str) {
        let _ = self.play.send(job.to_string());
    }

    /// The run's state the next time nothing more can happen by itself: every job is done,
    /// or the rest wait for [`play`](Self::play). Call again after playing a job.
    pub async fn wait(&mut self) -> RunSummary {
        loop {
            if self.summary.changed().await.is_err() {
                return self.summary.borrow().clone().expect("a finished run has a summary");
            }
            if let Some(s) = self.summary.borrow_and_update().clone() {
                return s;
            }
        }
    }
}

/// Start running `pipeline`. Refuses (and runs nothing) when the pipeline makes no jobs,
/// needs a consent the user did not give, or the project cannot be read.
pub async fn start(engine: &Engine, pipeline: Pipeline, options: RunOptions, events: mpsc::UnboundedSender<RunEvent>) -> Result<RunHandle> {
    if pipeline.blocked_by_workflow.is_some() {
        return Err(Error::invalid(
            "pipeline",
            "The pipeline's workflow:rules create no pipeline for this commit, so there is nothing to run.",
        ));
    }
    let services: Vec<_> = pipeline.jobs.iter().filter(|j| j.when != When::Never).flat_map(|j| j.services.iter()).collect();
    services::check_consent(&services, options.consent)?;
    let host_socket = if options.consent.host_engine_socket {
        match engine.host().strip_prefix("unix://") {
            Some(path) => Some(path.to_string()),
            None => {
                return Err(Error::invalid(
                    "consent",
                    format!("Jobs can use the engine's socket only when the engine is on this machine; it is at {}.", engine.host()),
                ))
            }
        }
    } else {
        None
    };
    let root = pipeline.project.root.clone();
    let predefined = |name: &str| {
        let vars = pipeline.jobs.first().map(|j| j.variables.as_slice()).unwrap_or_default();
        vars.iter().find(|v| v.name == name && v.origin == VariableOrigin::Predefined).map(|v| v.value.clone())
    };
    let commit =
        [predefined("CI_COMMIT_SHA"), predefined("CI_COMMIT_BRANCH"), predefined("CI_COMMIT_TAG"), predefined("CI_REPOSITORY_URL")];
    std::fs::create_dir_all(&options.run_dir).map_err(|e| Error::io("Making the run's folder", e))?;
    let builds = pipeline.project.builds_dir.clone();
    let (tracked, project_tar) = {
        let (root, builds) = (root.clone(), builds.clone());
        crate::blocking::run("Packing the project's files", crate::blocking::FOLDER_TIMEOUT, move || {
            let tracked = files::tracked_files(&root)?;
            let tar = files::tar_of(&root, &tracked, &builds)?;
            Ok((tracked, tar))
        })
        .await?
    };
    // The `.git` for jobs is made while the first jobs' containers are made and started
    // (`git` runs a dozen times): jobs wait for it only when their files are sent.
    let scratch = options.run_dir.join("git-scratch");
    let git_dir = tokio::task::spawn_blocking(move || {
        // A folder that is no repository has all-zero CI_COMMIT_SHA and gets no `.git`, silently.
        let [sha, branch, tag, url] = &commit;
        let Some(sha) = sha.as_deref().filter(|s| s.bytes().any(|b| b != b'0')) else {
            return Arc::new(GitDir::default());
        };
        let commit = git_dir::Commit { sha, branch: branch.as_deref(), tag: tag.as_deref(), url: url.as_deref().unwrap_or_default() };
        Arc::new(match git_dir::tar(&root, &commit, &builds, &scratch) {
            Ok(tar) => GitDir { tar: tar.into(), note: None },
            Err(why) => GitDir {
                tar: Default::default(),
                note: Some(format!("WARNING: the job's folder has no .git ({why}); git commands in the job will fail.")),
            },
        })
    })
    .map(|made| {
        made.unwrap_or_else(|e| {
            Arc::new(GitDir { tar: Default::default(), note: Some(format!("WARNING: the job's folder has no .git ({e})")) })
        })
    })
    .boxed()
    .shared();
    let id = run_id();
    let secrets: Vec<String> = pipeline
        .jobs
        .iter()
        .flat_map(|j| j.variables.iter())
        .chain(pipeline.jobs.iter().flat_map(|j| j.services.iter().flat_map(|s| s.variables.iter())))
        .filter(|v| v.masked)
        .map(|v| v.value.clone())
        .collect();
    let ctx = Arc::new(RunContext {
        engine: engine.clone(),
        id: id.clone(),
        project_root: pipeline.project.root.clone(),
        builds_dir: pipeline.project.builds_dir.clone(),
        project_key: project_key(&pipeline.project.root),
        default_image: options.default_image.clone(),
        service_wait: options.service_wait,
        max_download: options.max_download,
        host_socket,
        secrets,
        events,
        project_tar: project_tar.into(),
        git_dir,
        tracked: tracked.into_iter().collect(),
        run_dir: options.run_dir.clone(),
        privilege: Mutex::new(None),
        cannot_unpack: Default::default(),
        binds_artifacts: engine.endpoint().is_local().into(),
        removals: Mutex::new(JoinSet::new()),
        handoff: Default::default(),
    });
    let (cancel, superseded) = (CancellationToken::new(), CancellationToken::new());
    let (play_tx, play_rx) = mpsc::unbounded_channel();
    let (summary_tx, summary_rx) = watch::channel(None);
    let scheduler = Scheduler::new(ctx, Arc::new(pipeline), options, cancel.clone(), summary_tx);
    let superseded_rx = superseded.clone();
    LIVE.lock().expect("live runs").push(id.clone());
    let run = id.clone();
    tokio::spawn(async move {
        scheduler.run(play_rx, superseded_rx).await;
        LIVE.lock().expect("live runs").retain(|r| r != &run);
    });
    Ok(RunHandle { id, cancel, superseded, play: play_tx, summary: summary_rx })
}

/// Remove containers, networks and volumes of pipeline runs whose app is gone (killed
/// mid-run) and that are not among `live`. Runs of other live processes are left alone; the
/// engine pump calls this on every connection with [`live_runs`]. Caches stay.
pub async fn cleanup_interrupted(engine: &Engine, live: &[String]) -> Result<usize> {
    engine_ops::remove_runs(engine, None, live).await
}

static LIVE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The runs this process is running now.
pub fn live_runs() -> Vec<String> {
    LIVE.lock().expect("live runs").clone()
}

/// Remove every cache volume of the project at `root` ("Clear cache"); returns how many.
pub async fn clear_cache(engine: &Engine, root: &Path) -> Result<usize> {
    let filters = HashMap::from([("label".to_string(), vec![format!("{}={}", labels::CACHE, project_key(root))])]);
    let docker = engine.docker();
    let volumes = docker
        .list_volumes(Some(bollard::query_parameters::ListVolumesOptions { filters: Some(filters) }))
        .await
        .map_err(engine.err("Cache volumes"))?;
    let mut removed = 0;
    for v in volumes.volumes.unwrap_or_default() {
        docker.remove_volume(&v.name, Some(bollard::query_parameters::RemoveVolumeOptions { force: false })).await.map_err(
            |e| match engine.err(&format!("Cache volume {}", v.name))(e) {
                Error::Conflict { .. } => {
                    Error::Conflict { message: "A job of a running pipeline is using the cache; clear it when the run has ended.".into() }
                }
                other => other,
            },
        )?;
        removed += 1;
    }
    Ok(removed)
}

/// The name of the cache volume a job of the project at `root` uses for `key`.
pub fn cache_volume(root: &Path, key: &str) -> String {
    keep::cache_volume_name(&project_key(root), key)
}

fn project_key(root: &Path) -> String {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(root.to_string_lossy().as_bytes()))[..12].to_string()
}

/// Now as GitLab writes its `*_AT` variables: `2026-12-02T16:20:00Z`.
fn iso_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn run_id() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    format!("{}{:03}{}", now.format("%Y%m%d%H%M%S"), now.timestamp_subsec_millis(), N.fetch_add(1, Ordering::Relaxed) % 10)
}

/// The folder of a job in a run folder (its `log.txt`, `artifacts/`, `dotenv`).
pub fn job_dir(run_dir: &Path, job: &str) -> PathBuf {
    run_dir.join("jobs").join(job::slug(job))
}

struct JobRecord {
    state: State,
    exit_code: Option<i64>,
    attempts: u32,
    reason: Option<String>,
    duration_secs: f64,
    /// Where its artifacts are (this run's folder, or the previous run's for a partial re-run).
    dir: PathBuf,
}

struct Finished {
    index: usize,
    end: AttemptEnd,
    attempts: u32,
    duration_secs: f64,
}

struct Scheduler {
    ctx: Arc<RunContext>,
    pipeline: Arc<Pipeline>,
    options: RunOptions,
    cancel: CancellationToken,
    summary: watch::Sender<Option<RunSummary>>,
    records: Vec<JobRecord>,
    slots: Arc<Semaphore>,
    groups: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
    /// `CI_PIPELINE_CREATED_AT`: when this run began.
    created_at: String,
}

impl Scheduler {
    fn new(
        ctx: Arc<RunContext>,
        pipeline: Arc<Pipeline>,
        options: RunOptions,
        cancel: CancellationToken,
        summary: watch::Sender<Option<RunSummary>>,
    ) -> Scheduler {
        let previous = options.previous.as_deref().map(read_summary).unwrap_or_default();
        let records = pipeline
            .jobs
            .iter()
            .map(|j| {
                let reused = options.only.as_ref().is_some_and(|only| !only.contains(&j.name));
                let (status, allowed_failure, reason) = if j.when == When::Never {
                    (JobStatus::Skipped, false, Some(j.reason.to_string()))
                } else if reused {
                    previous.get(&j.name).map(|(s, a)| (*s, *a, Some("kept from the previous run".into()))).unwrap_or((
                        JobStatus::Skipped,
                        false,
                        Some("not in this re-run".into()),
                    ))
                } else {
                    (JobStatus::Created, false, None)
                };
                let dir = match (&options.previous, reused) {
                    (Some(prev), true) => job_dir(prev, &j.name),
                    _ => ctx.job_dir(&j.name),
                };
                JobRecord { state: State { status, allowed_failure }, exit_code: None, attempts: 0, reason, duration_secs: 0.0, dir }
            })
            .collect();
        let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
        Scheduler { ctx, pipeline, options, cancel, summary, records, slots, groups: HashMap::new(), created_at: iso_now() }
    }

    async fn run(mut self, mut play: mpsc::UnboundedReceiver<String>, superseded: CancellationToken) {
        let mut running: JoinSet<Finished> = JoinSet::new();
        let (mut play_open, mut supersede_open) = (true, true);
        for i in 0..self.records.len() {
            if self.records[i].state.status != JobStatus::Created {
                self.emit_status(i);
            }
        }
        loop {
            self.advance(&mut running);
            if running.is_empty() && !self.records.iter().any(|r| r.state.status == JobStatus::Manual && play_open) {
                break;
            }
            if running.is_empty() {
                // Only manual jobs are left: the run is idle until one is played.
                self.publish(false);
            }
            tokio::select! {
                _ = self.cancel.cancelled() => {
                    self.cancel_all(&mut running, "the run was canceled").await;
                    break;
                }
                _ = superseded.cancelled(), if supersede_open => {
                    supersede_open = false;
                    if self.interruptible() {
                        self.cancel.cancel();
                        self.cancel_all(&mut running, "a newer run of this pipeline started, and every job this run had started is interruptible").await;
                        break;
                    }
                }
                Some(done) = running.join_next(), if !running.is_empty() => {
                    if let Ok(done) = done { self.finish(done); }
                }
                name = play.recv(), if play_open => match name {
                    Some(name) => self.play(&name),
                    None => play_open = false,
                },
            }
        }
        self.ctx.removed().await;
        self.publish(true);
    }

    /// Stop every job, mark the unfinished ones canceled, remove all the run made.
    async fn cancel_all(&mut self, running: &mut JoinSet<Finished>, reason: &str) {
        running.abort_all();
        while running.join_next().await.is_some() {}
        for i in 0..self.records.len() {
            if !self.records[i].state.status.is_final() {
                self.records[i].state.status = JobStatus::Canceled;
                self.records[i].reason = Some(reason.into());
                self.emit_status(i);
            }
        }
        if let Err(e) = engine_ops::remove_runs(&self.ctx.engine, Some(&self.ctx.id), &[]).await {
            tracing::warn!(%e, "could not remove a canceled run's containers");
        }
    }

    /// Whether every job that has started (is running, or ran) is `interruptible`.
    fn interruptible(&self) -> bool {
        self.records
            .iter()
            .zip(&self.pipeline.jobs)
            .filter(|(r, _)| r.state.status == JobStatus::Running || r.attempts > 0)
            .all(|(_, j)| j.interruptible)
    }

    /// Start, skip or park every job whose turn it is.
    fn advance(&mut self, running: &mut JoinSet<Finished>) {
        loop {
            let mut changed = false;
            for i in 0..self.records.len() {
                if self.records[i].state.status != JobStatus::Created {
                    continue;
                }
                let states: Vec<State> = self.records.iter().map(|r| r.state).collect();
                match schedule::decide(&self.pipeline.jobs, &states, i) {
                    Decision::Wait => continue,
                    Decision::Skip(reason) => {
                        self.records[i].state.status = JobStatus::Skipped;
                        self.records[i].reason = Some(reason);
                    }
                    Decision::Manual => self.records[i].state.status = JobStatus::Manual,
                    Decision::Run => self.spawn(i, running, None),
                    Decision::Delay => {
                        let delay = match self.pipeline.jobs[i].when {
                            When::Delayed { start_in } => start_in,
                            _ => Default::default(),
                        };
                        self.records[i].state.status = JobStatus::Scheduled;
                        self.spawn(i, running, Some(delay));
                    }
                }
                if self.records[i].state.status != JobStatus::Running && self.records[i].state.status != JobStatus::Scheduled {
                    self.emit_status(i);
                }
                changed = true;
            }
            if !changed {
                return;
            }
        }
    }

    fn play(&mut self, name: &str) {
        if let Some(i) = self.pipeline.jobs.iter().position(|j| j.name == name) {
            if self.records[i].state.status == JobStatus::Manual {
                // Played: it now waits for and runs like an ordinary job.
                self.records[i].state.status = JobStatus::Created;
                let mut pipeline = (*self.pipeline).clone();
                pipeline.jobs[i].when = When::OnSuccess;
                self.pipeline = Arc::new(pipeline);
            }
        }
    }

    fn spawn(&mut self, i: usize, running: &mut JoinSet<Finished>, delay: Option<std::time::Duration>) {
        let job = self.pipeline.jobs[i].clone();
        let env = self.environment(i);
        let artifacts_from = self.artifact_sources(i);
        let timeout = job.timeout.unwrap_or(self.options.default_timeout);
        let group = job.resource_group.as_ref().map(|g| self.groups.entry(g.clone()).or_default().clone());
        let (ctx, slots) = (self.ctx.clone(), self.slots.clone());
        if delay.is_none() {
            self.records[i].state.status = JobStatus::Running;
        } else {
            self.emit_status(i);
        }
        running.spawn(async move {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            let _slot = slots.acquire_owned().await.expect("the run's slots stay open");
            let _group = match &group {
                Some(g) => Some(g.lock().await),
                None => None,
            };
            let _ = ctx.events.send(RunEvent::Status {
                job: job.name.clone(),
                status: JobStatus::Running,
                allowed_failure: false,
                reason: None,
            });
            let started = std::time::Instant::now();
            // Set first, so a job's own variable of that name wins as with every predefined one.
            let mut env = env;
            env.insert(0, ("CI_JOB_STARTED_AT".to_string(), iso_now()));
            let mut attempt = 0;
            loop {
                attempt += 1;
                let input = JobInput { job: &job, env: env.clone(), artifacts_from: artifacts_from.clone(), attempt, timeout };
                let end = job::run_attempt(&ctx, input).await;
                if let AttemptEnd::System(message) = &end {
                    ctx.say(&job.name, &format!("ERROR: {message}"));
                }
                if end == AttemptEnd::Exited(0) || !retries(&job.retry, &end, attempt) {
                    return Finished { index: i, end, attempts: attempt, duration_secs: started.elapsed().as_secs_f64() };
                }
                ctx.say(&job.name, &format!("Retrying the job (attempt {} of {})", attempt + 1, job.retry.max as u32 + 1));
            }
        });
    }

    fn finish(&mut self, done: Finished) {
        let job = &self.pipeline.jobs[done.index];
        let record = &mut self.records[done.index];
        record.attempts = done.attempts;
        record.duration_secs = done.duration_secs;
        let (status, code, reason) = match &done.end {
            AttemptEnd::Exited(0) => (JobStatus::Success, Some(0), None),
            AttemptEnd::Exited(code) => (JobStatus::Failed, Some(*code), Some(format!("the script exited with code {code}"))),
            AttemptEnd::TimedOut => (JobStatus::Failed, None, Some("the job took longer than its timeout".into())),
            AttemptEnd::System(message) => (JobStatus::Failed, None, Some(message.clone())),
        };
        record.state.status = status;
        record.exit_code = code;
        record.reason = reason;
        record.state.allowed_failure = status == JobStatus::Failed
            && match &job.allow_failure {
                AllowFailure::No => false,
                AllowFailure::Yes => true,
                AllowFailure::ExitCodes(codes) => code.is_some_and(|c| codes.iter().any(|&x| x as i64 == c)),
            };
        self.emit_status(done.index);
    }

    /// The job's variables plus the dotenv reports of the jobs whose artifacts it gets
    /// (above the file's variables, below the run's own, as GitLab ranks them).
    fn environment(&self, i: usize) -> Vec<(String, String)> {
        let job = &self.pipeline.jobs[i];
        let mut dotenv = Vec::new();
        for dir in self.artifact_sources_dirs(i) {
            if let Ok(text) = std::fs::read_to_string(dir.join("dotenv")) {
                dotenv.extend(files::parse_dotenv(&text).into_iter().map(|(name, value)| Variable {
                    name,
                    value,
                    expand: false,
                    masked: false,
                    origin: VariableOrigin::Dotenv,
                }));
            }
        }
        let at = job.variables.iter().position(|v| v.origin == VariableOrigin::Run).unwrap_or(job.variables.len());
        let mut vars = job.variables.clone();
        vars.splice(at..at, dotenv);
        let created = Variable {
            name: "CI_PIPELINE_CREATED_AT".into(),
            value: self.created_at.clone(),
            expand: false,
            masked: false,
            origin: VariableOrigin::Predefined,
        };
        vars.insert(0, created);
        super::expand::environment(&vars)
    }

    /// The jobs whose artifacts job `i` downloads (GitLab's `dependencies`/`needs` rules).
    fn dependency_indices(&self, i: usize) -> Vec<usize> {
        let jobs = &self.pipeline.jobs;
        let job = &jobs[i];
        let by_name = |n: &str| jobs.iter().position(|j| j.name == n);
        match (&job.dependencies, &job.needs) {
            (Some(deps), _) => deps.iter().filter_map(|d| by_name(d)).collect(),
            (None, Some(needs)) => needs.iter().filter(|n| n.artifacts).filter_map(|n| by_name(&n.job)).collect(),
            (None, None) => (0..jobs.len()).filter(|&k| jobs[k].stage_index < job.stage_index).collect(),
        }
    }

    fn artifact_sources_dirs(&self, i: usize) -> Vec<PathBuf> {
        self.dependency_indices(i).into_iter().map(|k| self.records[k].dir.clone()).collect()
    }

    fn artifact_sources(&self, i: usize) -> Vec<PathBuf> {
        self.artifact_sources_dirs(i).into_iter().map(|d| d.join("artifacts")).filter(|d| d.is_dir()).collect()
    }

    fn emit_status(&self, i: usize) {
        let r = &self.records[i];
        let _ = self.ctx.events.send(RunEvent::Status {
            job: self.pipeline.jobs[i].name.clone(),
            status: r.state.status,
            allowed_failure: r.state.allowed_failure,
            reason: r.reason.clone(),
        });
    }

    fn publish(&self, done: bool) {
        let summary = self.summary_now();
        if done {
            let _ = self.ctx.events.send(RunEvent::Finished { status: summary.status });
            if let Ok(json) = serde_json::to_vec_pretty(&summary) {
                let _ = std::fs::write(self.options.run_dir.join("summary.json"), json);
            }
        }
        self.summary.send_replace(Some(summary));
    }

    fn summary_now(&self) -> RunSummary {
        let jobs: Vec<JobOutcome> = self
            .pipeline
            .jobs
            .iter()
            .zip(&self.records)
            .map(|(j, r)| JobOutcome {
                name: j.name.clone(),
                status: r.state.status,
                allowed_failure: r.state.allowed_failure,
                exit_code: r.exit_code,
                attempts: r.attempts,
                reason: r.reason.clone(),
                duration_secs: r.duration_secs,
            })
            .collect();
        let status = if self.cancel.is_cancelled() {
            JobStatus::Canceled
        } else if jobs.iter().any(|j| j.status == JobStatus::Failed && !j.allowed_failure) {
            JobStatus::Failed
        } else if jobs.iter().any(|j| !j.status.is_final() && j.status != JobStatus::Manual) {
            JobStatus::Running
        } else {
            JobStatus::Success
        };
        RunSummary { id: self.ctx.id.clone(), status, jobs }
    }
}

/// Whether `retry:` calls for another attempt after `end` (attempt `attempt` just ended).
fn retries(retry: &super::model::Retry, end: &AttemptEnd, attempt: u32) -> bool {
    if attempt > retry.max as u32 {
        return false;
    }
    let kinds: &[RetryWhen] = match end {
        AttemptEnd::Exited(0) => return false,
        AttemptEnd::Exited(_) => &[RetryWhen::ScriptFailure],
        AttemptEnd::TimedOut => &[RetryWhen::StuckOrTimeoutFailure, RetryWhen::JobExecutionTimeout],
        AttemptEnd::System(_) => &[RetryWhen::RunnerSystemFailure, RetryWhen::UnknownFailure],
    };
    let kind_ok = retry.when.is_empty() || retry.when.contains(&RetryWhen::Always) || retry.when.iter().any(|w| kinds.contains(w));
    let code_ok = match end {
        AttemptEnd::Exited(code) if !retry.exit_codes.is_empty() => retry.exit_codes.iter().any(|&c| c as i64 == *code),
        _ => true,
    };
    kind_ok && code_ok
}

/// Outcomes kept by an earlier run (for a partial re-run).
fn read_summary(run_dir: &Path) -> HashMap<String, (JobStatus, bool)> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Kept {
        jobs: Vec<KeptJob>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct KeptJob {
        name: String,
        status: JobStatus,
        allowed_failure: bool,
    }
    std::fs::read(run_dir.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Kept>(&b).ok())
        .map(|k| k.jobs.into_iter().map(|j| (j.name, (j.status, j.allowed_failure))).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::model::Retry;

    #[test]
    fn retry_follows_max_when_and_exit_codes() {
        let any = Retry { max: 2, when: vec![], exit_codes: vec![] };
        assert!(retries(&any, &AttemptEnd::Exited(1), 1) && retries(&any, &AttemptEnd::Exited(1), 2));
        assert!(!retries(&any, &AttemptEnd::Exited(1), 3));
        let timeouts = Retry { max: 1, when: vec![RetryWhen::StuckOrTimeoutFailure], exit_codes: vec![] };
        assert!(retries(&timeouts, &AttemptEnd::TimedOut, 1) && !retries(&timeouts, &AttemptEnd::Exited(1), 1));
        let codes = Retry { max: 1, when: vec![], exit_codes: vec![137] };
        assert!(retries(&codes, &AttemptEnd::Exited(137), 1) && !retries(&codes, &AttemptEnd::Exited(1), 1));
    }
}
