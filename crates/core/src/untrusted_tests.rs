//! Hostile folders (a cloned repository, or the files a container's compose labels point at):
//! every load ends in a sentence naming the file, in bounded time and memory, never a crash.
//! Each load runs in a thread with a 2 MB stack, so deep recursion shows as a failure.

use crate::build;
use crate::compose::{self, Options};
use std::path::Path;
use std::time::Duration;

/// `f` in a thread with a small stack; fails the test if it does not end within a minute.
fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    rx.recv_timeout(Duration::from_secs(60)).expect("the load did not end within 60 s")
}

/// The sentence loading the project in `dir` fails with.
fn load_error(dir: &Path) -> String {
    let opts = Options { project_dir: Some(dir.into()), ..Default::default() };
    bounded(move || compose::load(&opts).map(|p| p.name)).expect_err("the project loaded").to_string()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn mkfifo(path: &Path) {
    assert!(std::process::Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// A sparse 2 GB file: no disk used, but reading it whole would take 2 GB of memory.
fn huge(path: &Path) {
    std::fs::File::create(path).unwrap().set_len(2 << 30).unwrap();
}

#[test]
fn a_file_including_itself_through_a_list_is_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", "include:\n  - path: [a.yaml, compose.yaml]\nservices:\n  web: {image: a}\n");
    write(dir.path(), "a.yaml", "services:\n  db: {image: b}\n");
    let e = load_error(dir.path());
    assert!(e.contains("include cycle") && e.contains("compose.yaml"), "{e}");
}

#[test]
fn includes_nest_at_most_so_deep() {
    // A chain of distinct files is no cycle, but still ends.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        write(dir.path(), &format!("f{i}.yaml"), &format!("include: [f{}.yaml]\n", i + 1));
    }
    write(dir.path(), "compose.yaml", "include: [f0.yaml]\nservices:\n  web: {image: a}\n");
    let e = load_error(dir.path());
    assert!(e.contains("nested more than"), "{e}");
}

#[test]
fn deep_block_nesting_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..3000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    write(dir.path(), "compose.yaml", &text);
    let e = load_error(dir.path());
    assert!(e.starts_with("compose.yaml, line 129: values are nested more than 128 levels deep"), "{e}");
}

#[test]
fn deep_flow_nesting_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", &format!("x-deep: {}{}\n", "[".repeat(3000), "]".repeat(3000)));
    let e = load_error(dir.path());
    assert!(e.starts_with("compose.yaml, line 1: values are nested "), "{e}");
}

#[test]
fn an_alias_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        text += &format!("x-{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", "));
    }
    assert!(text.len() < 600);
    write(dir.path(), "compose.yaml", &text);
    let e = load_error(dir.path());
    assert!(e.contains("compose.yaml, line ") && e.contains("expands to more than"), "{e}");
}

#[test]
fn extends_chains_load_each_file_once() {
    // Each file's two services extend the next file's: 2^25 loads without a cache.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..25 {
        let ext = format!("{{file: f{}.yaml, service: a}}", i + 1);
        write(dir.path(), &format!("f{i}.yaml"), &format!("services:\n  a: {{extends: {ext}}}\n  b: {{extends: {ext}}}\n"));
    }
    write(dir.path(), "f25.yaml", "services:\n  a: {image: base}\n");
    write(dir.path(), "compose.yaml", "services:\n  web: {extends: {file: f0.yaml, service: b}}\n");
    let opts = Options { project_dir: Some(dir.path().into()), ..Default::default() };
    let p = bounded(move || compose::load(&opts)).unwrap();
    assert_eq!(p.config["services"]["web"]["image"], "base");
}

/// `compose.yaml` naming `target` in `field`, for each kind of hostile file.
fn refuses_special_files(yaml: impl Fn(&str) -> String, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let big = dir.path().join("big");
    huge(&big);
    for (target, says) in [("/dev/zero", "is not a regular file"), ("fifo", "is not a regular file"), ("big", "is larger than")] {
        write(dir.path(), "compose.yaml", &yaml(target));
        let e = load_error(dir.path());
        assert!(e.contains(what) && e.contains(target) && e.contains(says), "{target}: {e}");
    }
}

