//! Loader tests over real folders (and a real git repository for the predefined variables).

use super::*;
use crate::pipelines::model::*;
use std::process::Command;

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn load_in(dir: &tempfile::TempDir) -> Result<Pipeline, PipelineError> {
    load(&LoadOptions { root: dir.path().to_path_buf(), pipeline_id: 7, ..Default::default() })
}

fn load_text(text: &str) -> Result<Pipeline, PipelineError> {
    load_in(&folder(&[(".gitlab-ci.yml", text)]))
}

fn job<'p>(p: &'p Pipeline, name: &str) -> &'p Job {
    p.jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no job {name} in {:?}", p.jobs.iter().map(|j| &j.name).collect::<Vec<_>>()))
}

fn var<'j>(j: &'j Job, name: &str) -> Option<&'j str> {
    j.variables.iter().rev().find(|v| v.name == name).map(|v| v.value.as_str())
}

#[test]
fn extends_merges_hashes_and_replaces_arrays_over_levels() {
    let p = load_text(
        ".a:\n  variables: {A: a, B: a}\n  script: [a]\n  image: {name: x, entrypoint: ['']}\n\
         .b:\n  extends: .a\n  variables: {B: b}\n  script: [b1, b2]\n\
         job:\n  extends: [.b]\n  variables: {C: c}\n  image: {name: y}\n",
    )
    .unwrap();
    let j = job(&p, "job");
    assert_eq!(j.script, ["b1", "b2"]);
    assert_eq!((var(j, "A"), var(j, "B"), var(j, "C")), (Some("a"), Some("b"), Some("c")));
    assert_eq!(j.image, Some(Image { name: "y".into(), entrypoint: Some(vec!["".into()]), pull_policy: vec![], user: None }));
    let e = load_text("a:\n  extends: b\n  script: x\nb:\n  extends: a\n  script: y\n").unwrap_err();
    assert!(e.message.contains("circular dependency detected in `extends`"), "{e}");
    let e = load_text("a:\n  extends: .nope\n  script: x\n").unwrap_err();
    assert_eq!(e.to_string(), ".gitlab-ci.yml, line 2: a: unknown keys in `extends` (.nope).");
}

#[test]
fn default_and_inherit() {
    let p = load_text(
        "default:\n  image: busybox\n  before_script: [setup]\n  retry: 2\n\
         variables: {G: g, H: h}\n\
         a:\n  script: x\n\
         b:\n  inherit: {default: [image], variables: [H]}\n  script: x\n\
         c:\n  inherit: {default: false, variables: false}\n  image: alpine\n  script: x\n",
    )
    .unwrap();
    let (a, b, c) = (job(&p, "a"), job(&p, "b"), job(&p, "c"));
    assert_eq!((a.before_script.len(), a.retry.max, a.image.as_ref().unwrap().name.as_str()), (1, 2, "busybox"));
    assert_eq!((b.before_script.len(), b.retry.max, var(b, "G"), var(b, "H")), (0, 0, None, Some("h")));
    assert_eq!((c.image.as_ref().unwrap().name.as_str(), var(c, "G")), ("alpine", None));
}

#[test]
fn references_resolve_after_extends_and_refuse_cycles() {
    let p = load_text(
        ".setup:\n  script: [one, two]\n.base:\n  variables: {X: x}\n.ext:\n  extends: .base\n  variables: {Y: y}\n\
         job:\n  script:\n    - !reference [.setup, script]\n    - three\n  variables: !reference [.ext, variables]\n",
    )
    .unwrap();
    let j = job(&p, "job");
    assert_eq!(j.script, ["one", "two", "three"]);
    assert_eq!((var(j, "X"), var(j, "Y")), (Some("x"), Some("y")));
    let e = load_text("job:\n  script: !reference [job, script]\n").unwrap_err();
    assert!(e.message.contains("!reference circular chain detected [job,script]"), "{e}");
    let e = load_text("job:\n  script: !reference [.missing, script]\n").unwrap_err();
    assert!(e.message.contains("could not be found"), "{e}");
}

