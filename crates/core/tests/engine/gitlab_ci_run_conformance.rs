//! gitlab-ci-local's cases (../shared/conformance/gitlab-ci) run by Berth's executor: the
//! **run checks** the load harness (`gitlab_ci_conformance.rs`) leaves to the executor:
//! job output and status, jobs not run, artifacts, after_script. Images are replaced by the
//! local stand-ins (nothing can be pulled): every job image that is not on the engine runs as
//! `berth-test/debian:bookworm`; a test whose service image has no stand-in is counted as
//! "no stand-in", never dropped. Checks of upstream's own log format (`line_count`,
//! `log_line`, `cache_key`, …) and of copying artifacts back into the project (`project_file`,
//! which Berth does not do) are counted as "upstream format".

use super::conformance::dir;
use super::gitlab_ci_conformance::{gitlab_name, run_variables, scratch};
use super::pipelines::{ci_image, DEBIAN};
use super::support::*;
use berth_core::pipelines::model::{Image, Pipeline, When};
use berth_core::pipelines::run::{self, JobStatus, LogStream, RunEvent, RunOptions, RunSummary};
use berth_core::pipelines::{load, LoadOptions};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const RUN_KINDS: &[&str] = &[
    "job_output",
    "job_output_absent",
    "job_output_sequence",
    "job_output_exact",
    "job_output_not_all",
    "job_status",
    "jobs_not_run",
    "no_job_failed",
    "output_contains",
    "output_absent",
    "artifact_file",
    "after_script_failed",
    "completes",
];

