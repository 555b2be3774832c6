//! Faults: a private engine (scripts/engine2.sh) killed in the middle of an operation, and a
//! private registry killed in the middle of a push. Each operation must end within a bound with
//! a sentence, report what it left behind, and the pump must reconnect once the engine is back.
//! The engine is killed from inside the operation's own progress callback, so the kill always
//! lands mid-operation, however loaded the machine is.

use super::support::*;
use berth_core::build::{self, BuildEvent, BuildRequest};
use berth_core::compose::{self, Options, UpOptions};
use berth_core::containers::{exec, logs};
use berth_core::engine::{Endpoint, EngineEvent, EngineSource, EngineStatus, Environment, Pump};
use berth_core::images::{self, TransferEvent};
use berth_core::{volumes, Engine};
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// An operation must end this soon after its engine (or registry) died.
const BOUND: Duration = Duration::from_secs(20);
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/engine2.sh");

/// The private engine; one test at a time uses it (killing it would break the others). Stopped,
/// with everything it made, when dropped.
struct Engine2 {
    name: String,
    sock: String,
    _turn: MutexGuard<'static, ()>,
}

impl Engine2 {
    fn start() -> Engine2 {
        static TURN: Mutex<()> = Mutex::new(());
        let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let name = format!("flt{}", std::process::id() % 100_000);
        let mut e = Engine2 { sock: String::new(), name, _turn: turn };
        e.sock = e.script("start");
        e
    }