#[test]
fn anchors_and_yaml_1_1_booleans() {
    let p = load_text(".vars: &vars\n  A: '1'\njob:\n  variables: *vars\n  allow_failure: yes\n  script: x\n").unwrap();
    assert_eq!((var(job(&p, "job"), "A"), &job(&p, "job").allow_failure), (Some("1"), &AllowFailure::Yes));
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e]\n";
    assert!(load_text(bomb).unwrap_err().message.contains("expands to more than"));
}

#[test]
fn includes_local_files_globs_and_refuses_the_rest() {
    let dir = folder(&[
        (".gitlab-ci.yml", "include:\n  - local: /ci/base.yml\n  - 'ci/extra/*.yml'\njob:\n  extends: .base\n  script: mine\n"),
        ("ci/base.yml", ".base:\n  image: from-include\n  script: theirs\n"),
        ("ci/extra/one.yml", "one:\n  script: one\n"),
        ("ci/extra/deeper/two.yml", "two:\n  script: two\n"),
    ]);
    let p = load_in(&dir).unwrap();
    assert_eq!(job(&p, "job").image.as_ref().unwrap().name, "from-include");
    assert_eq!(job(&p, "job").script, ["mine"]);
    assert_eq!(p.jobs.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(), ["job", "one"]);
    assert_eq!(p.sources.len(), 3);
    for (include, words) in [
        ("'../x.yml'", "does not support directory traversal"),
        ("'./x.yml'", "cannot start with `./`"),
        ("'https://example.com/ci.yml'", "include:remote `https://example.com/ci.yml` is not available offline"),
        ("{project: g/p, file: ci.yml}", "include:project `g/p` file `ci.yml` is not available offline"),
        ("{template: Auto-DevOps.gitlab-ci.yml}", "include:template"),
        ("{component: gitlab.com/a/b@1}", "include:component"),
        ("missing.yml", "Local file `missing.yml` does not exist!"),
    ] {
        let e = load_text(&format!("include: {include}\njob:\n  script: x\n")).unwrap_err();
        assert!(e.message.contains(words), "{include}: {e}");
        assert_eq!(e.line, Some(1), "{include}");
    }
}

#[test]
fn include_cannot_follow_a_symlink_out_of_the_project() {
    let outside = folder(&[("evil.yml", "evil:\n  script: x\n")]);
    let dir = folder(&[(".gitlab-ci.yml", "include: link.yml\njob:\n  script: x\n")]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("evil.yml"), dir.path().join("link.yml")).unwrap();
    #[cfg(unix)]
    assert!(load_in(&dir).unwrap_err().message.contains("outside the project"));
}

#[test]
fn parallel_and_matrix_names_and_needs() {
    let p = load_text(
        "build:\n  stage: build\n  parallel:\n    matrix:\n      - PROVIDER: [aws, gcp]\n        STACK: [app]\n  script: b\n\
         shard:\n  stage: build\n  parallel: 2\n  script: s\n\
         test:\n  needs:\n    - job: build\n      parallel:\n        matrix:\n          - PROVIDER: gcp\n            STACK: app\n    - shard\n  script: t\n",
    )
    .unwrap();
    let names: Vec<&str> = p.jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["build: [aws, app]", "build: [gcp, app]", "shard 1/2", "shard 2/2", "test"]);
    assert_eq!(var(job(&p, "build: [gcp, app]"), "PROVIDER"), Some("gcp"));
    assert_eq!((var(job(&p, "shard 2/2"), "CI_NODE_INDEX"), var(job(&p, "shard 2/2"), "CI_NODE_TOTAL")), (Some("2"), Some("2")));
    // GitLab sets CI_NODE_TOTAL=1 on every job without `parallel`, and no CI_NODE_INDEX.
    assert_eq!((var(job(&p, "test"), "CI_NODE_INDEX"), var(job(&p, "test"), "CI_NODE_TOTAL")), (None, Some("1")));
    assert_eq!(var(job(&p, "test"), "CI_SERVER_SHELL_SSH_PORT"), Some("22"));
    assert_eq!(var(job(&p, "test"), "CI_TEMPLATE_REGISTRY_HOST"), Some("registry.gitlab.com"));
    let needs: Vec<&str> = job(&p, "test").needs.as_ref().unwrap().iter().map(|n| n.job.as_str()).collect();
    assert_eq!(needs, ["build: [gcp, app]", "shard 1/2", "shard 2/2"]);
}

