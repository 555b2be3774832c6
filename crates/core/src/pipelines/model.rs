//! The resolved pipeline: what the loader makes of `.gitlab-ci.yml` and the executor runs.
//! Everything here is final: `extends`, `default:`, anchors, `!reference`, `include:`,
//! `parallel`, `rules`/`only`/`except` and `needs` are already applied, so the executor never
//! reads YAML. The names are the contract between loading (`load/`) and running (`run/`).

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// A pipeline as GitLab would create it for the folder's current commit.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// The root pipeline file (`<project>/.gitlab-ci.yml` unless another was asked for).
    pub file: PathBuf,
    pub project: Project,
    /// `workflow:name`, expanded.
    pub name: Option<String>,
    /// `Some` when `workflow:rules` create no pipeline: nothing runs, and this says why.
    pub blocked_by_workflow: Option<Reason>,
    /// In order; the default is `.pre build test deploy .post`. `.pre`/`.post` are always
    /// first/last, also when the file lists other stages.
    pub stages: Vec<String>,
    /// Every visible job after `parallel` expansion, in file order, including those that will
    /// not run (`when: never`, with the reason): the UI shows why.
    pub jobs: Vec<Job>,
    /// The files read: the root file, then each `include:local`, in the order they were read.
    pub sources: Vec<PathBuf>,
}

/// Where the project is on the host and where jobs see it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename = "PipelineProject")]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The folder on the host (canonical).
    pub root: PathBuf,
    /// `namespace/name` (`CI_PROJECT_PATH`), from the `origin` remote, else `local/<folder>`.
    pub path: String,
    pub namespace: String,
    pub name: String,
    /// `/builds/<namespace>/<name>` (`CI_PROJECT_DIR`): where the executor puts the files.
    pub builds_dir: String,
}

/// One job as it will run.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename = "PipelineJob")]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// The final name: `test`, `test 1/3` (`parallel: 3`), `test: [linux, amd64]` (matrix).
    pub name: String,
    /// The key in the file, before `parallel` expansion.
    pub base_name: String,
    /// The file and 1-based line of the job's key.
    pub file: PathBuf,
    pub line: Option<usize>,
    pub stage: String,
    /// Index of `stage` in [`Pipeline::stages`].
    pub stage_index: usize,
    /// `None`: the executor's default image.
    pub image: Option<Image>,
    pub services: Vec<Service>,
    /// Flattened (nested lists joined), not yet expanded: the job's shell expands them.
    pub before_script: Vec<String>,
    pub script: Vec<String>,
    pub after_script: Vec<String>,
    /// Everything the job's environment gets, lowest precedence first (later entries with the
    /// same name win): predefined, global, `workflow:rules:variables`, job, matrix,
    /// `rules:variables`, run-time variables. `reports:dotenv` of earlier jobs go in at run time
    /// just before the `Run` entries (GitLab ranks them above job variables, below run ones).
    /// Values with `expand: true` are expanded against the entries before them
    /// ([`environment`](super::expand::environment)), as the runner does.
    pub variables: Vec<Variable>,
    pub when: When,
    /// What decided `when` (a rule, `only`/`except`, the job's own `when`, the default).
    pub reason: Reason,
    pub allow_failure: AllowFailure,
    /// `None`: the job waits for every job of earlier stages. `Some(vec![])`: starts at once.
    /// Names are final job names (a need of a `parallel` job lists every instance).
    pub needs: Option<Vec<Need>>,
    /// Jobs whose artifacts are downloaded. `None`: all jobs of earlier stages (or of `needs`
    /// with `artifacts: true` when `needs` is set). Final job names.
    pub dependencies: Option<Vec<String>>,
    pub artifacts: Option<Artifacts>,
    pub caches: Vec<Cache>,
    pub retry: Retry,
    /// The job's `timeout:` (`None`: the executor's default, GitLab's is 1 h).
    #[serde(with = "secs_opt")]
    #[specta(type = Option<u64>)]
    pub timeout: Option<Duration>,
    pub interruptible: bool,
    /// Jobs with the same group never run at the same time (expanded).
    pub resource_group: Option<String>,
    /// `coverage:` regex source, without the surrounding slashes; already checked to compile.
    pub coverage: Option<String>,
    pub environment: Option<Environment>,
    /// Keys of the job Berth reads but does not act on (`tags`, `secrets`, `release`, reports
    /// other than dotenv as `artifacts:reports:junit`, …), for the UI to list as ignored.
    pub ignored: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The reference as written, variables expanded (`docker:27`, `$CI_REGISTRY/x:1`).
    pub name: String,
    /// `None`: the image's own entrypoint. `Some(vec![])` (`entrypoint: [""]`): none.
    pub entrypoint: Option<Vec<String>>,
    /// Empty: the executor's default (`always` on GitLab; Berth uses `if-not-present`).
    pub pull_policy: Vec<PullPolicy>,
    /// `docker: user:`, expanded: who the container's processes run as (`None`: the image's
    /// own user).
    pub user: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub image: Image,
    /// `alias:` split on commas and spaces, as the runner does (GitLab ≥ 15.7). The runner's
    /// derived names (`docker:dind` → `docker`) are added by the executor, not listed here.
    pub aliases: Vec<String>,
    /// `None`: the image's `CMD`.
    pub command: Option<Vec<String>>,
    /// The service's own `variables:` (they come after the job's).
    pub variables: Vec<Variable>,
}

