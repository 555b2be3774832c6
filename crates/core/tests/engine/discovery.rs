//! Discovery against real files: a docker config with contexts (meta.json under the SHA-256 of
//! the name, TLS files), DOCKER_HOST, DOCKER_CONTEXT, and real sockets on disk.

use super::support::until;
use berth_core::engine::{context, discovery, EngineSource, EngineStatus, Environment, Pump};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

fn write_context(config: &Path, name: &str, host: &str, tls: bool) {
    let dir = config.join("contexts/meta").join(context::dir_name(name));
    std::fs::create_dir_all(&dir).unwrap();
    let meta = serde_json::json!({
        "Name": name,
        "Metadata": { "Description": "test" },
        "Endpoints": { "docker": { "Host": host, "SkipTLSVerify": false } }
    });
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    if tls {
        let tls_dir = config.join("contexts/tls").join(context::dir_name(name)).join("docker");
        std::fs::create_dir_all(&tls_dir).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(tls_dir.join(f), "pem").unwrap();
        }
    }
}

fn env(home: &Path, vars: &[(&str, &str)]) -> Environment {
    Environment {
        vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>(),
        home: Some(home.to_path_buf()),
        root: home.to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    }
}

#[test]
fn current_context_comes_first_and_others_stay_switchable() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    write_context(&config, "colima", "unix:///nowhere/colima.sock", false);
    write_context(&config, "remote", "tcp://10.0.0.9:2376", true);
    std::fs::write(config.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();

    let found = discovery::discover(&env(home.path(), &[]));
    let hosts: Vec<_> = found.iter().map(|e| e.host.as_str()).collect();
    assert_eq!(hosts[..2], ["tcp://10.0.0.9:2376", "unix:///nowhere/colima.sock"]);
    assert_eq!(found[0].name, "context: remote");
    assert_eq!(found[0].source, EngineSource::Context);
    let tls = found[0].tls.as_ref().expect("the context's TLS files are used");
    assert!(tls.ca.ends_with(format!("{}/docker/ca.pem", context::dir_name("remote"))));
    assert!(found[1].tls.is_none());
}

#[test]
fn docker_context_variable_overrides_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    write_context(&config, "a", "unix:///a.sock", false);
    write_context(&config, "b", "unix:///b.sock", false);
    std::fs::write(config.join("config.json"), r#"{"currentContext":"a"}"#).unwrap();
    let found = discovery::discover(&env(home.path(), &[("DOCKER_CONTEXT", "b")]));
    assert_eq!(found[0].host, "unix:///b.sock");
}