#[test]
fn needs_and_dependencies_are_checked() {
    for (text, words) in [
        ("a:\n  needs: [nope]\n  script: x\n", "a job: undefined need: nope"),
        ("a:\n  stage: build\n  needs: [b]\n  script: x\nb:\n  script: x\n", "a job: need b is not defined in current or prior stages"),
        ("a:\n  needs: [b]\n  script: x\nb:\n  needs: [a]\n  script: x\n", "The pipeline has circular dependencies: a → b → a"),
        ("a:\n  dependencies: [nope]\n  script: x\n", "a job: undefined dependency: nope"),
        (
            "a:\n  stage: build\n  script: x\nc:\n  stage: build\n  script: x\nb:\n  needs: [a]\n  dependencies: [a, c]\n  script: x\n",
            "jobs:b dependencies the c should be part of needs",
        ),
        (
            "a:\n  rules: [{when: never}]\n  script: x\nb:\n  needs: [a]\n  script: x\n",
            "'b' job needs 'a' job, but 'a' does not exist in the pipeline",
        ),
    ] {
        let e = load_text(text).unwrap_err();
        assert!(e.message.contains(words), "{text}: {e}");
    }
    // Same-stage needs are allowed (GitLab ≥ 14.2); optional needs of absent jobs are dropped.
    let p =
        load_text("a:\n  script: x\nb:\n  needs: [a, {job: gone, optional: true}]\n  script: x\nc:\n  needs: []\n  script: x\n").unwrap();
    assert_eq!(job(&p, "b").needs.as_ref().unwrap().len(), 1);
    assert_eq!(job(&p, "c").needs, Some(vec![]));
    assert_eq!(job(&p, "a").needs, None);
}

#[test]
fn rules_decide_when_with_the_reason() {
    let p = load_text(
        "variables: {DEPLOY: 'yes please'}\n\
         a:\n  rules:\n    - if: $CI_COMMIT_BRANCH == 'nope'\n    - if: $DEPLOY =~ /^yes/\n      when: manual\n      variables: {R: r}\n  script: x\n\
         b:\n  rules:\n    - if: $NOPE\n  script: x\n\
         c:\n  rules:\n    - exists: ['**/*.md']\n      when: delayed\n      start_in: 5 minutes\n  script: x\n\
         d:\n  when: manual\n  script: x\n",
    )
    .unwrap();
    let a = job(&p, "a");
    assert_eq!((a.when, &a.allow_failure, var(a, "R")), (When::Manual, &AllowFailure::No, Some("r")));
    assert_eq!(a.reason, Reason::Rule { index: 1, line: Some(5), text: "if: $DEPLOY =~ /^yes/, when: manual".into() });
    assert_eq!((job(&p, "b").when, &job(&p, "b").reason), (When::Never, &Reason::NoRuleMatched));
    assert_eq!(job(&p, "c").when, When::Never, "no markdown file exists");
    assert_eq!(
        (job(&p, "d").when, &job(&p, "d").allow_failure, var(job(&p, "d"), "CI_JOB_MANUAL")),
        (When::Manual, &AllowFailure::Yes, Some("true"))
    );
    let e = load_text("a:\n  rules:\n    - if: ${X} == 'y'\n  script: x\n").unwrap_err();
    assert_eq!(e.to_string(), ".gitlab-ci.yml, line 3: jobs:a:rules:rule if invalid expression syntax.");
}

#[test]
fn workflow_rules_can_block_the_pipeline() {
    let p = load_text("workflow:\n  name: 'Run $CI_PIPELINE_SOURCE'\n  rules:\n    - if: $CI_COMMIT_TAG\n      when: never\n    - variables: {W: w}\na:\n  script: x\n").unwrap();
    assert_eq!((p.blocked_by_workflow.clone(), p.name.as_deref()), (None, Some("Run push")));
    assert_eq!((var(job(&p, "a"), "W"), var(job(&p, "a"), "CI_PIPELINE_NAME")), (Some("w"), Some("Run push")));
    let p = load_text("workflow:\n  rules:\n    - if: $NOPE\na:\n  script: x\n").unwrap();
    assert_eq!(p.blocked_by_workflow, Some(Reason::NoRuleMatched));
}