/// One environment variable of a job or service.
#[derive(Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PipelineVariable")]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    pub name: String,
    /// For a masked variable this is the secret (read from the keychain by the caller); it is
    /// never logged (see `Debug`) and must be replaced by `[MASKED]` in every log line.
    pub value: String,
    /// `false` for `expand: false` (and for predefined values): `$X` in it stays literal.
    pub expand: bool,
    pub masked: bool,
    pub origin: VariableOrigin,
}

impl std::fmt::Debug for Variable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.masked { "[MASKED]" } else { self.value.as_str() };
        write!(f, "{}={value:?} ({:?}{})", self.name, self.origin, if self.expand { "" } else { ", raw" })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum VariableOrigin {
    /// `CI_*`, `GITLAB_*`, `CI=true` (a runner's own).
    Predefined,
    /// Top-level `variables:`.
    Global,
    /// The job's `variables:` (after `extends`/`default`).
    Job,
    /// `variables:` of the `rules` entry (or `workflow:rules` entry) that matched.
    Rule,
    /// `parallel:matrix` values of this instance.
    Matrix,
    /// Given for this run (the variables dialog, keychain-backed when masked).
    Run,
    /// `artifacts:reports:dotenv` of an earlier job (added by the executor).
    Dotenv,
}

/// When the job runs relative to earlier stages' outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PipelineWhen")]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum When {
    OnSuccess,
    OnFailure,
    Always,
    /// Waits for a click; `allow_failure` defaults to true for manual jobs outside `rules`.
    Manual,
    /// Like `on_success`, started `start_in` later.
    Delayed {
        #[serde(with = "secs")]
        #[specta(type = u64)]
        start_in: Duration,
    },
    /// Not in the pipeline; [`Job::reason`] says why.
    Never,
}

/// What decided a job's `when` (or that `workflow:rules` made no pipeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PipelineReason")]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Reason {
    /// No `rules`, `only` or `except`: the job's `when:` or GitLab's default `on_success`.
    Default,
    /// The `rules` entry at `index` (0-based) matched; `text` is that rule as written.
    Rule { index: usize, line: Option<usize>, text: String },
    /// The job has `rules` and none matched.
    NoRuleMatched,
    /// `only:` did not match (`text` says which part).
    Only { line: Option<usize>, text: String },
    /// `except:` matched.
    Except { line: Option<usize>, text: String },
    /// The job uses what a local run cannot do (`trigger:` downstream pipelines).
    Unsupported { text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "type", content = "exitCodes")]
