//! gitlab-ci-local's own cases (../shared/conformance/gitlab-ci, never copied here) against
//! Berth's pipeline loader, plus Berth's cases for what upstream lacks (`only`/`except`,
//! `retry`, `timeout`, `when: delayed`, `resource_group`, `interruptible`).
//!
//! Each case runs in a scratch git repository made as the upstream README says. Expectations
//! split in two: **load checks** (`error`, `expanded_config`, `jobs_not_run` decided by rules,
//! `job_needs`, `job_environment`, and a job's stdout lines when its script only `echo`es
//! variables the loader decides) run here; every other kind is a **run check** and is counted
//! as "needs the executor" (the executor's harness takes them over), never dropped.

use super::conformance::dir;
use berth_core::compose::yaml;
use berth_core::pipelines::model::{Pipeline, Reason, Variable, VariableOrigin, When};
use berth_core::pipelines::{load, preview, LoadOptions, PipelineError};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Load-check failures that are known differences, with the reason (anything else fails the test).
const KNOWN: &[(&str, &str)] = &[
    (
        "manual | manual",
        "upstream refuses a `needs` on a manual job that was not triggered; GitLab (and Berth) let the needing job wait for the click (README: expected difference)",
    ),
    (
        "include-rules | include-rules <build-job>",
        "upstream sets GITLAB_CI to \"false\" and the case's include rules test it; a GitLab runner (and Berth) sets \"true\" (README: expected difference)",
    ),
    (
        "variable-expansion | variable-expansion <test ${",
        "upstream expands nested references (`${URL_${ENV}}`); GitLab Runner's expansion (Go's os.Expand) reads the name up to the first `}`, so Berth does too",
    ),
    (
        "include-inputs | include-inputs for type boolean",
        "upstream's preview leaves `default:interruptible` out of the job; GitLab applies every `default:` key, so Berth shows `interruptible` in the job",
    ),
];

const LOAD_KINDS: &[&str] = &["error", "expanded_config", "jobs_not_run", "job_needs", "job_environment"];
/// Output kinds decided at load when the job's script is only `echo`s of known variables.
const ECHO_KINDS: &[&str] = &["job_output", "job_output_absent", "job_output_exact", "job_output_sequence"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pass,
    Fail,
    /// No load check applies: only the executor can decide.
    Executor,
}

/// A scratch copy of the case folder (file modes and links kept, as `cp -a` does) as a git
/// repository (branch `master`, remote `gcl/test-project`, `origin/HEAD` → `origin/main`), every
/// file committed. The run harness uses it too.
pub(super) fn scratch(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("cp").arg("-a").arg(format!("{}/.", src.display())).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "copy {}", src.display());
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.name=Testersen", "-c", "user.email=test@test.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q", "-b", "master"]);
    git(&["config", "user.name", "Testersen"]);
    git(&["config", "user.email", "test@test.com"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "--allow-empty", "-m", "Initial commit"]);
    git(&["remote", "add", "origin", "git@gitlab.com:gcl/test-project.git"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"]);
    dir
}

/// The run's variables (user, project, then run-time: later ones rank higher).
pub(super) fn run_variables(run: &Value) -> Vec<Variable> {
    let mut out = Vec::new();
    // Project and user variables rank below run-time ones; all are above the file's.
    for key in ["user_variables", "project_variables", "variables"] {
        for (name, v) in run.get(key).and_then(Value::as_object).into_iter().flatten() {
            let value = match v {
                Value::String(s) => s.clone(),
                // Scoped to an environment: not visible at load time.
                _ => continue,
            };
            out.push(Variable { name: name.clone(), value, expand: true, masked: false, origin: VariableOrigin::Run });
        }
    }
    out
}

/// gitlab-ci-local names `job: [a,b]` where GitLab says `job: [a, b]`, and `job: [1/2]` for
/// `job 1/2` (README: expected differences); compare in GitLab's form.
pub(super) fn gitlab_name(upstream: &str) -> String {
    match upstream.rsplit_once(": [") {
        Some((base, rest)) if rest.ends_with(']') => {
            let inner = &rest[..rest.len() - 1];
            if inner.contains('/') && !inner.contains(',') {
                format!("{base} {inner}")
            } else {
                format!("{base}: [{}]", inner.split(',').map(str::trim).collect::<Vec<_>>().join(", "))
            }
        }
        _ => upstream.to_string(),
    }
}

/// Upstream's preview spells some values out; bring both sides to one form.
fn normalize(v: &Value, key: &str) -> Value {
    match (key, v) {
        ("image", Value::String(s)) => json!({ "name": s }),
        ("services", Value::Array(a)) => Value::Array(a.iter().map(|s| normalize(s, "image")).collect()),
        ("script" | "before_script" | "after_script", v) => {
            fn flat(v: &Value, out: &mut Vec<Value>) {
                match v {
                    Value::Array(a) => a.iter().for_each(|i| flat(i, out)),
                    other => out.push(other.clone()),
                }
            }
            let mut out = Vec::new();
            flat(v, &mut out);
            Value::Array(out)
        }
        (_, Value::Object(m)) => Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v, k))).collect()),
        (_, Value::Array(a)) => Value::Array(a.iter().map(|i| normalize(i, "")).collect()),
        (_, Value::Number(n)) => Value::String(n.to_string()),
        (_, Value::Bool(b)) if key == "value" => Value::String(b.to_string()),
        (_, other) => other.clone(),
    }
}

