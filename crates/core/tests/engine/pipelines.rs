//! Pipeline runs against the real engine, in the offline Debian test image
//! (scripts/ci-images.sh): artifacts and needs, dotenv, services and their names, after_script,
//! allow_failure, retry, timeout, manual jobs, caches across runs, cancel, masking, cleanup.

use super::support::*;
use berth_core::pipelines::model::*;
use berth_core::pipelines::run::{self, JobStatus, LogStream, RunEvent, RunOptions, RunSummary};
use berth_core::Engine;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const DEBIAN: &str = "berth-test/debian:bookworm";

/// The offline test images, built once per clone (cached under target/ci-images).
pub fn ci_image(which: &str) {
    static DEBIAN_DONE: OnceLock<()> = OnceLock::new();
    static DIND_DONE: OnceLock<()> = OnceLock::new();
    let once = if which == "dind" { &DIND_DONE } else { &DEBIAN_DONE };
    once.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/ci-images.sh");
        let ok = Command::new("bash").arg(script).arg(which).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "could not build the {which} test image with {script}");
    });
}

/// A git repository with `files` committed and a GitLab-like origin.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (path, body) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        let git = |args: &[&str]| {
            let out = Command::new("git").arg("-C").arg(dir.path()).args(args).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["add", "-A"]);
        git(&["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init"]);
        git(&["remote", "add", "origin", "git@gitlab.example.com:group/demo.git"]);
        Project { dir }
    }

    pub fn root(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap()
    }

    pub fn pipeline(&self, stages: &[&str], jobs: Vec<Job>) -> Pipeline {
        let stages: Vec<String> = stages.iter().map(|s| s.to_string()).collect();
        let jobs = jobs
            .into_iter()
            .map(|mut j| {
                j.stage_index = stages.iter().position(|s| *s == j.stage).expect("a known stage");
                j
            })
            .collect();
        Pipeline {
            file: self.root().join(".gitlab-ci.yml"),
            project: berth_core::pipelines::model::Project {
                root: self.root(),
                path: "group/demo".into(),
                namespace: "group".into(),
                name: "demo".into(),
                builds_dir: "/builds/group/demo".into(),
            },
            name: None,
            blocked_by_workflow: None,
            stages,
            jobs,
            sources: vec![],
        }
    }
}

pub fn var(name: &str, value: &str) -> Variable {
    Variable { name: name.into(), value: value.into(), expand: true, masked: false, origin: VariableOrigin::Job }
}

pub fn job(name: &str, stage: &str, script: &[&str]) -> Job {
    Job {
        name: name.into(),
        base_name: name.into(),
        file: PathBuf::from(".gitlab-ci.yml"),
        line: None,
        stage: stage.into(),
        stage_index: 0,
        image: None,
        services: vec![],
        before_script: vec![],
        script: script.iter().map(|s| s.to_string()).collect(),
        after_script: vec![],
        variables: vec![
            Variable {
                name: "CI_PROJECT_DIR".into(),
                value: "/builds/group/demo".into(),
                expand: false,
                masked: false,
                origin: VariableOrigin::Predefined,
            },
            Variable { name: "CI_JOB_NAME".into(), value: name.into(), expand: false, masked: false, origin: VariableOrigin::Predefined },
        ],
        when: When::OnSuccess,
        reason: Reason::Default,
        allow_failure: AllowFailure::No,
        needs: None,
        dependencies: None,
        artifacts: None,
        caches: vec![],
        retry: Retry { max: 0, when: vec![], exit_codes: vec![] },
        timeout: None,
        interruptible: false,
        resource_group: None,
        coverage: None,
        environment: None,
        ignored: vec![],
    }
}

/// `artifacts: paths:` as a job's kept files, on success.
pub fn kept(paths: &[&str]) -> Artifacts {
    Artifacts {
        name: None,
        paths: paths.iter().map(|p| p.to_string()).collect(),
        exclude: vec![],
        untracked: false,
        when: ArtifactsWhen::OnSuccess,
        expire_in: None,
        dotenv: vec![],
        ignored_reports: vec![],
    }
}

pub fn image(name: &str) -> Image {
    Image { name: name.into(), entrypoint: None, pull_policy: vec![], user: None }
}

pub fn options(dir: &Path) -> RunOptions {
    let mut o = RunOptions::new(dir.to_path_buf());
    o.default_image = DEBIAN.into();
    o.concurrency = 2;
    o
}

/// A run to its first idle point, with every event it sent.
pub struct Ran {
    pub summary: RunSummary,
    pub events: Vec<RunEvent>,
    pub run_dir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Ran {
    pub fn log(&self, job: &str) -> String {
        std::fs::read_to_string(run::job_dir(&self.run_dir, job).join("log.txt")).unwrap_or_default()
    }
    pub fn status(&self, job: &str) -> JobStatus {
        self.summary.job(job).unwrap_or_else(|| panic!("no job {job}")).status
    }
    pub fn streamed(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                RunEvent::Log { bytes, .. } => Some(String::from_utf8_lossy(bytes).into_owned()),
                _ => None,
            })
            .collect()
    }
}

