//! What a pipeline run is given, what it reports while it runs, and what it ends with.

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// How jobs may reach a Docker engine. Asked once per project by the UI; a pipeline that
/// needs one of these and was not granted it does not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// Start Docker-in-Docker services (`docker:dind` and the like) with the privileges they need.
    pub privileged_services: bool,
    /// Bind the host engine's socket into job containers (the runner's socket binding).
    pub host_engine_socket: bool,
}

/// Everything a run needs besides the pipeline.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's folder: artifacts and job logs are kept here (under Berth's data folder,
    /// never in the user's project).
    pub run_dir: PathBuf,
    /// Jobs without `image:` run in this one.
    pub default_image: String,
    /// Jobs running at once; the default is the number of CPUs.
    pub concurrency: usize,
    /// For jobs without `timeout:` (GitLab's default: 1 hour).
    pub default_timeout: Duration,
    /// How long a service may take to open its ports before the job goes on without it.
    pub service_wait: Duration,
    /// The most of a job's folder copied out to pick its artifacts.
    pub max_download: u64,
    pub consent: Consent,
    /// Re-run only these jobs (with the others' outcomes and kept artifacts read from
    /// `previous`); `None`: the whole pipeline.
    pub only: Option<Vec<String>>,
    /// The folder of the run whose artifacts and outcomes a partial re-run reuses.
    pub previous: Option<PathBuf>,
}

impl RunOptions {
    pub fn new(run_dir: PathBuf) -> RunOptions {
        RunOptions {
            run_dir,
            default_image: "berth-test/debian:bookworm".into(),
            concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            default_timeout: Duration::from_secs(3600),
            service_wait: Duration::from_secs(30),
            max_download: super::engine_ops::MAX_DOWNLOAD,
            consent: Consent::default(),
            only: None,
            previous: None,
        }
    }
}

/// A job's state in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum JobStatus {
    /// Waiting for earlier jobs (or for a free slot or its resource group).
    Created,
    /// A `when: manual` job whose prerequisites are met; it waits for [`RunHandle::play`](super::RunHandle::play).
    Manual,
    /// A `when: delayed` job counting down.
    Scheduled,
    Running,
    Success,
    Failed,
    /// Not run: an earlier outcome did not call for it (`on_success` after a failure, …).
    Skipped,
    Canceled,
}

impl JobStatus {
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Success | JobStatus::Failed | JobStatus::Skipped | JobStatus::Canceled)
    }
}

/// Where a log chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PipelineLogStream")]
#[serde(rename_all = "camelCase")]
pub enum LogStream {
    Stdout,
    Stderr,
    /// Berth's own lines about the job (services, artifacts, cache, retries).
    System,
}

/// A live fact about a run, in order. Log text is already masked.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename = "PipelineEvent")]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RunEvent {
    Status {
        job: String,
        status: JobStatus,
        /// Failed but allowed to fail (GitLab's orange "warning").
        allowed_failure: bool,
        /// Why it failed or was skipped, as a sentence.
        reason: Option<String>,
    },
    Log {
        job: String,
        stream: LogStream,
        bytes: Vec<u8>,
    },
    Finished {
        status: JobStatus,
    },
}

/// How one job ended.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct JobOutcome {
    pub name: String,
    pub status: JobStatus,
    pub allowed_failure: bool,
    pub exit_code: Option<i64>,
    pub attempts: u32,
    pub reason: Option<String>,
    /// Seconds the job ran (all attempts).
    pub duration_secs: f64,
}

/// How the run ended: `Success` (failures all allowed), `Failed` or `Canceled`.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub status: JobStatus,
    pub jobs: Vec<JobOutcome>,
}

impl RunSummary {
    pub fn job(&self, name: &str) -> Option<&JobOutcome> {
        self.jobs.iter().find(|j| j.name == name)
    }
}