pub enum AllowFailure {
    No,
    Yes,
    /// Only these exit codes make the failure allowed.
    ExitCodes(Vec<i32>),
}

/// A `needs:` edge (final job name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PipelineNeed")]
#[serde(rename_all = "camelCase")]
pub struct Need {
    pub job: String,
    /// `artifacts: false` → do not download its artifacts.
    pub artifacts: bool,
    /// `optional: true` and the job is not in the pipeline: the edge was dropped by the loader,
    /// so `optional` here only documents an edge that exists.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Artifacts {
    /// `artifacts:name` (default `artifacts`), not expanded.
    pub name: Option<String>,
    /// Globs relative to the project dir (`**` allowed), not expanded.
    pub paths: Vec<String>,
    pub exclude: Vec<String>,
    pub untracked: bool,
    pub when: ArtifactsWhen,
    /// Kept as written (`1 week`); Berth keeps artifacts per run until the run is deleted.
    pub expire_in: Option<String>,
    /// `reports:dotenv` files: loaded into later jobs' variables.
    pub dotenv: Vec<String>,
    /// Other `reports:` kinds (`junit`, `coverage_report`, …): listed, not processed.
    pub ignored_reports: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactsWhen {
    OnSuccess,
    OnFailure,
    Always,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Cache {
    pub key: CacheKey,
    pub paths: Vec<String>,
    pub untracked: bool,
    pub policy: CachePolicy,
    pub when: ArtifactsWhen,
    /// `fallback_keys:` tried in order when `key` has no cache yet.
    pub fallback_keys: Vec<String>,
}

/// A cache key before resolution: [`CacheKey::resolve`] turns it into the volume key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum CacheKey {
    /// `key: text` (default `default`); may contain `$VARS`, expanded with the job's variables.
    Text { text: String },
    /// `key:files` (1 or 2 files) with an optional `prefix`: GitLab keys it by the last commit
    /// that changed those files.
    Files { files: Vec<String>, prefix: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum CachePolicy {
    PullPush,
    Pull,
    Push,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Retry {
    /// 0..=2 retries after the first attempt.
    pub max: u8,
    /// Empty = any failure (`always`).
    pub when: Vec<RetryWhen>,
    /// `retry:exit_codes`: retry only on these codes (empty = any).
    pub exit_codes: Vec<i32>,
}

/// GitLab's failure kinds for `retry:when`. A local run can produce `ScriptFailure`,
/// `StuckOrTimeoutFailure`/`JobExecutionTimeout`, `RunnerSystemFailure`, `UnknownFailure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RetryWhen {
    Always,
    UnknownFailure,
    ScriptFailure,
    ApiFailure,
    StuckOrTimeoutFailure,
    RunnerSystemFailure,
    RunnerUnsupported,
    StaleSchedule,
    JobExecutionTimeout,
    ArchivedFailure,
    UnmetPrerequisites,
    SchedulerFailure,
    DataIntegrityFailure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// Expanded.
    pub name: String,
    pub url: Option<String>,
}

pub use crate::problem::PipelineError;

/// A sentence for the history and the job panel (the UI words the same facts itself when it has
/// the loaded pipeline).
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = |line: &Option<usize>| line.map(|l| format!(", line {l}")).unwrap_or_default();
        match self {
            Reason::Default => f.write_str("Its own `when:` (or GitLab's default) decided."),
            Reason::Rule { index, line, text } => write!(f, "Rule {}{} matched: {text}", index + 1, at(line)),
            Reason::NoRuleMatched => f.write_str("None of its rules matched, so it is not in this pipeline."),
            Reason::Only { line, text } => write!(f, "only: did not match ({text}){}.", at(line)),
            Reason::Except { line, text } => write!(f, "except: matched ({text}){}.", at(line)),
            Reason::Unsupported { text } => write!(f, "Not available in a local run: {text}"),
        }
    }
}

mod secs {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
}

mod secs_opt {
    pub fn serialize<S: serde::Serializer>(d: &Option<std::time::Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }
}