fn check_preview(root: &Path, options: &LoadOptions, want: &str) -> Result<(), String> {
    let got = preview(&LoadOptions { root: root.to_path_buf(), ..options.clone() }).map_err(|e| format!("rejected: {e}"))?;
    let want = yaml::parse(want).map_err(|e| format!("expected YAML: {e:?}"))?.pop().map(|d| d.value).unwrap_or_default();
    let mut mine = Map::new();
    mine.insert("stages".into(), json!(got.stages));
    for (k, v) in &got.config {
        mine.insert(k.clone(), v.clone());
    }
    let (mine, want) = (normalize(&Value::Object(mine), ""), normalize(&want, ""));
    if mine == want {
        return Ok(());
    }
    let (Value::Object(m), Value::Object(w)) = (&mine, &want) else { unreachable!() };
    let keys: std::collections::BTreeSet<&String> = m.keys().chain(w.keys()).collect();
    let diff: Vec<String> =
        keys.into_iter().filter(|k| m.get(*k) != w.get(*k)).map(|k| format!("{k}: got {:?}, want {:?}", m.get(k), w.get(k))).collect();
    Err(diff.join("; "))
}

/// The job's stdout as the shell would print it, with each command echoed as `$ cmd`, when
/// every `before_script`/`script`/`after_script` line is `echo` of literal text and variables the job
/// defines (no substitution, pipe, glob or escape); `None` otherwise.
fn echo_output(p: &Pipeline, job: &berth_core::pipelines::Job) -> Option<Vec<String>> {
    // A variable from an earlier job's dotenv report is only known at run time.
    if p.jobs.iter().any(|j| j.artifacts.as_ref().is_some_and(|a| !a.dotenv.is_empty())) {
        return None;
    }
    let env: std::collections::HashMap<String, String> = berth_core::pipelines::expand::environment(&job.variables).into_iter().collect();
    let mut out = Vec::new();
    for line in job.before_script.iter().chain(&job.script).chain(&job.after_script) {
        let args = line.strip_prefix("echo ").or(if line == "echo" { Some("") } else { None })?;
        if args.contains(['`', '|', ';', '&', '>', '<', '\\', '*', '?', '[', '~', '\n'])
            || args.contains("$(")
            || args.contains("$$")
            || args.starts_with('-')
        {
            return None;
        }
        out.push(format!("$ {line}"));
        let mut words: Vec<String> = Vec::new();
        let mut word: Option<String> = None;
        let mut chars = args.chars().peekable();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (quote, c) {
                (None, ' ' | '\t') => words.extend(word.take()),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    word.get_or_insert_with(String::new);
                }
                (Some(q), c) if c == q => quote = None,
                (Some('\''), c) => word.get_or_insert_with(String::new).push(c),
                (_, '$') => {
                    let braced = chars.peek() == Some(&'{');
                    if braced {
                        chars.next();
                    }
                    let mut name = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_alphanumeric() || n == '_' {
                            name.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if braced && chars.next() != Some('}') || name.is_empty() {
                        return None;
                    }
                    let value = env.get(&name)?;
                    if quote.is_some() {
                        word.get_or_insert_with(String::new).push_str(value);
                    } else {
                        // Unquoted: split on blanks, as the shell does.
                        let mut parts = value.split([' ', '\t', '\n']).filter(|s| !s.is_empty()).peekable();
                        if let Some(first) = parts.next() {
                            word.get_or_insert_with(String::new).push_str(first);
                        }
                        for part in parts {
                            words.extend(word.take());
                            word = Some(part.to_string());
                        }
                    }
                }
                (_, c) => word.get_or_insert_with(String::new).push(c),
            }
        }
        if quote.is_some() {
            return None;
        }
        words.extend(word);
        out.extend(words.join(" ").split('\n').map(str::to_string));
    }
    Some(out)
}

