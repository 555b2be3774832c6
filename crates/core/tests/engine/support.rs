use berth_core::engine::{Endpoint, EngineSource};
use berth_core::Engine;
use std::process::Command;
use std::sync::OnceLock;

pub const IMAGE: &str = "berth-test/busybox:1";

/// A label every resource made by these tests carries, for teardown.
pub fn run_label() -> &'static str {
    static LABEL: OnceLock<String> = OnceLock::new();
    LABEL.get_or_init(|| format!("berth.test=core-{}", std::process::id()))
}

/// None (and a line saying so) when the engine tests are not enabled.
pub fn enabled(test: &str) -> bool {
    if std::env::var("BERTH_TEST_ENGINE").as_deref() == Ok("1") {
        ensure_image();
        true
    } else {
        eprintln!("skipped {test}: set BERTH_TEST_ENGINE=1 (make test does) to run it against a real engine");
        false
    }
}

fn ensure_image() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/test-image.sh");
        let ok = Command::new("bash").arg(script).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "could not build the test image with {script}");
    });
}

pub fn socket() -> String {
    std::env::var("BERTH_TEST_SOCKET").unwrap_or_else(|_| "/var/run/docker.sock".into())
}

pub async fn engine() -> Engine {
    let endpoint = Endpoint { name: "test".into(), host: format!("unix://{}", socket()), source: EngineSource::WellKnown, tls: None };
    Engine::connect(&endpoint).await.expect("the test engine answers")
}

/// The test engine behind a TCP port of its own: to Berth, an engine on another machine (one
/// that does not see this machine's files).
pub async fn remote_engine() -> Engine {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut unix) = tokio::net::UnixStream::connect(socket()).await {
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
                }
            });
        }
    });
    let endpoint = Endpoint { name: "remote".into(), host: format!("tcp://127.0.0.1:{port}"), source: EngineSource::WellKnown, tls: None };
    Engine::connect(&endpoint).await.expect("the test engine answers on its TCP port")
}

/// `docker` with arguments; panics with its stderr on failure. Returns trimmed stdout.
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker CLI runs");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A unique container name for this run.
pub fn name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!("berth-core-{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// `docker run -d` a labelled container running `script` in sh; returns its id.
pub fn run_sh(name: &str, script: &str) -> String {
    docker(&["run", "-d", "--name", name, "--label", run_label(), IMAGE, "sh", "-c", script])
}

/// Removes a container when dropped, even if the test panicked.
pub struct Cleanup(pub String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        // -v: its anonymous volumes too, so tests leave nothing behind.
        let _ = Command::new("docker").args(["rm", "-f", "-v", &self.0]).output();
    }
}

/// Poll `check` until it returns Some, or panic after `secs`.
pub async fn until<T>(secs: u64, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The test registry (scripts/registry.sh) as `127.0.0.1:<port>`, started once; its login is
/// put where berth-core and the docker CLI look for it (DOCKER_CONFIG).
pub fn registry() -> String {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let ok =
            Command::new("bash").arg(format!("{root}/scripts/registry.sh")).arg("start").status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "could not start the test registry with scripts/registry.sh");
        let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{root}/target"));
        let config = format!("{root}/target/registry/docker-config");
        assert!(std::path::Path::new(&config).is_dir(), "no {config} (target dir {target})");
        std::env::set_var("DOCKER_CONFIG", config);
        format!("127.0.0.1:{}", std::env::var("BERTH_REGISTRY_PORT").unwrap_or_else(|_| "5000".into()))
    })
    .clone()
}

/// Build a labelled image from a Dockerfile body (FROM the test image); returns its tag.
pub fn build_image(tag: &str, dockerfile: &str) -> String {
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(ctx.path().join("Dockerfile"), format!("FROM {IMAGE}\nLABEL {} berth.test.image={tag}\n{dockerfile}\n", run_label()))
        .unwrap();
    let out = Command::new("docker")
        .args(["build", "-q", "-t", tag, ctx.path().to_str().unwrap()])
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("docker build runs");
    assert!(out.status.success(), "docker build {tag}: {}", String::from_utf8_lossy(&out.stderr));
    tag.to_string()
}

/// Removes images (by name) when dropped.
pub struct ImageCleanup(pub Vec<String>);

impl Drop for ImageCleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("docker").args(["rmi", "-f", name]).output();
        }
    }
}

/// Relays connections from `path` to the real engine socket until aborted: a second, distinct
/// endpoint for the same engine, which a test can cut.
pub fn relay(path: std::path::PathBuf) -> tokio::task::JoinHandle<()> {
    use tokio::net::{UnixListener, UnixStream};
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let (mut client, _) = listener.accept().await.unwrap();
            conns.spawn(async move {
                let mut engine = UnixStream::connect(socket()).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
            });
        }
        // Dropping the JoinSet (on abort) closes every relayed connection.
    })
}

/// A socket at `path` that hangs up on every connection (an engine that is not there), sending
/// a note on `tried` each time, until aborted.
pub fn hang_up(path: std::path::PathBuf, tried: tokio::sync::mpsc::UnboundedSender<()>) -> tokio::task::JoinHandle<()> {
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        loop {
            let (conn, _) = listener.accept().await.unwrap();
            drop(conn);
            let _ = tried.send(());
        }
    })
}