/// Failing tests that are known, with the reason (a prefix of "case | title"). A configuration
/// the loader rejects is the load harness's to judge and is listed, not failed, here.
const KNOWN: &[(&str, &str)] = &[
    (
        "manual | manual <deploy-job> --needs",
        "GitLab blocks later stages on a manual job from rules (allow_failure: false); upstream runs them",
    ),
    (
        "manual | manual --manual <pre-job>",
        "GitLab blocks later stages on a manual job from rules (allow_failure: false); upstream runs them",
    ),
    ("image | image <test job>", "GCL_PROJECT_DIR_ON_HOST is upstream's own variable"),
    ("inherit | list of specific variables", "`env` prints in environ order, which neither GitLab nor Docker defines"),
    ("plain | plain", "GITLAB_USER_LOGIN: upstream's test host sets 'test'; Berth derives it from git"),
    ("variable-expansion | variable-expansion <test ${", "nested ${A_${B}} expansion: upstream extension, not GitLab's"),
    ("include-rules | ", "the rules test GITLAB_CI, which upstream sets to \"false\"; a GitLab runner (and Berth) sets \"true\", so the other include applies"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pass,
    Fail,
    /// A service image with no local stand-in, or a run option Berth has no equivalent for.
    NotApplicable,
    /// Only load or upstream-format checks: nothing for the executor.
    NoRunCheck,
}

fn image_present(name: &str) -> bool {
    Command::new("docker").args(["image", "inspect", name]).output().is_ok_and(|o| o.status.success())
}

/// Apply upstream's job selection (`jobs`, `needs`, `manual`) and map images to stand-ins;
/// `Err` says why the test cannot run here.
fn prepare(mut p: Pipeline, run: &Value) -> Result<Pipeline, String> {
    if let Some(selected) = run.get("jobs").and_then(Value::as_array) {
        let mut keep: HashSet<String> = HashSet::new();
        for name in selected.iter().filter_map(Value::as_str).map(gitlab_name) {
            // A `parallel` job's base name selects every instance.
            let found: Vec<String> = p.jobs.iter().filter(|j| j.name == name || j.base_name == name).map(|j| j.name.clone()).collect();
            if found.is_empty() {
                return Err(format!("selects job {name:?}, which the pipeline does not have"));
            }
            keep.extend(found);
        }
        // Naming a manual job runs it (upstream and `gitlab-runner exec` alike).
        let named = keep.clone();
        for j in p.jobs.iter_mut().filter(|j| named.contains(&j.name) && j.when == When::Manual) {
            j.when = When::OnSuccess;
        }
        if run.get("needs").and_then(Value::as_bool) == Some(true) {
            loop {
                let before = keep.len();
                let mut more = Vec::new();
                for j in p.jobs.iter().filter(|j| keep.contains(&j.name)) {
                    match &j.needs {
                        Some(needs) => more.extend(needs.iter().map(|n| n.job.clone())),
                        None => more.extend(p.jobs.iter().filter(|o| o.stage_index < j.stage_index).map(|o| o.name.clone())),
                    }
                }
                keep.extend(more);
                if keep.len() == before {
                    break;
                }
            }
        }
        p.jobs.retain(|j| keep.contains(&j.name));
        for j in &mut p.jobs {
            if let Some(needs) = &mut j.needs {
                needs.retain(|n| keep.contains(&n.job));
            }
            if let Some(deps) = &mut j.dependencies {
                deps.retain(|d| keep.contains(d));
            }
        }
    }
    if run.get("stage").is_some() || run.get("unset_variables").is_some() || run.get("setup").is_some() {
        return Err("uses an upstream run option (stage, unset_variables or setup)".into());
    }
    if run.pointer("/upstream_options/evaluateRuleChanges") == Some(&json!(false)) {
        return Err("turns off rules:changes evaluation (an upstream option)".into());
    }
    let manual: Vec<String> =
        run.get("manual").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(gitlab_name).collect();
    for j in &mut p.jobs {
        if j.when == When::Manual && manual.contains(&j.name) {
            j.when = When::OnSuccess;
        }
        if j.when == When::Never {
            continue;
        }
        match &j.image {
            Some(i) if image_present(&i.name) => {}
            Some(i) if !plain_os(&i.name) => {
                return Err(format!("job image {} has no local stand-in (only plain OS images map to Debian)", i.name))
            }
            _ => {
                j.image = Some(Image {
                    name: DEBIAN.into(),
                    entrypoint: j.image.as_ref().and_then(|i| i.entrypoint.clone()),
                    pull_policy: vec![],
                    user: j.image.as_ref().and_then(|i| i.user.clone()),
                })
            }
        }
        if let Some(s) = j.services.iter().find(|s| !image_present(&s.image.name)) {
            return Err(format!("service image {} has no local stand-in", s.image.name));
        }
    }
    Ok(p)
}

/// Images whose job scripts only need a shell and coreutils: Debian stands in for them.
fn plain_os(image: &str) -> bool {
    let name = image.trim_start_matches("docker.io/").trim_start_matches("library/");
    let base = name.split([':', '@']).next().unwrap_or(name);
    ["alpine", "busybox", "debian", "ubuntu", "bash"].contains(&base)
}

/// What a run showed, per job and stream, as log lines without colours.
struct Seen {
    summary: RunSummary,
    lines: HashMap<(String, bool), Vec<String>>,
    run_dir: std::path::PathBuf,
}

impl Seen {
    fn job_lines(&self, job: &str, stderr: bool) -> &[String] {
        self.lines.get(&(gitlab_name(job), stderr)).map(Vec::as_slice).unwrap_or_default()
    }
    fn all(&self, stderr: bool) -> impl Iterator<Item = &String> {
        self.lines.iter().filter(move |((_, e), _)| *e == stderr).flat_map(|(_, l)| l.iter())
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

async fn execute(p: Pipeline) -> Result<Seen, String> {
    let engine = engine().await;
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.keep().join("run");
    let mut options = RunOptions::new(run_dir.clone());
    options.default_image = DEBIAN.into();
    options.concurrency = 2;
    options.default_timeout = Duration::from_secs(120);
    options.service_wait = Duration::from_secs(10);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut handle = run::start(&engine, p, options, tx).await.map_err(|e| format!("refused: {e}"))?;
    let summary =
        tokio::time::timeout(Duration::from_secs(300), handle.wait()).await.map_err(|_| "did not finish in 5 minutes".to_string())?;
    handle.cancel();
    let mut bytes: HashMap<(String, bool), Vec<u8>> = HashMap::new();
    while let Ok(e) = rx.try_recv() {
        if let RunEvent::Log { job, stream, bytes: b } = e {
            if stream != LogStream::System {
                bytes.entry((job, stream == LogStream::Stderr)).or_default().extend(b);
            }
        }
    }
    let lines =
        bytes.into_iter().map(|(k, b)| (k, strip_ansi(&String::from_utf8_lossy(&b)).lines().map(str::to_string).collect())).collect();
    Ok(Seen { summary, lines, run_dir })
}

fn check(expect: &Value, seen: &Seen) -> Result<(), String> {
    let job = || expect["job"].as_str().unwrap_or_default();
    let stderr = expect["stream"] == "stderr";
    let has = |job: &str, line: &str| seen.job_lines(job, stderr).iter().any(|l| l.trim_end() == line.trim_end());
    let outcome = |name: &str| seen.summary.job(&gitlab_name(name)).cloned();
    match expect["kind"].as_str().unwrap() {
        "completes" => Ok(()),
        "job_output" => has(job(), expect["line"].as_str().unwrap())
            .then_some(())
            .ok_or_else(|| format!("{} did not print {:?}: {:?}", job(), expect["line"], seen.job_lines(job(), stderr))),
        "job_output_absent" => {
            (!has(job(), expect["line"].as_str().unwrap())).then_some(()).ok_or_else(|| format!("{} printed {:?}", job(), expect["line"]))
        }
        "job_output_not_all" => {
            let all = expect["lines"].as_array().unwrap().iter().all(|l| has(l["job"].as_str().unwrap(), l["line"].as_str().unwrap()));
            (!all).then_some(()).ok_or_else(|| "every line appeared".into())
        }
        "job_output_sequence" => {
            let want: Vec<&str> = expect["lines"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
            let got: Vec<&str> = seen.job_lines(job(), stderr).iter().map(|l| l.trim_end()).collect();
            got.windows(want.len())
                .any(|w| w == want.as_slice())
                .then_some(())
                .ok_or_else(|| format!("{} lines {got:?} lack {want:?}", job()))
        }
        "job_output_exact" => {
            let want: Vec<&str> = expect["lines"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
            let got: Vec<&str> = seen.job_lines(job(), stderr).iter().map(|l| l.trim_end()).filter(|l| !l.starts_with("$ ")).collect();
            (got == want).then_some(()).ok_or_else(|| format!("{} printed {got:?}, want {want:?}", job()))
        }
        "job_status" => {
            let o = outcome(job()).ok_or_else(|| format!("no job {}", job()))?;
            let got = match (o.status, o.allowed_failure) {
                (JobStatus::Success, _) => "success",
                (JobStatus::Failed, true) => "allowed_failure",
                (JobStatus::Failed, false) => "failed",
                _ => "not run",
            };
            (got == expect["status"])
                .then_some(())
                .ok_or_else(|| format!("{} ended {got} ({:?}), want {}", job(), o.reason, expect["status"]))
        }
        "jobs_not_run" => {
            for name in expect["jobs"].as_array().unwrap().iter().filter_map(Value::as_str) {
                if let Some(o) = outcome(name) {
                    if matches!(o.status, JobStatus::Success | JobStatus::Failed) {
                        return Err(format!("{name} ran"));
                    }
                }
            }
            Ok(())
        }
        "no_job_failed" => match seen.summary.jobs.iter().find(|j| j.status == JobStatus::Failed && !j.allowed_failure) {
            Some(j) => Err(format!("{} failed ({:?})", j.name, j.reason)),
            None => Ok(()),
        },
        "output_contains" => {
            let text = expect["text"].as_str().unwrap();
            seen.all(stderr).any(|l| l.contains(text)).then_some(()).ok_or_else(|| format!("no output contains {text:?}"))
        }
        "output_absent" => {
            let text = expect["text"].as_str().unwrap();
            (!seen.all(stderr).any(|l| l.contains(text))).then_some(()).ok_or_else(|| format!("output contains {text:?}"))
        }
        "artifact_file" => {
            let path = run::job_dir(&seen.run_dir, &gitlab_name(job())).join("artifacts").join(expect["path"].as_str().unwrap());
            let want = expect["exists"].as_bool().unwrap_or(true);
            (path.exists() == want)
                .then_some(())
                .ok_or_else(|| format!("artifact {} exists: {}, want {want}", expect["path"], path.exists()))
        }
        "after_script_failed" => {
            let log = std::fs::read_to_string(run::job_dir(&seen.run_dir, &gitlab_name(job())).join("log.txt")).unwrap_or_default();
            log.contains("after_script failed").then_some(()).ok_or_else(|| format!("{}'s after_script did not fail", job()))
        }
        other => unreachable!("{other}"),
    }
}

/// One test (all its steps), with the reason when it does not pass.
async fn run_test(base: &Path, case: &Value, test: &Value) -> (Outcome, Option<String>) {
    let steps = test.get("steps").and_then(Value::as_array).cloned().unwrap_or_else(|| vec![test.clone()]);
    let mut outcome = Outcome::NoRunCheck;
    for step in &steps {
        let run = step.get("run").cloned().unwrap_or(json!({}));
        let expects = step["expect"].as_array().cloned().unwrap_or_default();
        let checks: Vec<&Value> = expects.iter().filter(|e| RUN_KINDS.contains(&e["kind"].as_str().unwrap_or_default())).collect();
        // A rejected configuration is the load harness's; so is preview mode.
        if checks.is_empty() || run["mode"] == "preview" || expects.iter().any(|e| e["kind"] == "error") {
            continue;
        }
        let folder = base.join(case["path"].as_str().unwrap()).join(run.get("cwd").and_then(Value::as_str).unwrap_or(""));
        let repo = scratch(&folder);
        let options = LoadOptions {
            root: repo.path().to_path_buf(),
            file: run.get("file").and_then(Value::as_str).map(Into::into),
            variables: run_variables(&run),
            pipeline_id: 1,
            changed_files: run
                .get("changed_files")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect()),
        };
        let pipeline = match load(&options) {
            Ok(p) => p,
            Err(e) => return (Outcome::Fail, Some(format!("rejected: {e}"))),
        };
        if pipeline.blocked_by_workflow.is_some() {
            // workflow:rules made no pipeline: only "nothing ran" checks can hold.
            let ok = checks.iter().all(|e| {
                matches!(e["kind"].as_str(), Some("jobs_not_run" | "no_job_failed" | "output_absent" | "job_output_absent" | "completes"))
            });
            if !ok {
                return (Outcome::Fail, Some("workflow:rules made no pipeline, but the test expects jobs to run".into()));
            }
            outcome = Outcome::Pass;
            continue;
        }
        let pipeline = match prepare(pipeline, &run) {
            Ok(p) => p,
            Err(why) => return (Outcome::NotApplicable, Some(why)),
        };
        let seen = execute(pipeline).await;
        // Cache volumes are kept between runs by design; a scratch project's go with it.
        run::clear_cache(&engine().await, repo.path()).await.expect("the scratch project's caches are removed");
        let seen = match seen {
            Ok(s) => s,
            Err(e) => return (Outcome::Fail, Some(e)),
        };
        let failures: Vec<String> = checks.iter().filter_map(|e| check(e, &seen).err()).collect();
        if !failures.is_empty() {
            return (Outcome::Fail, Some(failures.join("; ")));
        }
        outcome = Outcome::Pass;
        let _ = std::fs::remove_dir_all(seen.run_dir.parent().unwrap());
    }
    (outcome, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitlab_ci_run_conformance() {
    if !enabled("gitlab_ci_run_conformance") {
        return;
    }
    let Some(dir) = dir() else { return };
    let base = dir.join("gitlab-ci");
    if !base.is_dir() {
        eprintln!("conformance gitlab-ci (run): skipped, {} is absent", base.display());
        return;
    }
    ci_image("debian");
    let only = std::env::var("BERTH_GITLAB_CASE").ok();
    let table: Value = serde_json::from_str(&std::fs::read_to_string(base.join("cases.json")).unwrap()).unwrap();
    let mut features: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut notes: Vec<(Outcome, String)> = Vec::new();
    let started = std::time::Instant::now();
    let tests: Vec<(&Value, &Value)> = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|case| only.as_deref().is_none_or(|o| case["name"] == o))
        .flat_map(|case| case["tests"].as_array().unwrap().iter().map(move |t| (case, t)))
        .collect();
    // Tests are independent (own folder, own run): several at once, as most of a run is waiting.
    let base = &base;
    let results: Vec<_> = futures_util::stream::iter(tests)
        .map(|(case, test)| async move { (case, test, run_test(base, case, test).await) })
        .buffered(5)
        .collect()
        .await;
    let mut passed = 0;
    for (case, test, (outcome, why)) in results {
        let id = format!("{} | {}", case["name"].as_str().unwrap(), test["title"].as_str().unwrap());
        passed += usize::from(outcome == Outcome::Pass);
        if let Some(why) = why {
            notes.push((outcome, format!("{id}: {why}")));
        }
        for f in case["features"].as_array().unwrap() {
            features.entry(f.as_str().unwrap().to_string()).or_default()[outcome as usize] += 1;
        }
    }
    println!("conformance gitlab-ci (run): per feature, tests passed / failed / not applicable here / no run check");
    for (f, [p, x, n, l]) in &features {
        println!("  {f:<22} {p:>3} passed {x:>3} failed {n:>3} n/a {l:>3} no run check");
    }
    let count = |o: Outcome| notes.iter().filter(|(x, _)| *x == o).count();
    let mut unexpected = Vec::new();
    for (o, note) in &notes {
        let known = KNOWN.iter().find(|(k, _)| note.starts_with(k));
        match (o, known) {
            (Outcome::Fail, Some((_, why))) => println!("  known difference: {note} ({why})"),
            (Outcome::Fail, None) if note.contains(": rejected: ") => {
                println!("  loader rejects: {note}")
            }
            (Outcome::Fail, None) => {
                println!("  FAIL: {note}");
                unexpected.push(note.clone());
            }
            _ => println!("  not run here: {note}"),
        }
    }
    println!(
        "conformance gitlab-ci (run): {passed} tests passed, {} failed, {} not applicable here (no local stand-in or an upstream-only option), in {:.0} s",
        count(Outcome::Fail),
        count(Outcome::NotApplicable),
        started.elapsed().as_secs_f64()
    );
    assert!(unexpected.is_empty(), "{} run checks failed:\n{}", unexpected.len(), unexpected.join("\n"));
}