    fn script(&self, cmd: &str) -> String {
        let out = Command::new("bash").args([SCRIPT, cmd, &self.name]).output().expect("engine2.sh runs");
        assert!(out.status.success(), "engine2.sh {cmd}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn host(&self) -> String {
        format!("unix://{}", self.sock)
    }

    fn kill(&self) {
        self.script("kill");
    }

    async fn engine(&self) -> Engine {
        let endpoint = Endpoint { name: "faults".into(), host: self.host(), source: EngineSource::WellKnown, tls: None };
        Engine::connect(&endpoint).await.expect("the private engine answers")
    }

    /// `docker -H <private engine>`; panics on failure.
    fn docker(&self, args: &[&str]) -> String {
        let out = Command::new("docker").arg("-H").arg(self.host()).args(args).output().expect("docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A pump on this engine only, recording its status changes.
    async fn pump(&self) -> (Pump, Arc<Mutex<Vec<EngineStatus>>>) {
        let seen: Arc<Mutex<Vec<EngineStatus>>> = Arc::default();
        let sink = seen.clone();
        let env = Environment {
            vars: HashMap::from([("DOCKER_HOST".to_string(), self.host())]),
            home: Some(std::env::temp_dir()),
            root: std::env::temp_dir(),
            os: berth_core::platform::Os::CURRENT,
        };
        let pump = Pump::start(env, move |e| {
            if let EngineEvent::Status(s) = e {
                sink.lock().unwrap().push(*s);
            }
        });
        pump.connected(Duration::from_secs(30)).await.expect("the pump connects to the private engine");
        (pump, seen)
    }

    /// Start the killed engine again; the pump, which saw it go, must reconnect by itself.
    async fn revive(&self, pump: &Pump, seen: &Mutex<Vec<EngineStatus>>) {
        until(30, "the pump to see the engine gone", async || {
            seen.lock().unwrap().iter().any(|s| matches!(s, EngineStatus::Disconnected { .. })).then_some(())
        })
        .await;
        self.script("start");
        until(60, "the pump to reconnect", async || matches!(pump.status(), EngineStatus::Connected { .. }).then_some(())).await;
    }

    /// Build an image of `mb` megabytes of random data in a few layers, on this engine.
    fn big_image(&self, tag: &str, mb: u32) {
        let ctx = tempfile::tempdir().unwrap();
        let layer = mb / 4;
        let runs: String = (0..4).map(|i| format!("RUN dd if=/dev/urandom of=/blob{i} bs=1M count={layer} 2>/dev/null\n")).collect();
        std::fs::write(ctx.path().join("Dockerfile"), format!("FROM {IMAGE}\n{runs}")).unwrap();
        let out = Command::new("docker")
            .args(["-H", &self.host(), "build", "-q", "-t", tag, ctx.path().to_str().unwrap()])
            .env("DOCKER_BUILDKIT", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "build {tag}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Engine2 {
    fn drop(&mut self) {
        let _ = Command::new("bash").args([SCRIPT, "stop", &self.name]).output();
    }
}

/// A private registry without login on a loopback port of its own; killed when dropped.
struct Registry2 {
    port: u16,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Registry2 {
    fn start() -> Registry2 {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!("version: 0.1\nlog: {{ level: warn }}\nstorage: {{ filesystem: {{ rootdirectory: {} }} }}\nhttp: {{ addr: 127.0.0.1:{port} }}\n", dir.path().join("data").display()),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry runs");
        let r = Registry2 { port, child, _dir: dir };
        for _ in 0..100 {
            if r.manifest_status("none", "x") != "000" {
                return r;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the private registry did not answer on port {port}");
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The HTTP status of a manifest ("200", "404"; "000" when nothing answers).
    fn manifest_status(&self, repo: &str, tag: &str) -> String {
        let url = format!("http://127.0.0.1:{}/v2/{repo}/manifests/{tag}", self.port);
        let out = Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "Accept: application/vnd.docker.distribution.manifest.v2+json",
                &url,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry2 {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the user reads must be a sentence: no Debug dump, no library names.
fn assert_sentence(message: &str) {
    eprintln!("the user reads: {message}");
    let first = message.chars().next().unwrap_or(' ');
    assert!(first.is_uppercase(), "not a sentence: {message}");
    assert!(message.trim_end().ends_with('.'), "not a sentence: {message}");
    for raw in ["Error {", "hyper", "bollard", "Os {", "kind:", "Some(", "\"message\"", "error reading a body", "connection closed before"]
    {
        assert!(!message.contains(raw), "raw error text ({raw}) in: {message}");
    }
}

async fn bounded<T>(what: &str, op: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, op).await.unwrap_or_else(|_| panic!("{what} did not end within {BOUND:?} of the engine dying"))
}

fn failed(events: &[TransferEvent]) -> String {
    match events.last() {
        Some(TransferEvent::Failed { error }) => error.message.clone(),
        other => panic!("the transfer did not end with a failure: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_and_push_end_with_a_sentence_when_the_engine_dies() {
    if !enabled("faults_pull_push") {
        return;
    }
    let e2 = Engine2::start();
    let registry = Registry2::start();
    let reference = format!("{}/faults/big:1", registry.host());
    e2.big_image(&reference, 120);
    let (pump, seen) = e2.pump().await;
    let engine = e2.engine().await;
    let r = images::normalize(&reference).unwrap();

    // Push: the engine dies once bytes move; the registry is left without the tag.
    let mut events = Vec::new();
    let mut killed = false;
    bounded(
        "the push",
        images::push(&engine, &r, |ev| {
            if !killed && matches!(&ev, TransferEvent::Progress(p) if p.bytes_done > 0) {
                killed = true;
                e2.kill();
            }
            events.push(ev);
        }),
    )
    .await;
    assert!(killed, "the push reported progress before it ended: {events:?}");
    let message = failed(&events);
    assert_sentence(&message);
    assert!(message.contains("engine"), "says the engine went away: {message}");
    e2.revive(&pump, &seen).await;
    assert_eq!(registry.manifest_status("faults/big", "1"), "404", "a killed push published no tag");

    // Pull: push it for real, remove it here, pull it back and kill the engine mid-pull.
    e2.docker(&["push", &reference]);
    e2.docker(&["rmi", &reference]);
    seen.lock().unwrap().clear();
    let engine = e2.engine().await;
    let mut events = Vec::new();
    killed = false;
    bounded(
        "the pull",
        images::pull(&engine, &r, |ev| {
            if !killed && matches!(&ev, TransferEvent::Progress(p) if p.bytes_done > 0) {
                killed = true;
                e2.kill();
            }
            events.push(ev);
        }),
    )
    .await;
    assert!(killed, "the pull reported progress before it ended: {events:?}");
    let message = failed(&events);
    assert_sentence(&message);
    e2.revive(&pump, &seen).await;
    let left = Command::new("docker").args(["-H", &e2.host(), "image", "inspect", &reference]).output().unwrap();
    assert!(!left.status.success(), "a killed pull left no half-made image tagged {reference}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_ends_with_a_sentence_when_the_registry_dies() {
    if !enabled("faults_registry_dies") {
        return;
    }
    let e2 = Engine2::start();
    let mut registry = Registry2::start();
    let reference = format!("{}/faults/gone:1", registry.host());
    e2.big_image(&reference, 120);
    let engine = e2.engine().await;
    let r = images::normalize(&reference).unwrap();
    let registry_cell = Mutex::new(&mut registry);
    let mut events = Vec::new();
    let mut killed = false;
    let started = std::time::Instant::now();
    // The engine retries a failed upload a few times (about 50 s, as `docker push` shows it), and
    // the progress says so meanwhile; then the push must end with a sentence.
    tokio::time::timeout(
        Duration::from_secs(150),
        images::push(&engine, &r, |ev| {
            if !killed && matches!(&ev, TransferEvent::Progress(p) if p.bytes_done > 0) {
                killed = true;
                registry_cell.lock().unwrap().kill();
            }
            events.push(ev);
        }),
    )
    .await
    .expect("the push ends");
    eprintln!("push ended after {:?}", started.elapsed());
    let retried = events.iter().any(|e| matches!(e, TransferEvent::Progress(p) if p.message.starts_with("Retrying in")));
    assert!(retried, "the progress showed the engine retrying: {events:?}");
    assert!(killed, "the push reported progress before it ended: {events:?}");
    let message = failed(&events);
    assert_sentence(&message);
    assert!(message.contains(&registry.host()), "names the registry: {message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_ends_with_its_failed_step_when_the_engine_dies() {
    if !enabled("faults_build") {
        return;
    }
    let e2 = Engine2::start();
    let (pump, seen) = e2.pump().await;
    let engine = e2.engine().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {IMAGE}\nRUN echo working && sleep 120\n")).unwrap();
    let request = BuildRequest {
        folder: dir.path().to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tags: vec!["faults/build:1".into()],
        ..Default::default()
    };
    let mut events = Vec::new();
    let mut killed = false;
    let result = bounded(
        "the build",
        build::build(&engine, &request, |ev| {
            if !killed && matches!(&ev, BuildEvent::Log { lines, .. } if lines.iter().any(|l| l.contains("working"))) {
                killed = true;
                e2.kill();
            }
            events.push(ev);
        }),
    )
    .await;
    assert!(killed, "the build printed its step's output: {events:?}");
    let error = result.expect_err("the build failed");
    assert_sentence(&error.to_string());
    match events.last() {
        Some(BuildEvent::Failed { step_id, .. }) => assert!(step_id.is_some(), "the failure names the running step"),
        other => panic!("the build ended with Failed: {other:?}"),
    }
    e2.revive(&pump, &seen).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_up_reports_what_it_created_when_the_engine_dies() {
    if !enabled("faults_compose_up") {
        return;
    }
    let e2 = Engine2::start();
    let (pump, seen) = e2.pump().await;
    let engine = e2.engine().await;
    let dir = tempfile::tempdir().unwrap();
    let yaml = "services:\n  a:\n    image: IMAGE\n    command: sleep 300\n  b:\n    image: IMAGE\n    command: sleep 300\n    depends_on: [a]\n  c:\n    image: IMAGE\n    command: sleep 300\n    depends_on: [b]\n";
    std::fs::write(dir.path().join("compose.yaml"), yaml.replace("IMAGE", IMAGE)).unwrap();
    let project = compose::load(&Options {
        project_dir: Some(dir.path().to_path_buf()),
        name: Some("faults".into()),
        env: BTreeMap::new(),
        ..Default::default()
    })
    .unwrap_or_else(|p| panic!("{p}"));
    let killed = Mutex::new(false);
    let outcome = bounded(
        "compose up",
        compose::up(&engine, &project, &UpOptions::default(), &|p| {
            let mut killed = killed.lock().unwrap();
            if !*killed && p.resource.starts_with("Container") && p.state == "Started" {
                *killed = true;
                e2.kill();
            }
        }),
    )
    .await
    .expect("up reports the failure in its outcome");
    assert!(*killed.lock().unwrap(), "a container started before the engine died");
    let error = outcome.error.clone().expect("the up failed");
    assert_sentence(&error.message);
    assert!(!outcome.created.containers.is_empty() || !outcome.created.networks.is_empty(), "the outcome lists what was made: {outcome:?}");
    e2.revive(&pump, &seen).await;
    // What the engine kept is what the outcome said was made.
    let kept = e2.docker(&["ps", "-aq", "--no-trunc", "--filter", "label=com.docker.compose.project=faults"]);
    for id in kept.lines() {
        assert!(
            outcome.created.containers.iter().any(|c| c == id || id.starts_with(c.as_str()) || c.starts_with(id)),
            "{id} was made but not reported: {outcome:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_follow_and_exec_end_with_a_sentence_when_the_engine_dies() {
    if !enabled("faults_logs_exec") {
        return;
    }
    let e2 = Engine2::start();
    let (pump, seen) = e2.pump().await;
    let engine = e2.engine().await;
    let id = e2.docker(&["run", "-d", IMAGE, "sh", "-c", "while true; do echo tick; sleep 0.2; done"]);

    // A terminal session: its output must end with a sentence, not just stop.
    let (_session, mut output, _input) = exec::start(&engine, &id, 80, 24).await.expect("a shell starts");
    let follow = follow_logs(&engine, &id).await;
    e2.kill();
    assert_follow_ended(&bounded("the log follow", follow).await.unwrap());
    let last = bounded("the terminal session", async {
        let mut last = None;
        while let Some(item) = output.next().await {
            last = Some(item);
        }
        last
    })
    .await;
    match last {
        Some(Err(e)) => assert_sentence(&e.to_string()),
        other => panic!("the session ended saying why: {other:?}"),
    }
    e2.revive(&pump, &seen).await;
}

/// Follow a container's logs in a task until they end; returns once the first lines came.
async fn follow_logs(engine: &Engine, id: &str) -> tokio::task::JoinHandle<Vec<logs::LogEvent>> {
    let (engine, id) = (engine.clone(), id.to_string());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let follow = tokio::spawn(async move {
        let mut events = Vec::new();
        let mut tx = Some(tx);
        logs::follow(&engine, &id, logs::LogOptions { follow: true, timestamps: false, tail: None }, |ev| {
            if matches!(ev, logs::LogEvent::Lines { .. }) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            }
            events.push(ev);
        })
        .await;
        events
    });
    rx.await.expect("the log follow printed lines");
    follow
}

fn assert_follow_ended(events: &[logs::LogEvent]) {
    match events.last() {
        Some(logs::LogEvent::End { error: Some(error) }) => assert_sentence(&error.message),
        other => panic!("the follow ended saying why: {other:?}"),
    }
}

/// An engine that hangs with its connections open (as a remote one that vanished without a
/// word): the follow notices by itself and ends with a sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_follow_ends_with_a_sentence_when_the_engine_hangs() {
    if !enabled("faults_logs_hang") {
        return;
    }
    let e2 = Engine2::start();
    let engine = e2.engine().await;
    let id = e2.docker(&["run", "-d", IMAGE, "sh", "-c", "while true; do echo tick; sleep 0.2; done"]);
    let follow = follow_logs(&engine, &id).await;
    e2.script("freeze");
    let ended = tokio::time::timeout(BOUND, follow).await;
    e2.script("thaw");
    assert_follow_ended(&ended.expect("the follow of a hung engine ended within the bound").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_browse_ends_with_a_sentence_when_the_engine_dies() {
    if !enabled("faults_volume_browse") {
        return;
    }
    let e2 = Engine2::start();
    let (pump, seen) = e2.pump().await;
    let engine = e2.engine().await;
    e2.docker(&["volume", "create", "big"]);
    e2.docker(&[
        "run",
        "--rm",
        "-v",
        "big:/v",
        IMAGE,
        "sh",
        "-c",
        "for i in 1 2 3 4 5 6; do dd if=/dev/zero of=/v/f$i bs=1M count=200 2>/dev/null; done",
    ]);
    // Kill the engine as soon as the browser's helper container exists (it reads ~1.2 GB then).
    let host = e2.host();
    let watcher = std::thread::spawn(move || {
        for _ in 0..600 {
            let out =
                Command::new("docker").args(["-H", &host, "ps", "-aq", "--filter", "label=berth.helper=volume-browse"]).output().unwrap();
            if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    });
    let browse = volumes::browse(&engine, "big");
    let browse = async {
        let mut browse = std::pin::pin!(browse);
        loop {
            tokio::select! {
                r = &mut browse => return r,
                _ = tokio::time::sleep(Duration::from_millis(10)) => {
                    if watcher.is_finished() {
                        e2.kill();
                        return browse.await;
                    }
                }
            }
        }
    };
    let result = bounded("the volume browse", browse).await;
    let error = result.expect_err("the browse failed");
    assert_sentence(&error.to_string());
    e2.revive(&pump, &seen).await;
    // The helper the dead engine kept is not left for good: a later browse removes it.
    let helpers = || e2.docker(&["ps", "-aq", "--filter", "label=berth.helper=volume-browse"]);
    assert!(!helpers().is_empty(), "the killed browse left its helper (so this test proves the sweep)");
    e2.docker(&["volume", "create", "small"]);
    let engine = e2.engine().await;
    until(120, "a later browse to remove the stale helper", async || {
        volumes::browse(&engine, "small").await.expect("the small volume is browsed");
        if helpers().is_empty() {
            return Some(());
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        None
    })
    .await;
}