#[test]
fn only_except_and_load_side_keywords() {
    let p = load_text(
        "a:\n  only: [tags]\n  script: x\n\
         b:\n  except:\n    variables: [$CI == 'true']\n  script: x\n\
         c:\n  only:\n    refs: [main, /^feat/]\n  script: x\n\
         d:\n  when: delayed\n  start_in: 1 hour\n  retry: {max: 2, when: [script_failure], exit_codes: [137]}\n  timeout: 1h 30m\n\
         \x20 interruptible: true\n  resource_group: deploy-$CI_COMMIT_REF_SLUG\n  coverage: '/Total: \\d+%/'\n  script: x\n",
    )
    .unwrap();
    assert!(matches!(&job(&p, "a").reason, Reason::Only { text, .. } if text == "only: refs [tags]"));
    assert!(matches!(&job(&p, "b").reason, Reason::Except { .. }));
    // Not a git repository: the branch is `main`.
    assert_eq!(job(&p, "c").when, When::OnSuccess);
    let d = job(&p, "d");
    assert_eq!(d.when, When::Delayed { start_in: std::time::Duration::from_secs(3600) });
    assert_eq!(d.retry, Retry { max: 2, when: vec![RetryWhen::ScriptFailure], exit_codes: vec![137] });
    assert_eq!(d.timeout, Some(std::time::Duration::from_secs(5400)));
    assert!(d.interruptible);
    assert_eq!(d.resource_group.as_deref(), Some("deploy-main"));
    assert_eq!(d.coverage.as_deref(), Some("Total: \\d+%"));
    assert!(load_text("a:\n  retry: 3\n  script: x\n").unwrap_err().message.contains("less than or equal to 2"));
    assert!(load_text("a:\n  when: never\n  script: x\n").unwrap_err().message.contains("can only be used in a rules section"));
}

#[test]
fn error_sentences_name_file_line_and_job() {
    for (text, want) in [
        ("a:\n  scirpt: x\n", ".gitlab-ci.yml, line 1: jobs:a config contains unknown keys: scirpt."),
        ("a:\n  image: busybox\n", ".gitlab-ci.yml, line 1: jobs:a config should implement the script:, run:, or trigger: keyword."),
        (
            "a:\n  stage: nope\n  script: x\n",
            ".gitlab-ci.yml, line 2: jobs:a chosen stage nope does not exist; available stages are .pre, build, test, deploy, .post.",
        ),
        ("stages: build\na:\n  script: x\n", ".gitlab-ci.yml, line 1: stages config should be an array of strings."),
        (".hidden:\n  script: x\n", ".gitlab-ci.yml: jobs config should contain at least one visible job."),
        ("a: [x]\n", ".gitlab-ci.yml, line 1: jobs:a config should be a hash."),
        ("a:\n  script: [x\n", ".gitlab-ci.yml, line 3: Invalid configuration format: while parsing a flow sequence, expected ',' or ']'."),
    ] {
        assert_eq!(load_text(text).unwrap_err().to_string(), want, "{text}");
    }
}

#[test]
fn predefined_variables_come_from_the_git_repository() {
    let dir = folder(&[(".gitlab-ci.yml", "a:\n  script: x\n"), ("README.md", "hi\n")]);
    let git = |args: &[&str]| {
        let out = Command::new("git").arg("-C").arg(dir.path()).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "Feature/Login"]);
    git(&["config", "user.name", "Testersen"]);
    git(&["config", "user.email", "test@test.com"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "Add login\n\nWith a body"]);
    git(&["remote", "add", "origin", "git@gitlab.example.com:grp/sub/My-Proj.git"]);
    let sha = git(&["rev-parse", "HEAD"]);
    let p = load_in(&dir).unwrap();
    let a = job(&p, "a");
    let want = [
        ("CI", "true"),
        ("CI_COMMIT_SHA", sha.as_str()),
        ("CI_COMMIT_SHORT_SHA", &sha[..8]),
        ("CI_COMMIT_BRANCH", "Feature/Login"),
        ("CI_COMMIT_REF_NAME", "Feature/Login"),
        ("CI_COMMIT_REF_SLUG", "feature-login"),
        ("CI_COMMIT_TITLE", "Add login"),
        ("CI_PROJECT_PATH", "grp/sub/My-Proj"),
        ("CI_PROJECT_NAMESPACE", "grp/sub"),
        ("CI_PROJECT_NAME", "My-Proj"),
        ("CI_PROJECT_DIR", "/builds/grp/sub/My-Proj"),
        ("CI_PROJECT_URL", "https://gitlab.example.com/grp/sub/My-Proj"),
        ("CI_SERVER_HOST", "gitlab.example.com"),
        ("CI_REGISTRY_IMAGE", "registry.gitlab.example.com/grp/sub/my-proj"),
        ("CI_PIPELINE_ID", "7"),
        ("CI_JOB_ID", "7001"),
        ("CI_JOB_NAME", "a"),
        ("CI_JOB_STAGE", "test"),
        ("GITLAB_USER_EMAIL", "test@test.com"),
    ];
    for (name, value) in want {
        assert_eq!(var(a, name), Some(value), "{name}");
    }
    assert_eq!(var(a, "CI_COMMIT_TAG"), None);
    assert_eq!(p.project.builds_dir, "/builds/grp/sub/My-Proj");
    // A tag pipeline when HEAD is detached at a tag.
    git(&["tag", "v1.0"]);
    git(&["checkout", "-q", "--detach", "v1.0"]);
    let p = load_in(&dir).unwrap();
    assert_eq!((var(&p.jobs[0], "CI_COMMIT_TAG"), var(&p.jobs[0], "CI_COMMIT_BRANCH")), (Some("v1.0"), None));
}