/// A job's stdout expectation when the loader alone decides it; `Executor` otherwise.
fn check_output(expect: &Value, run: &Value, loaded: &Result<Pipeline, PipelineError>) -> Result<Outcome, String> {
    let Ok(p) = loaded else { return Ok(Outcome::Executor) };
    // Absent output of a job the run did not select is about selection: the executor's.
    let selects = ["jobs", "stage"].iter().any(|k| run.get(*k).is_some());
    if expect.get("stream").is_some_and(|s| s != "stdout") || (selects && expect["kind"] == "job_output_absent") {
        return Ok(Outcome::Executor);
    }
    let name = gitlab_name(expect["job"].as_str().unwrap());
    let Some(job) = p.jobs.iter().find(|j| j.name == name) else { return Ok(Outcome::Executor) };
    let Some(lines) = echo_output(p, job) else { return Ok(Outcome::Executor) };
    let printed: Vec<&str> = lines.iter().filter(|l| !l.starts_with("$ ")).map(String::as_str).collect();
    let want = |k: &str| expect[k].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect::<Vec<_>>();
    let ok = match expect["kind"].as_str().unwrap() {
        "job_output" => printed.contains(&expect["line"].as_str().unwrap()),
        "job_output_absent" => !printed.contains(&expect["line"].as_str().unwrap()),
        "job_output_exact" => printed == want("lines"),
        "job_output_sequence" => lines.windows(want("lines").len()).any(|w| w == want("lines").as_slice()),
        _ => return Ok(Outcome::Executor),
    };
    if ok {
        Ok(Outcome::Pass)
    } else {
        Err(format!("{name} prints {lines:?}; want {expect}"))
    }
}