pub async fn run_pipeline(pipeline: Pipeline, tweak: impl FnOnce(&mut RunOptions)) -> Ran {
    run_pipeline_on(&engine().await, pipeline, tweak).await
}

pub async fn run_pipeline_on(engine: &Engine, pipeline: Pipeline, tweak: impl FnOnce(&mut RunOptions)) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    let mut o = options(&run_dir);
    tweak(&mut o);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handle = run::start(engine, pipeline, o, tx).await.expect("the run starts");
    let summary = tokio::time::timeout(Duration::from_secs(300), handle.wait()).await.expect("the run ends within 5 minutes");
    drop(handle);
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    assert_nothing_left(&summary.id);
    Ran { summary, events, run_dir, _dir: dir }
}

/// No container, network or volume of the run is left.
pub fn assert_nothing_left(run_id: &str) {
    let label = format!("label=dev.berth.pipeline={run_id}");
    for kind in ["container", "network", "volume"] {
        let mut args = vec![kind, "ls", "-q", "--filter", &label];
        if kind == "container" {
            args.insert(2, "-a");
        }
        let left = docker(&args);
        assert!(left.is_empty(), "the run left {kind}s: {left}");
    }
}

fn skip_unless(test: &str) -> bool {
    if !enabled(test) {
        return false;
    }
    ci_image("debian");
    true
}

#[tokio::test]
async fn stages_needs_artifacts_and_dotenv() {
    if skip_unless("stages_needs_artifacts_and_dotenv") {
        artifacts_and_dotenv(&engine().await, true).await;
    }
}

/// On an engine that does not see this machine's files, kept artifacts cannot be bind-mounted:
/// they go with the job's files.
#[tokio::test]
async fn artifacts_reach_jobs_on_an_engine_elsewhere() {
    if skip_unless("artifacts_reach_jobs_on_an_engine_elsewhere") {
        artifacts_and_dotenv(&remote_engine().await, false).await;
    }
}

/// `bound`: jobs find the artifacts they get bind-mounted (a local engine).
async fn artifacts_and_dotenv(engine: &Engine, bound: bool) {
    let p = Project::new(&[("src/app.txt", "tracked\n"), (".gitignore", "secret.txt\n")]);
    std::fs::write(p.dir.path().join("secret.txt"), "not tracked").unwrap();
    std::fs::write(p.dir.path().join("loose.txt"), "not committed").unwrap();
    let mut build = job(
        "build",
        "build",
        &[
            "test \"$PWD\" = /builds/group/demo",
            "test -f src/app.txt && test ! -e secret.txt && test ! -e loose.txt",
            "mkdir -p dist/deep && echo built > dist/app.txt && echo map > dist/deep/app.map",
            "echo 'VERSION=1.2.3' > build.env",
        ],
    );
    build.artifacts = Some(Artifacts {
        name: None,
        paths: vec!["dist/".into()],
        exclude: vec!["**/*.map".into()],
        untracked: false,
        when: ArtifactsWhen::OnSuccess,
        expire_in: None,
        dotenv: vec!["build.env".into()],
        ignored_reports: vec![],
    });
    let mounted = if bound { "test -d /berth-ci-artifacts/0" } else { "test ! -e /berth-ci-artifacts" };
    let mut test = job("test", "test", &["cat dist/app.txt", "test ! -e dist/deep/app.map", "echo \"version=$VERSION\"", mounted]);
    test.needs = Some(vec![Need { job: "build".into(), artifacts: true, optional: false }]);
    let mut blind = job("blind", "test", &["test ! -e dist/app.txt"]);
    blind.needs = Some(vec![Need { job: "build".into(), artifacts: false, optional: false }]);
    // A second build job: jobs that get both sets see its file where they overlap (later wins).
    let mut build2 = job("build2", "build", &["mkdir -p dist && echo built2 > dist/app.txt && echo two > dist/two.txt"]);
    build2.artifacts = Some(Artifacts { paths: vec!["dist/".into()], dotenv: vec![], ..build.artifacts.clone().unwrap() });
    let deploy = job("deploy", "deploy", &["cat dist/app.txt dist/two.txt", "test ! -e dist/deep/app.map"]);
    // A job that runs as another user than root (`docker:user`, or the image's USER) gets them too.
    let mut nobody = job("nobody", "test", &["test \"$(id -u)\" = 65534", "cat dist/app.txt", "echo more > dist/mine.txt"]);
    nobody.needs = Some(vec![Need { job: "build".into(), artifacts: true, optional: false }]);
    nobody.image = Some(Image { user: Some("65534:65534".into()), ..image(DEBIAN) });
    // Its main process runs after_script too, as that user.
    nobody.after_script = vec!["echo \"after as $(id -u): $CI_JOB_STATUS\"".into()];
    let jobs = vec![build, build2, test, blind, nobody, deploy];
    let ran = run_pipeline_on(engine, p.pipeline(&["build", "test", "deploy"], jobs), |_| {}).await;
    for j in ["build", "build2", "test", "blind", "nobody", "deploy"] {
        assert_eq!(ran.status(j), JobStatus::Success, "{j}: {}", ran.log(j));
    }
    assert_eq!(ran.summary.status, JobStatus::Success);
    let log = ran.log("nobody");
    assert!(log.contains("after as 65534: success") && !log.contains("WARNING"), "{log}");
    let log = ran.log("test");
    assert!(log.contains("$ cat dist/app.txt") && log.contains("built") && log.contains("version=1.2.3"), "{log}");
    // Kept in the run folder, never in the project.
    let kept = run::job_dir(&ran.run_dir, "build").join("artifacts");
    assert!(kept.join("dist/app.txt").is_file() && !kept.join("dist/deep/app.map").exists());
    assert!(!p.dir.path().join("dist").exists());
    let log = ran.log("deploy");
    assert!(log.contains("built2") && log.contains("two") && !log.contains("\nbuilt\n"), "{log}");
    // The volumes that handed the artifacts on went with the run.
    assert_nothing_left(&ran.summary.id);
}