#[test]
fn untrusted_files_stay_bounded() {
    // `extends` listing the same base 40 times over 5 levels: 40^5 merges if not resolved once.
    let mut text = String::from(".l0:\n  variables: {A: a}\n");
    for level in 1..5 {
        let bases = vec![format!(".l{}", level - 1); 40].join(", ");
        text.push_str(&format!(".l{level}:\n  extends: [{bases}]\n"));
    }
    text.push_str("job:\n  extends: .l4\n  script: x\n");
    let started = std::time::Instant::now();
    assert_eq!(var(job(&load_text(&text).unwrap(), "job"), "A"), Some("a"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // References of references, ten wide and seven deep: 10^7 lines are refused.
    let mut text = String::from(".r0:\n  script: [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..7 {
        let refs = vec![format!("!reference [.r{}, script]", level - 1); 10].join(", ");
        text.push_str(&format!(".r{level}:\n  script: [{refs}]\n"));
    }
    text.push_str("job:\n  script: !reference [.r6, script]\n");
    assert!(load_text(&text).unwrap_err().message.contains("references copy more than"));
    // Include of itself stops (read once), parallel is capped, regexes are bounded.
    assert!(load_text("include: .gitlab-ci.yml\njob:\n  script: x\n").is_ok());
    assert!(load_text("job:\n  parallel: 1000\n  script: x\n").is_err());
    assert!(load_text("job:\n  rules:\n    - if: $A =~ /(a{1000}){1000}/\n  script: x\n")
        .unwrap_err()
        .message
        .contains("invalid regular expression"));
}

/// Loads the folder's pipeline in a thread with a 2 MB stack (deep recursion shows as a
/// failure) that must end within a minute.
fn bounded_load(dir: tempfile::TempDir) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(load_in(&dir).map(|_| ()).map_err(|e| e.to_string()));
        })
        .unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the load did not end within 60 s")
}

fn hostile_error(dir: tempfile::TempDir) -> String {
    bounded_load(dir).expect_err("the pipeline loaded")
}

