//! Discovery against real files: a docker config with contexts (meta.json under the SHA-256 of
//! the name, TLS files), DOCKER_HOST, DOCKER_CONTEXT, and real sockets on disk.

use berth_core::engine::{context, discovery, EngineSource, Environment};
use std::collections::HashMap;
use std::path::Path;

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
    for path in [runtime.join("podman/podman.sock"), home.path().join(".colima/default/docker.sock"), home.path().join(".orbstack/run/docker.sock")] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // A real listening socket, as an engine would leave.
        std::mem::forget(std::os::unix::net::UnixListener::bind(&path).unwrap());
    }
    let found = discovery::discover(&env(home.path(), &[("XDG_RUNTIME_DIR", runtime.to_str().unwrap())]));
    let named: Vec<_> = found.iter().filter(|e| e.source == EngineSource::WellKnown).map(|e| (e.name.as_str(), e.host.clone())).collect();
    let podman = format!("unix://{}", runtime.join("podman/podman.sock").display());
    assert!(named.contains(&("Podman (rootless)", podman)), "{named:?}");
    assert!(named.iter().any(|(n, _)| *n == "Colima"));
    assert!(named.iter().any(|(n, _)| *n == "OrbStack"));
    assert!(!named.iter().any(|(n, _)| *n == "Rancher Desktop"), "absent sockets are not offered");
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