#[test]
fn docker_host_wins_with_tls_from_cert_path() {
    let home = tempfile::tempdir().unwrap();
    let certs = home.path().join("certs");
    let found = discovery::discover(&env(
        home.path(),
        &[("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs.to_str().unwrap())],
    ));
    assert_eq!(found[0].host, "tcp://127.0.0.1:2376");
    assert_eq!(found[0].source, EngineSource::DockerHost);
    assert_eq!(found[0].tls.as_ref().unwrap().cert, certs.join("cert.pem"));
}

#[test]
fn broken_context_files_do_not_hide_the_others() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    write_context(&config, "good", "unix:///good.sock", false);
    let broken = config.join("contexts/meta/broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("meta.json"), "{not json").unwrap();
    let found = discovery::discover(&env(home.path(), &[]));
    assert!(found.iter().any(|e| e.host == "unix:///good.sock"));
}

#[test]
fn well_known_sockets_are_found_where_they_exist() {
    let home = tempfile::tempdir().unwrap();
    let runtime = home.path().join("run");
    for path in [runtime.join("podman/podman.sock"), home.path().join(".colima/default/docker.sock"), home.path().join(".rd/docker.sock")] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // A real listening socket, as an engine would leave.
        std::mem::forget(std::os::unix::net::UnixListener::bind(&path).unwrap());
    }
    let found = discovery::discover(&env(home.path(), &[("XDG_RUNTIME_DIR", runtime.to_str().unwrap())]));
    let named: Vec<_> = found.iter().filter(|e| e.source == EngineSource::WellKnown).map(|e| (e.name.as_str(), e.host.clone())).collect();
    let podman = format!("unix://{}", runtime.join("podman/podman.sock").display());
    assert!(named.contains(&("Podman (rootless)", podman)), "{named:?}");
    assert!(named.iter().any(|(n, _)| *n == "Colima"));
    assert!(named.iter().any(|(n, _)| *n == "Rancher Desktop"));
    assert!(!named.iter().any(|(n, _)| *n == "Docker Desktop"), "absent sockets are not offered");
}

#[tokio::test]
async fn candidates_probe_each_endpoint() {
    if !super::support::enabled("candidates_probe_each_endpoint") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    write_context(&config, "dead", "unix:///nowhere/dead.sock", false);
    let host = format!("unix://{}", super::support::socket());
    let list = berth_core::engine::candidates(&env(home.path(), &[("DOCKER_HOST", &host)])).await;
    assert_eq!(list[0].host, host);
    assert_eq!(list[0].error, None, "the real engine answers");
    let dead = list.iter().find(|c| c.host == "unix:///nowhere/dead.sock").unwrap();
    let error = dead.error.as_deref().unwrap();
    assert!(error.contains("no socket at /nowhere/dead.sock"), "{error}");
}

/// A home whose docker config stores context `staging` on a second real endpoint (a relay to the
/// engine), with `config.json` as given; the platform default socket (under the test's `root`)
/// is the real engine when `default_up`, else absent.
fn staged(config_json: &str, default_up: bool, vars: &[(&str, &str)]) -> Staged {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".docker");
    let run = home.path().join("var/run");
    std::fs::create_dir_all(&run).unwrap();
    if default_up {
        std::os::unix::fs::symlink(super::support::socket(), run.join("docker.sock")).unwrap();
    }
    let staging = home.path().join("staging.sock");
    let relay = super::support::relay(staging.clone());
    let staging = format!("unix://{}", staging.display());
    write_context(&config, "staging", &staging, false);
    std::fs::write(config.join("config.json"), config_json).unwrap();
    let default = format!("unix://{}", run.join("docker.sock").display());
    let env = env(home.path(), vars);
    Staged { _home: home, env, staging, default, _relay: Abort(relay) }
}

struct Staged {
    _home: tempfile::TempDir,
    env: Environment,
    staging: String,
    default: String,
    _relay: Abort,
}

struct Abort(tokio::task::JoinHandle<()>);

impl Drop for Abort {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pump_uses_the_default_engine_when_no_context_is_current() {
    if !super::support::enabled("pump_uses_the_default_engine_when_no_context_is_current") {
        return;
    }
    let s = staged(r#"{"auths":{}}"#, true, &[]);
    let pump = Pump::start(s.env.clone(), |_| {});
    let engine = pump.connected(Duration::from_secs(10)).await.expect("connects");
    assert_eq!(engine.host(), s.default, "the docker CLI's default, not context staging");
    // Staging is still offered for an explicit switch.
    let list = berth_core::engine::candidates(&s.env).await;
    assert_eq!(list[0].host, s.default);
    assert!(list.iter().any(|c| c.host == s.staging && c.error.is_none()), "{list:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pump_uses_the_current_context_and_docker_context_over_it() {
    if !super::support::enabled("pump_uses_the_current_context_and_docker_context_over_it") {
        return;
    }
    let s = staged(r#"{"currentContext":"staging"}"#, true, &[]);
    let pump = Pump::start(s.env.clone(), |_| {});
    assert_eq!(pump.connected(Duration::from_secs(10)).await.expect("connects").host(), s.staging);

    let s = staged(r#"{"currentContext":"staging"}"#, true, &[("DOCKER_CONTEXT", "default")]);
    let pump = Pump::start(s.env.clone(), |_| {});
    assert_eq!(pump.connected(Duration::from_secs(10)).await.expect("connects").host(), s.default);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pump_never_falls_back_to_another_engine_by_itself() {
    if !super::support::enabled("pump_never_falls_back_to_another_engine_by_itself") {
        return;
    }
    // The default socket is down; staging answers but was not chosen.
    let s = staged("{}", false, &[]);
    let pump = Pump::start(s.env.clone(), |_| {});
    let tried = until(10, "disconnected", async || match pump.status() {
        EngineStatus::Disconnected { tried, .. } => Some(tried),
        _ => None,
    })
    .await;
    assert_eq!(tried.iter().map(|t| t.host.as_str()).collect::<Vec<_>>(), [s.default.as_str()]);
    assert!(pump.connected(Duration::from_secs(3)).await.is_none(), "it must keep waiting for the default");

    // The user picks staging explicitly: that works, and sticks.
    pump.select(&s.staging).await.expect("staging answers");
    assert_eq!(pump.engine().unwrap().host(), s.staging);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_context_is_an_error_not_a_fallback() {
    if !super::support::enabled("a_missing_context_is_an_error_not_a_fallback") {
        return;
    }
    for (config, vars) in [(r#"{"currentContext":"prod"}"#, &[][..]), ("{}", &[("DOCKER_CONTEXT", "prod")][..])] {
        let s = staged(config, true, vars);
        let pump = Pump::start(s.env.clone(), |_| {});
        let reason = until(10, "disconnected", async || match pump.status() {
            EngineStatus::Disconnected { reason, .. } => Some(reason),
            _ => None,
        })
        .await;
        assert!(reason.contains(r#"context "prod" does not exist"#), "{reason}");
        assert!(pump.connected(Duration::from_secs(2)).await.is_none());
    }
}