/// One load expectation against a loaded pipeline (or its rejection).
fn check(expect: &Value, run: &Value, loaded: &Result<Pipeline, PipelineError>, messages: &mut (usize, usize)) -> Result<Outcome, String> {
    let selects = ["jobs", "stage", "manual", "needs"].iter().any(|k| run.get(*k).is_some());
    match expect["kind"].as_str().unwrap() {
        "error" => match loaded {
            Err(e) => {
                let want = expect["message"].as_str().unwrap_or_default();
                messages.1 += 1;
                if e.message.contains(want) || e.to_string().contains(want) {
                    messages.0 += 1;
                }
                Ok(Outcome::Pass)
            }
            // Errors about which jobs to run, images, scripts: the executor's to give.
            Ok(_) if selects || expect["message"].as_str().is_some_and(|m| m.starts_with("Command failed")) => Ok(Outcome::Executor),
            Ok(_) => Err(format!("accepted; GitLab rejects it: {}", expect["message"])),
        },
        kind => {
            let p = loaded.as_ref().map_err(|e| format!("rejected: {e}"))?;
            let job = |name: &str| p.jobs.iter().find(|j| j.name == gitlab_name(name)).ok_or(format!("no job {name}"));
            match kind {
                "jobs_not_run" => {
                    let mut outcome = Outcome::Pass;
                    for name in expect["jobs"].as_array().unwrap().iter().filter_map(Value::as_str) {
                        let j = job(name)?;
                        let manual_untriggered = j.when == When::Manual
                            && !run.get("manual").and_then(Value::as_array).is_some_and(|m| m.iter().any(|n| n == name));
                        if j.when == When::Never || p.blocked_by_workflow.is_some() || manual_untriggered {
                            continue;
                        }
                        if selects || j.when == When::OnFailure {
                            outcome = Outcome::Executor;
                        } else {
                            return Err(format!("{name} would run ({:?}, {:?})", j.when, j.reason));
                        }
                    }
                    Ok(outcome)
                }
                "job_needs" => {
                    let j = job(expect["job"].as_str().unwrap())?;
                    let got: Vec<&str> = j.needs.iter().flatten().map(|n| n.job.as_str()).collect();
                    let want: Vec<String> = expect["needs"].as_array().unwrap().iter().map(|n| gitlab_name(n.as_str().unwrap())).collect();
                    if got == want {
                        Ok(Outcome::Pass)
                    } else {
                        Err(format!("needs {got:?}, want {want:?}"))
                    }
                }
                "job_environment" => {
                    let j = job(expect["job"].as_str().unwrap())?;
                    let env = j.environment.as_ref().ok_or("no environment")?;
                    let url_ok = expect.get("url").is_none_or(|u| Some(u.as_str().unwrap()) == env.url.as_deref());
                    if env.name == expect["name"].as_str().unwrap() && url_ok {
                        Ok(Outcome::Pass)
                    } else {
                        Err(format!("environment {env:?}, want {expect}"))
                    }
                }
                _ => unreachable!(),
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    /// Per feature: passed, failed, needs the executor (tests).
    features: BTreeMap<String, [usize; 3]>,
    failures: Vec<(String, String)>,
    checks: [usize; 3],
    messages: (usize, usize),
}

#[test]
fn gitlab_ci_load_conformance() {
    let Some(dir) = dir() else { return };
    let base = dir.join("gitlab-ci");
    if !base.is_dir() {
        eprintln!("conformance gitlab-ci: skipped, {} is absent", base.display());
        return;
    }
    let table: Value = serde_json::from_str(&std::fs::read_to_string(base.join("cases.json")).unwrap()).unwrap();
    let mut t = Tally::default();
    for case in table["cases"].as_array().unwrap() {
        for test in case["tests"].as_array().unwrap() {
            let steps = test.get("steps").and_then(Value::as_array).cloned().unwrap_or_else(|| vec![test.clone()]);
            let id = format!("{} | {}", case["name"].as_str().unwrap(), test["title"].as_str().unwrap());
            let mut outcome = Outcome::Executor;
            for step in &steps {
                let run = step.get("run").cloned().unwrap_or(json!({}));
                let expects = step["expect"].as_array().cloned().unwrap_or_default();
                let (load_checks, run_checks): (Vec<&Value>, Vec<&Value>) =
                    expects.iter().partition(|e| LOAD_KINDS.iter().chain(ECHO_KINDS).any(|k| e["kind"].as_str() == Some(k)));
                t.checks[2] += run_checks.len();
                if load_checks.is_empty() {
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
                let loaded = if run["mode"] == "preview" { None } else { Some(load(&options)) };
                for expect in load_checks {
                    let result = match (&loaded, expect["kind"].as_str()) {
                        (Some(l), Some(k)) if ECHO_KINDS.contains(&k) => check_output(expect, &run, l),
                        (None, Some(k)) if ECHO_KINDS.contains(&k) => Ok(Outcome::Executor),
                        (None, Some("expanded_config")) => {
                            check_preview(repo.path(), &options, expect["yaml"].as_str().unwrap()).map(|_| Outcome::Pass)
                        }
                        (None, _) => check(expect, &run, &load(&options), &mut t.messages),
                        (Some(l), _) => check(expect, &run, l, &mut t.messages),
                    };
                    match result {
                        Ok(o) => {
                            t.checks[if o == Outcome::Pass { 0 } else { 2 }] += 1;
                            if outcome != Outcome::Fail && o == Outcome::Pass {
                                outcome = Outcome::Pass;
                            }
                        }
                        Err(reason) => {
                            t.checks[1] += 1;
                            outcome = Outcome::Fail;
                            t.failures.push((id.clone(), reason));
                        }
                    }
                }
            }
            for f in case["features"].as_array().unwrap() {
                let slot = t.features.entry(f.as_str().unwrap().to_string()).or_default();
                slot[outcome as usize] += 1;
            }
        }
    }
    println!("conformance gitlab-ci (load): per feature, tests passed / failed / need the executor");
    for (f, [p, x, e]) in &t.features {
        println!("  {f:<22} {p:>3} passed {x:>3} failed {e:>3} need the executor");
    }
    println!(
        "conformance gitlab-ci (load): checks {} passed, {} failed, {} need the executor; rejections with upstream's message: {}/{}",
        t.checks[0], t.checks[1], t.checks[2], t.messages.0, t.messages.1
    );
    let mut unexpected = Vec::new();
    for (id, reason) in &t.failures {
        match KNOWN.iter().find(|(k, _)| id.starts_with(k)) {
            Some((_, why)) => println!("  known difference: {id}: {reason} ({why})"),
            None => unexpected.push(format!("{id}: {reason}")),
        }
    }
    assert!(unexpected.is_empty(), "{} load checks failed:\n{}", unexpected.len(), unexpected.join("\n"));
}

/// Berth's own load cases for what upstream has none of.
#[test]
fn gitlab_ci_berth_conformance() {
    let file = "\
stages: [build, deploy]
build:
  stage: build
  only: [branches]
  retry: {max: 2, when: [script_failure, stuck_or_timeout_failure]}
  timeout: 2h 30m
  interruptible: true
  script: make
tagged:
  stage: build
  only: [tags]
  script: release
no-master:
  stage: build
  except:
    refs: [master]
  script: x
only-var:
  stage: build
  only:
    variables: [$DEPLOY_TARGET == \"prod\"]
  script: x
deploy:
  stage: deploy
  when: delayed
  start_in: 30 minutes
  resource_group: production-$CI_COMMIT_REF_SLUG
  retry: 1
  script: deploy
";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitlab-ci.yml"), file).unwrap();
    let repo = scratch(dir.path());
    let mut options = LoadOptions { root: repo.path().to_path_buf(), pipeline_id: 1, ..Default::default() };
    let p = load(&options).unwrap();
    let job = |name: &str| p.jobs.iter().find(|j| j.name == name).unwrap();
    let mut failed = Vec::new();
    let mut total = 0;
    let mut expect = |what: &str, ok: bool| {
        total += 1;
        if !ok {
            failed.push(what.to_string());
        }
    };
    let build = job("build");
    expect("only: [branches] runs on a branch", build.when == When::OnSuccess);
    expect("retry max 2 with its when list", build.retry.max == 2 && build.retry.when.len() == 2);
    expect("timeout 2h 30m", build.timeout == Some(std::time::Duration::from_secs(9000)));
    expect("interruptible", build.interruptible);
    expect("only: [tags] skips a branch", job("tagged").when == When::Never && matches!(job("tagged").reason, Reason::Only { .. }));
    expect(
        "except: refs [master] skips master",
        job("no-master").when == When::Never && matches!(job("no-master").reason, Reason::Except { .. }),
    );
    expect("only: variables false", job("only-var").when == When::Never);
    let deploy = job("deploy");
    expect("when: delayed, start_in 30 minutes", deploy.when == When::Delayed { start_in: std::time::Duration::from_secs(1800) });
    expect("resource_group expanded", deploy.resource_group.as_deref() == Some("production-master"));
    expect("retry: 1", deploy.retry.max == 1 && deploy.retry.when.is_empty());
    options.variables =
        vec![Variable { name: "DEPLOY_TARGET".into(), value: "prod".into(), expand: true, masked: false, origin: VariableOrigin::Run }];
    let p = load(&options).unwrap();
    expect("only: variables true with a run variable", p.jobs.iter().any(|j| j.name == "only-var" && j.when == When::OnSuccess));
    for (text, words) in [
        ("a:\n  retry: 3\n  script: x\n", "less than or equal to 2"),
        ("a:\n  when: delayed\n  script: x\n", "start_in should be specified"),
        ("a:\n  when: delayed\n  start_in: 2 weeks\n  script: x\n", "at most one week"),
        ("a:\n  timeout: soon\n  script: x\n", "timeout config should be a duration"),
        ("a:\n  interruptible: maybe\n  script: x\n", "interruptible config should be a boolean"),
        ("a:\n  resource_group: [x]\n  script: x\n", "resource_group config should be a string"),
        ("a:\n  only: [main]\n  rules: [{when: always}]\n  script: x\n", "may not be used with `rules`: only"),
    ] {
        std::fs::write(repo.path().join(".gitlab-ci.yml"), text).unwrap();
        let got = load(&options).map(|_| ()).map_err(|e| e.to_string());
        expect(&format!("{text:?} is rejected with {words:?} (got {got:?})"), got.as_ref().is_err_and(|e| e.contains(words)));
    }
    println!("conformance gitlab-ci (Berth's own load cases): {}/{total} passed", total - failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
}