/// A runner's job folder is a shallow clone: `git` works in it, at the pipeline's commit.
#[tokio::test]
async fn jobs_find_a_git_folder_at_the_pipelines_commit() {
    if !skip_unless("jobs_find_a_git_folder_at_the_pipelines_commit") {
        return;
    }
    let script = [
        "test \"$(git rev-parse HEAD)\" = \"$CI_COMMIT_SHA\"",
        "test \"$(git rev-parse --is-shallow-repository)\" = true",
        "test \"$(git rev-parse origin/main)\" = \"$CI_COMMIT_SHA\"",
        "echo \"title=$(git log -1 --format=%s)\"",
        "echo \"status=$(git status --porcelain | tr '\\n' ' ')\"",
        "echo \"origin=$(git remote get-url origin)\"",
        "echo \"at=$CI_JOB_STARTED_AT created=$CI_PIPELINE_CREATED_AT\"",
        "echo made > new.txt",
    ]
    .map(|l| format!("    - '{}'\n", l.replace('\'', "''")))
    .concat();
    let yaml = format!("job:\n  image: {DEBIAN}\n  artifacts:\n    untracked: true\n  script:\n{script}");
    let p = Project::new(&[(".gitlab-ci.yml", &yaml), ("src/app.txt", "committed\n")]);
    std::fs::write(p.dir.path().join("src/app.txt"), "changed, not committed\n").unwrap();
    let options = berth_core::pipelines::LoadOptions { root: p.root(), pipeline_id: 1, ..Default::default() };
    let pipeline = berth_core::pipelines::load(&options).expect("the pipeline loads");
    let ran = run_pipeline(pipeline, |_| {}).await;
    let log = ran.log("job");
    assert_eq!(ran.status("job"), JobStatus::Success, "{log}");
    assert!(log.contains("title=init"), "{log}");
    // The job sees the work tree as it is on the host, against the commit.
    assert!(log.contains("status= M src/app.txt"), "{log}");
    assert!(log.contains("origin=https://gitlab.example.com/group/demo.git"), "{log}");
    assert!(regex_like_time(&log, "at=") && regex_like_time(&log, "created="), "{log}");
    // `untracked` artifacts are the job's new files, never the `.git` it was given.
    let kept = run::job_dir(&ran.run_dir, "job").join("artifacts");
    assert!(kept.join("new.txt").is_file() && !kept.join(".git").exists());
}

/// `<prefix>2026-12-02T16:20:00Z` somewhere in `log`.
fn regex_like_time(log: &str, prefix: &str) -> bool {
    log.split(prefix).skip(1).any(|rest| {
        let t = rest.get(..20).unwrap_or_default().as_bytes();
        t.len() == 20 && t[4] == b'-' && t[10] == b'T' && t[19] == b'Z'
    })
}