#[test]
fn hostile_pipeline_files_end_in_a_sentence() {
    // Including itself through another file, then through a list.
    let looped = [
        (".gitlab-ci.yml", "include: [a.yml]\njob:\n  script: x\n"),
        ("a.yml", "include: [b.yml, .gitlab-ci.yml]\n"),
        ("b.yml", "variables: {B: b}\n"),
    ];
    assert_eq!(bounded_load(folder(&looped)), Ok(()), "each file is read once, as on GitLab");
    // 3,000 levels of block nesting (compact sequences: indented mappings would pass the 4 MB cap).
    let deep = format!("x:\n  {}y\n", "- ".repeat(3000));
    let e = hostile_error(folder(&[(".gitlab-ci.yml", &deep)]));
    assert!(e.contains(".gitlab-ci.yml") && e.contains("nested more than"), "{e}");
    // 500 bytes of aliases, nine levels of nine.
    let mut bomb = String::from("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        bomb += &format!("x-{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", "));
    }
    let e = hostile_error(folder(&[(".gitlab-ci.yml", &bomb)]));
    assert!(e.contains(".gitlab-ci.yml") && e.contains("expands to more than"), "{e}");
    // An include (and the pipeline file itself) that is a FIFO, /dev/zero or 2 GB.
    for (target, says) in [("fifo.yml", "not a regular file"), ("zero.yml", "leads outside the project folder"), ("big.yml", "larger than")]
    {
        let dir = folder(&[(".gitlab-ci.yml", &format!("include: [{target}]\njob:\n  script: x\n"))]);
        assert!(Command::new("mkfifo").arg(dir.path().join("fifo.yml")).status().unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yml")).unwrap();
        std::fs::File::create(dir.path().join("big.yml")).unwrap().set_len(2 << 30).unwrap();
        let e = hostile_error(dir);
        assert!(e.contains(target) && e.contains(says), "{target}: {e}");
    }
    let dir = folder(&[]);
    assert!(Command::new("mkfifo").arg(dir.path().join(".gitlab-ci.yml")).status().unwrap().success());
    let e = hostile_error(dir);
    assert!(e.contains(".gitlab-ci.yml") && e.contains("not a regular file"), "{e}");
}

#[test]
fn image_docker_user_and_environment_variables() {
    let p = load_text(
        "variables: {WHO: nobody}\n\
         job:\n  image: {name: alpine, docker: {user: $WHO}}\n  environment: {name: Review $CI_JOB_NAME, url: http://x}\n  script: [id]\n\
         plain:\n  script: [id]\n",
    )
    .unwrap();
    let j = job(&p, "job");
    assert_eq!(j.image.as_ref().and_then(|i| i.user.as_deref()), Some("nobody"));
    assert_eq!(var(j, "CI_ENVIRONMENT_NAME"), Some("Review job"));
    assert_eq!(var(j, "CI_ENVIRONMENT_URL"), Some("http://x"));
    assert_eq!(var(j, "CI_ENVIRONMENT_ACTION"), Some("start"));
    assert_eq!(var(j, "CI_ENVIRONMENT_TIER"), Some("development"));
    assert!(var(j, "CI_ENVIRONMENT_SLUG").is_some_and(|s| s.starts_with("review-job-") && s.len() == 17));
    assert_eq!(var(job(&p, "plain"), "CI_ENVIRONMENT_NAME"), None);
    let e = load_text("job:\n  image: {name: a, docker: {usr: x}}\n  script: [id]\n").unwrap_err();
    assert!(e.message.contains("docker config contains unknown keys: usr"), "{e}");
}

#[test]
fn environments_are_linted_as_gitlab_lints_them() {
    let ok = "job:\n  environment: {name: review/$CI_COMMIT_REF_SLUG, action: prepare, deployment_tier: other, on_stop: stop, \
              auto_stop_in: 1 week, kubernetes: {namespace: x}}\n  script: [id]\n";
    let p = load_text(ok).unwrap();
    assert_eq!(var(job(&p, "job"), "CI_ENVIRONMENT_ACTION"), Some("prepare"));
    assert_eq!(var(job(&p, "job"), "CI_ENVIRONMENT_TIER"), Some("other"));
    for (environment, says) in [
        ("{name: x, action: deploy}", "jobs:job:environment action should be start, stop, prepare, verify, or access"),
        (
            "{name: x, deployment_tier: prod}",
            "jobs:job:environment deployment tier must be one of production, staging, testing, development, other",
        ),
        ("{name: x, tier: production}", "jobs:job:environment config contains unknown keys: tier"),
        ("{url: http://x}", "jobs:job:environment name can't be blank"),
        ("'/review'", "jobs:job:environment name can contain only letters"),
        ("{name: 'a:b'}", "jobs:job:environment name can contain only letters"),
        ("{name: x, auto_stop_in: soon}", "jobs:job:environment auto stop in should be a duration"),
        ("[x]", "jobs:job:environment config should be a hash or a string"),
    ] {
        let e = load_text(&format!("job:\n  environment: {environment}\n  script: [id]\n")).unwrap_err();
        assert!(e.message.contains(says), "{environment}: {e}");
    }
}