#[test]
fn env_file_must_be_a_small_regular_file() {
    refuses_special_files(|t| format!("services:\n  web:\n    image: a\n    env_file: {t}\n"), "env_file");
}

#[test]
fn an_include_must_be_a_small_regular_file() {
    refuses_special_files(|t| format!("include: [{t}]\nservices:\n  web: {{image: a}}\n"), "compose file");
}

#[test]
fn extends_file_must_be_a_small_regular_file() {
    refuses_special_files(|t| format!("services:\n  web: {{extends: {{file: {t}, service: a}}}}\n"), "compose file");
}

#[test]
fn the_dot_env_file_must_be_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", "services:\n  web: {image: a}\n");
    mkfifo(&dir.path().join(".env"));
    let e = load_error(dir.path());
    assert!(e.contains(".env") && e.contains("is not a regular file"), "{e}");
    std::fs::remove_file(dir.path().join(".env")).unwrap();
    huge(&dir.path().join(".env"));
    let e = load_error(dir.path());
    assert!(e.contains(".env") && e.contains("is larger than"), "{e}");
}

#[test]
fn a_compose_file_must_be_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    huge(&dir.path().join("compose.yaml"));
    let e = load_error(dir.path());
    assert!(e.contains("compose.yaml") && e.contains("is larger than"), "{e}");
}

/// `build::plan` of a folder whose `name` is `make`d hostile.
fn plan_error(make: impl Fn(&Path), name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM scratch\n");
    make(&dir.path().join(name));
    let folder = dir.path().to_path_buf();
    let e = bounded(move || build::plan(&folder, "Dockerfile").map(|_| ())).expect_err("the plan was made").to_string();
    drop(dir);
    e
}

#[test]
fn dockerignore_must_be_a_small_regular_file() {
    let e = plan_error(mkfifo, ".dockerignore");
    assert!(e.contains(".dockerignore") && e.contains("is not a regular file"), "{e}");
    let e = plan_error(|p| std::os::unix::fs::symlink("/dev/zero", p).unwrap(), ".dockerignore");
    assert!(e.contains(".dockerignore") && e.contains("is not a regular file"), "{e}");
    let e = plan_error(huge, ".dockerignore");
    assert!(e.contains(".dockerignore") && e.contains("is larger than"), "{e}");
}

#[test]
fn a_huge_dockerfile_is_refused() {
    let e = plan_error(
        |p| {
            std::fs::remove_file(p).unwrap();
            huge(p)
        },
        "Dockerfile",
    );
    assert!(e.contains("Dockerfile") && e.contains("is larger than"), "{e}");
}

#[test]
fn loads_run_off_the_async_workers_and_end() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("fifo"));
    write(dir.path(), "compose.yaml", "include: [fifo]\nservices:\n  web: {image: a}\n");
    // As the app runs: two async workers, more loads than workers, and other work meanwhile.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = std::time::Instant::now();
    let errors = rt.block_on(async {
        let loads: Vec<_> = (0..4)
            .map(|_| tokio::spawn(compose::load_async(Options { project_dir: Some(dir.path().into()), ..Default::default() })))
            .collect();
        let answered = tokio::spawn(async move { started.elapsed() }).await.unwrap();
        assert!(answered < Duration::from_secs(5), "{answered:?}");
        let mut errors = Vec::new();
        for l in loads {
            errors.push(l.await.unwrap().unwrap_err().to_string());
        }
        errors
    });
    assert!(started.elapsed() < crate::blocking::FOLDER_TIMEOUT);
    for e in errors {
        assert!(e.contains("fifo") && e.contains("is not a regular file"), "{e}");
    }
}

#[test]
fn nesting_just_under_the_cap_loads_on_a_small_stack() {
    let dir = tempfile::tempdir().unwrap();
    let depth = crate::compose::yaml::MAX_DEPTH - 1;
    let deep: String = (1..depth).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    write(dir.path(), "compose.yaml", &format!("x-deep:\n{deep}{}k: 1\nservices:\n  web: {{image: a}}\n", " ".repeat(depth)));
    let opts = Options { project_dir: Some(dir.path().into()), ..Default::default() };
    bounded(move || compose::load(&opts)).unwrap();
}