#[tokio::test]
async fn services_answer_by_derived_names_and_aliases() {
    if !skip_unless("services_answer_by_derived_names_and_aliases") {
        return;
    }
    // A service that never opens its exposed port is reported, not waited on forever.
    let silent = "berth-test/silent:1";
    if Command::new("docker").args(["image", "inspect", silent]).output().map(|o| !o.status.success()).unwrap_or(true) {
        let ctx = tempfile::tempdir().unwrap();
        std::fs::write(ctx.path().join("Dockerfile"), format!("FROM {IMAGE}\nEXPOSE 9999\nCMD [\"sleep\", \"600\"]\n")).unwrap();
        let out = Command::new("docker").args(["build", "-q", "-t", silent]).arg(ctx.path()).env("DOCKER_BUILDKIT", "0").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let p = Project::new(&[("README", "x")]);
    let mut j = job(
        "probe",
        "test",
        &[
            "getent hosts berth-test__busybox berth-test-busybox web berth-test__silent",
            "for i in $(seq 50); do (echo >/dev/tcp/web/80) 2>/dev/null && break; sleep 0.2; done",
            "exec 3<>/dev/tcp/web/80",
            "printf 'GET /etc/hostname HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3",
        ],
    );
    j.services = vec![
        Service {
            image: image(IMAGE),
            aliases: vec!["web".into()],
            command: Some(vec!["httpd".into(), "-f".into(), "-p".into(), "80".into(), "-h".into(), "/".into()]),
            variables: vec![],
        },
        Service { image: image(silent), aliases: vec![], command: None, variables: vec![] },
    ];
    let started = Instant::now();
    let ran = run_pipeline(p.pipeline(&["test"], vec![j]), |o| o.service_wait = Duration::from_secs(2)).await;
    let log = ran.log("probe");
    assert_eq!(ran.status("probe"), JobStatus::Success, "{log}");
    assert!(log.contains(" 200 OK"), "{log}");
    assert!(log.contains("Service berth-test/silent:1 did not open port 9999 within 2 s"), "{log}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test]
async fn after_script_allow_failure_retry_and_timeout() {
    if !skip_unless("after_script_allow_failure_retry_and_timeout") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let mut fails = job("fails", "test", &["echo before", "exit 3", "echo never"]);
    fails.after_script = vec!["echo \"after saw $CI_JOB_STATUS\"".into(), "exit 9".into()];
    fails.allow_failure = AllowFailure::ExitCodes(vec![3]);
    let mut flaky = job("flaky", "test", &["exit 1"]);
    flaky.retry = Retry { max: 2, when: vec![RetryWhen::ScriptFailure], exit_codes: vec![] };
    flaky.allow_failure = AllowFailure::Yes;
    let mut slow = job("slow", "test", &["echo start", "sleep 60"]);
    slow.timeout = Some(Duration::from_secs(3));
    slow.after_script = vec!["echo cleanup ran".into()];
    // Without after_script the script is the container's main process: the timeout kills the container.
    let mut slow_main = job("slow-main", "test", &["echo start", "sleep 60"]);
    slow_main.timeout = Some(Duration::from_secs(3));
    // The job's timeout covers its step, not after_script (which has a limit of its own).
    let mut late_cleanup = job("late-cleanup", "test", &["echo quick"]);
    late_cleanup.timeout = Some(Duration::from_secs(3));
    late_cleanup.after_script = vec!["sleep 5".into(), "echo cleaned up late".into()];
    let mut on_failure = job("notify", "report", &["echo notified"]);
    on_failure.when = When::OnFailure;
    let skipped = job("publish", "report", &["true"]);
    let started = Instant::now();
    let ran = run_pipeline(p.pipeline(&["test", "report"], vec![fails, flaky, slow, slow_main, late_cleanup, on_failure, skipped]), |o| {
        o.concurrency = 3
    })
    .await;

    let log = ran.log("fails");
    let outcome = ran.summary.job("fails").unwrap();
    assert_eq!((outcome.status, outcome.allowed_failure, outcome.exit_code), (JobStatus::Failed, true, Some(3)), "{log}");
    assert!(log.contains("before") && !log.contains("never") && log.contains("after saw failed"), "{log}");
    assert!(log.contains("after_script failed with exit code 9"), "{log}");

    let flaky = ran.summary.job("flaky").unwrap();
    assert_eq!((flaky.status, flaky.attempts, flaky.allowed_failure), (JobStatus::Failed, 3, true));
    assert_eq!(ran.log("flaky").matches("Retrying the job").count(), 2);

    let slow = ran.summary.job("slow").unwrap();
    assert_eq!(slow.status, JobStatus::Failed);
    assert!(slow.reason.as_deref().unwrap_or_default().contains("timeout"), "{slow:?}");
    assert!(ran.log("slow").contains("cleanup ran"), "{}", ran.log("slow"));
    let slow_main = ran.summary.job("slow-main").unwrap();
    assert_eq!(slow_main.status, JobStatus::Failed);
    assert!(slow_main.reason.as_deref().unwrap_or_default().contains("timeout"), "{slow_main:?}");
    assert!(ran.log("slow-main").contains("start"), "{}", ran.log("slow-main"));
    assert!(started.elapsed() < Duration::from_secs(50), "the timeout stopped the job");
    let late = ran.log("late-cleanup");
    assert_eq!(ran.status("late-cleanup"), JobStatus::Success, "{late}");
    assert!(late.contains("cleaned up late") && !late.contains("berth-step"), "{late}");

    assert_eq!(ran.status("notify"), JobStatus::Success);
    assert_eq!(ran.status("publish"), JobStatus::Skipped);
    assert_eq!(ran.summary.status, JobStatus::Failed);
}

#[tokio::test]
async fn manual_jobs_wait_for_play() {
    if !skip_unless("manual_jobs_wait_for_play") {
        return;
    }
    let engine = engine().await;
    let p = Project::new(&[("README", "x")]);
    let mut deploy = job("deploy", "deploy", &["echo deployed"]);
    deploy.when = When::Manual;
    deploy.allow_failure = AllowFailure::Yes;
    let pipeline = p.pipeline(&["build", "deploy"], vec![job("build", "build", &["true"]), deploy]);
    let dir = tempfile::tempdir().unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handle = run::start(&engine, pipeline, options(dir.path()), tx).await.unwrap();
    let idle = handle.wait().await;
    assert_eq!(idle.job("build").unwrap().status, JobStatus::Success);
    assert_eq!(idle.job("deploy").unwrap().status, JobStatus::Manual);
    assert_eq!(idle.status, JobStatus::Success, "an optional manual job does not hold the pipeline");
    handle.play("deploy");
    let done = tokio::time::timeout(Duration::from_secs(120), handle.wait()).await.unwrap();
    assert_eq!(done.job("deploy").unwrap().status, JobStatus::Success);
    assert_nothing_left(&done.id);
}

#[tokio::test]
async fn caches_persist_across_runs_and_clear() {
    if !skip_unless("caches_persist_across_runs_and_clear") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let pipeline = || {
        let mut j = job(
            "count",
            "build",
            &["mkdir -p .deps", "n=$(cat .deps/n 2>/dev/null || echo 0)", "echo $((n+1)) > .deps/n", "echo \"count=$(cat .deps/n)\""],
        );
        j.caches = vec![Cache {
            key: CacheKey::Text { text: "deps-$CI_JOB_NAME".into() },
            paths: vec![".deps/".into()],
            untracked: false,
            policy: CachePolicy::PullPush,
            when: ArtifactsWhen::OnSuccess,
            fallback_keys: vec![],
        }];
        let mut reader = job("reader", "test", &["echo \"seen=$(cat .deps/n)\"", "echo 99 > .deps/n"]);
        reader.caches = vec![Cache { policy: CachePolicy::Pull, key: CacheKey::Text { text: "deps-count".into() }, ..j.caches[0].clone() }];
        p.pipeline(&["build", "test"], vec![j, reader])
    };
    let engine = engine().await;
    run::clear_cache(&engine, &p.root()).await.unwrap();
    let first = run_pipeline(pipeline(), |_| {}).await;
    assert!(first.log("count").contains("count=1"), "{}", first.log("count"));
    assert!(first.log("reader").contains("seen=1"), "{}", first.log("reader"));
    let second = run_pipeline(pipeline(), |_| {}).await;
    assert!(second.log("count").contains("count=2"), "the pull policy did not write 99 back: {}", second.log("count"));
    let volume = run::cache_volume(&p.root(), "deps-count");
    assert_eq!(docker(&["volume", "ls", "-q", "--filter", &format!("name={volume}")]), volume);
    assert_eq!(run::clear_cache(&engine, &p.root()).await.unwrap(), 1);
    assert!(docker(&["volume", "ls", "-q", "--filter", &format!("name={volume}")]).is_empty());
}

/// `cache:untracked` keeps every file the job made that git does not track, and `**` globs
/// reach into any folder depth, as GitLab Runner's archiver picks them; the next run restores
/// exactly those (tracked files come from the project, not the cache).
#[tokio::test]
async fn caches_take_untracked_files_and_double_star_globs() {
    if !skip_unless("caches_take_untracked_files_and_double_star_globs") {
        return;
    }
    let p = Project::new(&[("src/lib.txt", "tracked\n")]);
    let pipeline = |key: &str, paths: &[&str], untracked: bool| {
        let mut j = job(
            "fill",
            "build",
            &[
                "echo \"restored: $(find . -type f ! -path ./src/lib.txt | LC_ALL=C sort | tr '\\n' ' ')| lib: $(cat src/lib.txt)\"",
                "mkdir -p a/b/c build && echo 1 > a/b/c/deep.o && echo 2 > a/top.o && echo 3 > build/out.txt && echo 4 > notes.md",
                "echo changed >> src/lib.txt",
            ],
        );
        j.caches = vec![Cache {
            key: CacheKey::Text { text: key.into() },
            paths: paths.iter().map(|s| s.to_string()).collect(),
            untracked,
            policy: CachePolicy::PullPush,
            when: ArtifactsWhen::OnSuccess,
            fallback_keys: vec![],
        }];
        p.pipeline(&["build"], vec![j])
    };
    let engine = engine().await;
    run::clear_cache(&engine, &p.root()).await.unwrap();
    for (key, paths, untracked, restored) in [
        ("globs", &["a/**/*.o"][..], false, "./a/b/c/deep.o ./a/top.o"),
        ("untracked", &[][..], true, "./a/b/c/deep.o ./a/top.o ./build/out.txt ./notes.md"),
    ] {
        let first = run_pipeline(pipeline(key, paths, untracked), |_| {}).await;
        assert_eq!(first.status("fill"), JobStatus::Success, "{}", first.log("fill"));
        let second = run_pipeline(pipeline(key, paths, untracked), |_| {}).await;
        let log = second.log("fill");
        assert!(log.contains(&format!("restored: {restored} | lib: tracked\n")), "{key}: {log}");
    }
    assert_eq!(run::clear_cache(&engine, &p.root()).await.unwrap(), 2);
}

#[tokio::test]
async fn cancel_removes_everything_the_run_made() {
    if !skip_unless("cancel_removes_everything_the_run_made") {
        return;
    }
    let engine = engine().await;
    let p = Project::new(&[("README", "x")]);
    let mut long = job("long", "test", &["echo started", "sleep 300"]);
    long.services = vec![Service {
        image: image(IMAGE),
        aliases: vec!["sidecar".into()],
        command: Some(vec!["sleep".into(), "300".into()]),
        variables: vec![],
    }];
    let later = job("later", "deploy", &["true"]);
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handle = run::start(&engine, p.pipeline(&["test", "deploy"], vec![long, later]), options(dir.path()), tx).await.unwrap();
    let started = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await.expect("the job logs") {
            Some(RunEvent::Log { stream: LogStream::Stdout, bytes, .. }) if String::from_utf8_lossy(&bytes).contains("started") => break,
            Some(_) => continue,
            None => panic!("the run ended before the job started"),
        }
    }
    let label = format!("label=dev.berth.pipeline={}", handle.id());
    assert!(!docker(&["ps", "-q", "--filter", &label]).is_empty(), "the job and its service run");
    handle.cancel();
    let summary = tokio::time::timeout(Duration::from_secs(60), handle.wait()).await.unwrap();
    assert_eq!(summary.status, JobStatus::Canceled);
    assert_eq!(summary.job("long").unwrap().status, JobStatus::Canceled);
    assert_eq!(summary.job("later").unwrap().status, JobStatus::Canceled);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_nothing_left(&summary.id);
}

#[tokio::test]
async fn masked_values_never_reach_logs() {
    if !skip_unless("masked_values_never_reach_logs") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let secret = "s3cr3t-Val-91x";
    let mut j = job("leak", "test", &["echo \"token=$TOKEN\"", "echo \"$TOKEN\" >&2"]);
    j.variables.push(Variable { name: "TOKEN".into(), value: secret.into(), expand: false, masked: true, origin: VariableOrigin::Run });
    let ran = run_pipeline(p.pipeline(&["test"], vec![j]), |_| {}).await;
    assert_eq!(ran.status("leak"), JobStatus::Success);
    let (log, streamed) = (ran.log("leak"), ran.streamed());
    assert!(log.contains("token=[MASKED]") && streamed.contains("token=[MASKED]"), "{log}");
    assert!(!log.contains(secret) && !streamed.contains(secret), "{log}");
}

/// `interruptible`: a newer run of the project cancels an older one whose started jobs are all
/// interruptible (GitLab's auto-cancel of redundant pipelines); a run that has started a job
/// that is not goes on to its end.
#[tokio::test]
async fn a_newer_run_cancels_only_interruptible_runs() {
    if !skip_unless("a_newer_run_cancels_only_interruptible_runs") {
        return;
    }
    let engine = engine().await;
    let p = Project::new(&[("README", "x")]);
    let start = |interruptible: bool| {
        // The interruptible job would run for minutes: only a cancel ends it in time.
        let sleep = if interruptible { "sleep 300" } else { "sleep 5" };
        let mut j = job("work", "test", &["echo started", sleep, "echo finished"]);
        j.interruptible = interruptible;
        let pipeline = p.pipeline(&["test"], vec![j]);
        let engine = engine.clone();
        async move {
            let dir = tempfile::tempdir().unwrap();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let handle = run::start(&engine, pipeline, options(dir.path()), tx).await.unwrap();
            loop {
                match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await.expect("the job logs") {
                    Some(RunEvent::Log { bytes, .. }) if String::from_utf8_lossy(&bytes).contains("started") => break,
                    Some(_) => continue,
                    None => panic!("the run ended before the job started"),
                }
            }
            (handle, dir)
        }
    };
    let (mut redundant, _d1) = start(true).await;
    let (mut kept, _d2) = start(false).await;
    let t = Instant::now();
    redundant.supersede();
    kept.supersede();
    let summary = tokio::time::timeout(Duration::from_secs(60), redundant.wait()).await.unwrap();
    assert_eq!(summary.status, JobStatus::Canceled, "{summary:?}");
    let reason = summary.job("work").unwrap().reason.clone().unwrap_or_default();
    assert!(reason.contains("newer run") && reason.contains("interruptible"), "{reason}");
    assert!(t.elapsed() < Duration::from_secs(60), "canceled at once, not after the job");
    assert_nothing_left(&summary.id);
    let summary = tokio::time::timeout(Duration::from_secs(60), kept.wait()).await.unwrap();
    assert_eq!(summary.status, JobStatus::Success, "a started job that is not interruptible keeps its run");
    assert_nothing_left(&summary.id);
}

#[tokio::test]
async fn cleanup_interrupted_removes_dead_runs_only() {
    if !skip_unless("cleanup_interrupted_removes_dead_runs_only") {
        return;
    }
    let engine = engine().await;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let pid = std::process::id();
    // A run whose process is gone (no such pid), one of this live process, one of another
    // live process (pid 1): only the first is removed.
    let (dead, live, other) = (format!("dead-{pid}"), format!("live-{pid}"), format!("other-{pid}"));
    let mk = |run: &str, owner: &str| {
        docker(&[
            "create",
            "--label",
            &format!("dev.berth.pipeline={run}"),
            "--label",
            &format!("dev.berth.pipeline.owner={owner}"),
            "--label",
            run_label(),
            IMAGE,
            "true",
        ])
    };
    mk(&dead, &format!("{host}:4194304999"));
    let live_id = mk(&live, &format!("{host}:{pid}"));
    let other_id = mk(&other, &format!("{host}:1"));
    docker(&[
        "network",
        "create",
        "--label",
        &format!("dev.berth.pipeline={dead}"),
        "--label",
        &format!("dev.berth.pipeline.owner={host}:4194304999"),
        &format!("berth-core-{dead}"),
    ]);
    // The engine pump of a neighbouring test may clean up first: count at most, check by label.
    let removed = run::cleanup_interrupted(&engine, std::slice::from_ref(&live)).await.unwrap();
    assert!(removed <= 2, "{removed}");
    assert_nothing_left(&dead);
    for (run, id) in [(&live, live_id), (&other, other_id)] {
        let kept = docker(&["ps", "-aq", "--filter", &format!("label=dev.berth.pipeline={run}")]);
        docker(&["rm", "-f", &id]);
        assert!(!kept.is_empty() && id.starts_with(&kept), "{run} was kept");
    }
}

#[tokio::test]
async fn rerun_one_job_reuses_kept_artifacts() {
    if !skip_unless("rerun_one_job_reuses_kept_artifacts") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let pipeline = || {
        let mut build = job("build", "build", &["mkdir -p out && date +%s%N > out/stamp"]);
        build.artifacts = Some(kept(&["out/"]));
        let mut test = job("test", "test", &["echo \"stamp=$(cat out/stamp)\""]);
        test.needs = Some(vec![Need { job: "build".into(), artifacts: true, optional: false }]);
        p.pipeline(&["build", "test"], vec![build, test])
    };
    let first = run_pipeline(pipeline(), |_| {}).await;
    let stamp = std::fs::read_to_string(run::job_dir(&first.run_dir, "build").join("artifacts/out/stamp")).unwrap();
    let previous = first.run_dir.clone();
    let again = run_pipeline(pipeline(), |o| {
        o.only = Some(vec!["test".into()]);
        o.previous = Some(previous);
    })
    .await;
    assert_eq!(again.status("build"), JobStatus::Success, "kept from the first run");
    assert_eq!(again.summary.job("build").unwrap().attempts, 0, "build did not run again");
    assert!(again.log("test").contains(&format!("stamp={}", stamp.trim())), "{}", again.log("test"));
}

#[tokio::test]
async fn resource_groups_serialise_and_delayed_jobs_wait() {
    if !skip_unless("resource_groups_serialise_and_delayed_jobs_wait") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let mut jobs = Vec::new();
    for name in ["deploy-a", "deploy-b"] {
        let mut j = job(name, "deploy", &["date +%s.%N", "sleep 2", "date +%s.%N"]);
        j.resource_group = Some("production".into());
        jobs.push(j);
    }
    let mut later = job("later", "deploy", &["true"]);
    later.when = When::Delayed { start_in: Duration::from_secs(2) };
    jobs.push(later);
    let ran = run_pipeline(p.pipeline(&["deploy"], jobs), |o| o.concurrency = 3).await;
    assert_eq!(ran.summary.status, JobStatus::Success);
    // Each job prints when it started and ended; the two deploys never overlap.
    let span = |job: &str| {
        let times: Vec<f64> = ran.log(job).lines().filter_map(|l| l.trim().parse().ok()).collect();
        (times[0], times[1])
    };
    let (a, b) = (span("deploy-a"), span("deploy-b"));
    assert!(a.1 <= b.0 || b.1 <= a.0, "deploys overlapped: {a:?} {b:?}");
    let scheduled = ran.events.iter().any(|e| matches!(e, RunEvent::Status { job, status: JobStatus::Scheduled, .. } if job == "later"));
    assert!(scheduled, "the delayed job was shown as scheduled");
}

#[tokio::test]
async fn missing_images_fail_the_job_with_a_sentence() {
    if !skip_unless("missing_images_fail_the_job_with_a_sentence") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let mut never = job("never", "test", &["true"]);
    never.image = Some(Image { name: "berth-test/not-here:1".into(), entrypoint: None, pull_policy: vec![PullPolicy::Never], user: None });
    let mut always = job("always", "test", &["echo local copy used"]);
    always.image = Some(Image { name: DEBIAN.into(), entrypoint: None, pull_policy: vec![PullPolicy::Always], user: None });
    let ran = run_pipeline(p.pipeline(&["test"], vec![never, always]), |_| {}).await;
    let never = ran.summary.job("never").unwrap();
    assert_eq!(never.status, JobStatus::Failed);
    assert!(never.reason.as_deref().unwrap_or_default().contains("its pull_policy is never"), "{never:?}");
    // Offline, `always` cannot pull: the local image is used and the log says so.
    let log = ran.log("always");
    assert_eq!(ran.status("always"), JobStatus::Success, "{log}");
    assert!(log.contains("WARNING: pulling berth-test/debian:bookworm failed") && log.contains("local copy used"), "{log}");
}

#[tokio::test]
async fn a_job_folder_over_the_download_cap_keeps_nothing_and_says_so() {
    if !skip_unless("a_job_folder_over_the_download_cap_keeps_nothing_and_says_so") {
        return;
    }
    let p = Project::new(&[("README", "x")]);
    let mut big = job("big", "build", &["head -c 3000000 /dev/zero > big.bin"]);
    big.artifacts = Some(kept(&["big.bin"]));
    let ran = run_pipeline(p.pipeline(&["build"], vec![big]), |o| o.max_download = 1 << 20).await;
    let big = ran.summary.job("big").unwrap();
    assert_eq!(big.status, JobStatus::Failed);
    assert!(big.reason.as_deref().unwrap_or_default().contains("holds more than 1 MB"), "{big:?}");
    let dir = run::job_dir(&ran.run_dir, "big");
    assert!(!dir.join("artifacts").exists() && !dir.join("project.tar").exists());
}

/// An image made from the Debian test image with `dockerfile_tail` after its `FROM`.
fn derived_image(name: &str, dockerfile_tail: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {DEBIAN}\n{dockerfile_tail}\n")).unwrap();
    let out = Command::new("docker").env("DOCKER_BUILDKIT", "0").args(["build", "-q", "-t", name]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "docker build {name}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A job's files (project, artifacts, scripts) reach it whatever its image: unpacked by the
/// image's tar from the main process's stdin, or uploaded by the engine when the image's user
/// is not root or its tar fails, and then the script runs once.
#[tokio::test]
async fn jobs_get_their_files_whatever_the_images_tar_and_user() {
    if !skip_unless("jobs_get_their_files_whatever_the_images_tar_and_user") {
        return;
    }
    let bad_tar = "berth-test/debian-bad-tar:1";
    derived_image(bad_tar, "RUN printf '#!/bin/sh\\nexit 2\\n' > /usr/local/bin/tar && chmod +x /usr/local/bin/tar");
    let nobody = "berth-test/debian-nobody:1";
    derived_image(nobody, "USER 65534");
    let p = Project::new(&[("src/app.txt", "tracked\n")]);
    let mut build = job("build", "build", &["mkdir -p dist && echo built > dist/app.txt"]);
    build.artifacts = Some(kept(&["dist/"]));
    let check = ["cat src/app.txt dist/app.txt", "echo \"ran as $(id -u)\""];
    let mut jobs = vec![build];
    for (name, img) in [("plain", DEBIAN), ("bad-tar", bad_tar), ("bad-tar-again", bad_tar), ("nobody", nobody)] {
        let mut j = job(name, "test", &check);
        j.image = Some(image(img));
        j.after_script = vec!["echo after".into()];
        jobs.push(j);
    }
    let ran = run_pipeline(p.pipeline(&["build", "test"], jobs), |o| o.concurrency = 1).await;
    for (name, uid) in [("plain", 0), ("bad-tar", 0), ("bad-tar-again", 0), ("nobody", 65534)] {
        let log = ran.log(name);
        assert_eq!(ran.status(name), JobStatus::Success, "{name}: {log}");
        assert!(log.contains("tracked") && log.contains("built") && log.contains(&format!("ran as {uid}")), "{name}: {log}");
        assert_eq!(log.matches("$ cat src/app.txt").count(), 1, "{name} ran once: {log}");
        assert_eq!(log.matches("\nafter\n").count(), 1, "{name}: {log}");
        assert!(!log.contains("berth-step"), "{name}: {log}");
    }
}
