//! Which engine to use, exactly as the docker CLI decides: `DOCKER_HOST`, else `DOCKER_CONTEXT`,
//! else `currentContext` in config.json, else the platform's default socket (the CLI's `default`
//! context). That one endpoint is the engine; other contexts and the sockets that Docker, Podman,
//! Colima, OrbStack and Rancher Desktop create are listed for an explicit switch, never chosen
//! by themselves.
//!
//! Discovery reads an [`Environment`] rather than the process's own, so tests can point it at
//! real files in a temporary home without touching global state.

use super::context;
use super::endpoint::{Endpoint, EngineSource, TlsFiles};
use crate::platform::{sockets, Os};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The inputs discovery depends on.
#[derive(Debug, Clone)]
pub struct Environment {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
    /// Prefix for system-wide sockets (/var/run/docker.sock, ...): "/" except in tests.
    pub root: PathBuf,
    /// Whose default sockets and pipes to look for.
    pub os: Os,
}

impl Environment {
    pub fn from_process() -> Self {
        Environment { vars: std::env::vars().collect(), home: dirs::home_dir(), root: PathBuf::from("/"), os: Os::CURRENT }
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The docker CLI's config folder: $DOCKER_CONFIG, else ~/.docker.
    pub fn docker_config_dir(&self) -> Option<PathBuf> {
        match self.var("DOCKER_CONFIG") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => self.home.as_ref().map(|h| h.join(".docker")),
        }
    }
}

/// The engine the docker CLI would use, or a sentence saying why there is none (a context that
/// DOCKER_CONTEXT or config.json names does not exist).
pub fn chosen(env: &Environment) -> Result<Endpoint, String> {
    if let Some(host) = env.var("DOCKER_HOST") {
        return Ok(docker_host(env, host));
    }
    let (name, from) = match env.var("DOCKER_CONTEXT") {
        Some(name) => (name.to_string(), "DOCKER_CONTEXT"),
        None => match env.docker_config_dir().and_then(|dir| context::current_name(&dir)) {
            Some(name) => (name, "currentContext in config.json"),
            None => return Ok(default_endpoint(env)),
        },
    };
    if name == "default" {
        return Ok(default_endpoint(env));
    }
    let dir = env.docker_config_dir().ok_or_else(|| "There is no home folder to find docker contexts in.".to_string())?;
    let ctx = context::find(&dir, &name).map_err(|e| {
        format!("Docker {e} (it is named by {from}). Fix or unset {from}, or create the context with \"docker context create\".")
    })?;
    Ok(from_context(ctx))
}

/// Set when DOCKER_HOST hides a context that DOCKER_CONTEXT or config.json names: the docker
/// CLI then uses DOCKER_HOST and warns, and so does Berth.
pub fn host_overrides_context(env: &Environment) -> Option<String> {
    env.var("DOCKER_HOST")?;
    let name = env.var("DOCKER_CONTEXT").map(str::to_string).or_else(|| env.docker_config_dir().and_then(|d| context::current_name(&d)))?;
    (name != "default").then(|| {
        format!("DOCKER_HOST overrides the active context \"{name}\", as in the docker CLI. Unset DOCKER_HOST to use the context.")
    })
}

/// The chosen engine first (when there is one), then every context, then every default socket
/// that exists: what the switcher offers. No duplicates (by host).
pub fn discover(env: &Environment) -> Vec<Endpoint> {
    let mut found: Vec<Endpoint> = chosen(env).into_iter().collect();
    if let Some(dir) = env.docker_config_dir() {
        found.extend(context::all(&dir).into_iter().map(from_context));
    }
    let places = sockets::Places {
        root: &env.root,
        home: env.home.as_deref(),
        runtime_dir: env.var("XDG_RUNTIME_DIR").map(Path::new),
        temp_dir: env.var("TMPDIR").map(Path::new),
    };
    for (name, host) in sockets::well_known(env.os, &places) {
        if sockets::may_exist(&host) {
            found.push(Endpoint { name: name.to_string(), host, source: EngineSource::WellKnown, tls: None });
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|e| seen.insert(e.host.clone()));
    found
}

fn docker_host(env: &Environment, host: &str) -> Endpoint {
    Endpoint { name: "DOCKER_HOST".into(), host: host.to_string(), source: EngineSource::DockerHost, tls: env_tls(env, host) }
}

fn from_context(ctx: context::Context) -> Endpoint {
    Endpoint { name: format!("context: {}", ctx.name), host: ctx.host, source: EngineSource::Context, tls: ctx.tls }
}

/// The CLI's `default` context without DOCKER_HOST: the platform's engine socket or pipe.
fn default_endpoint(env: &Environment) -> Endpoint {
    Endpoint { name: "context: default".into(), host: sockets::default_host(env.os, &env.root), source: EngineSource::Context, tls: None }
}

/// DOCKER_TLS_VERIFY with DOCKER_CERT_PATH (default ~/.docker) for a tcp:// DOCKER_HOST.
fn env_tls(env: &Environment, host: &str) -> Option<TlsFiles> {
    if !host.starts_with("tcp://") && !host.starts_with("https://") {
        return None;
    }
    env.var("DOCKER_TLS_VERIFY")?;
    let dir = env.var("DOCKER_CERT_PATH").map(PathBuf::from).or_else(|| env.docker_config_dir())?;
    Some(TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DOCKER_CONFIG folder with these contexts (name, host) and config.json text.
    fn config(contexts: &[(&str, &str)], config_json: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, host) in contexts {
            let meta = dir.path().join("contexts/meta").join(context::dir_name(name));
            std::fs::create_dir_all(&meta).unwrap();
            let json = serde_json::json!({ "Name": name, "Endpoints": { "docker": { "Host": host } } });
            std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
        }
        std::fs::write(dir.path().join("config.json"), config_json).unwrap();
        dir
    }

    fn env(config: &Path, vars: &[(&str, &str)]) -> Environment {
        let mut vars: HashMap<_, _> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        vars.insert("DOCKER_CONFIG".into(), config.display().to_string());
        Environment { vars, home: None, root: PathBuf::from("/test-root"), os: Os::Linux }
    }

    const DEFAULT: &str = "unix:///test-root/var/run/docker.sock";

    #[test]
    fn no_current_context_is_the_default_socket_not_another_context() {
        let dir = config(&[("staging", "tcp://staging:2376")], r#"{"auths":{}}"#);
        let e = chosen(&env(dir.path(), &[])).unwrap();
        assert_eq!((e.host.as_str(), e.name.as_str()), (DEFAULT, "context: default"));
        let hosts: Vec<_> = discover(&env(dir.path(), &[])).into_iter().map(|e| e.host).collect();
        assert_eq!(hosts, [DEFAULT, "tcp://staging:2376"], "staging stays switchable");
    }

    #[test]
    fn current_context_then_docker_context_then_docker_host() {
        let dir = config(&[("a", "unix:///a.sock"), ("b", "unix:///b.sock")], r#"{"currentContext":"a"}"#);
        assert_eq!(chosen(&env(dir.path(), &[])).unwrap().host, "unix:///a.sock");
        assert_eq!(chosen(&env(dir.path(), &[("DOCKER_CONTEXT", "b")])).unwrap().host, "unix:///b.sock");
        assert_eq!(chosen(&env(dir.path(), &[("DOCKER_CONTEXT", "default")])).unwrap().host, DEFAULT);
        let both = env(dir.path(), &[("DOCKER_CONTEXT", "b"), ("DOCKER_HOST", "tcp://h:2375")]);
        let e = chosen(&both).unwrap();
        assert_eq!((e.host.as_str(), e.source), ("tcp://h:2375", EngineSource::DockerHost));
        let warning = host_overrides_context(&both).expect("the CLI warns");
        assert!(warning.contains(r#"DOCKER_HOST overrides the active context "b""#), "{warning}");
        // currentContext is overridden too, and "default" hides nothing.
        assert!(host_overrides_context(&env(dir.path(), &[("DOCKER_HOST", "tcp://h:2375")])).is_some());
        let plain = config(&[], r#"{"currentContext":"default"}"#);
        assert!(host_overrides_context(&env(plain.path(), &[("DOCKER_HOST", "tcp://h:2375")])).is_none());
        assert_eq!(chosen(&env(plain.path(), &[])).unwrap().host, DEFAULT);
    }

    #[test]
    fn each_platform_defaults_to_its_own_engine_and_lists_its_sockets() {
        let dir = config(&[], "{}");
        let windows = Environment { os: Os::Windows, ..env(dir.path(), &[]) };
        assert_eq!(chosen(&windows).unwrap().host, "npipe:////./pipe/docker_engine");
        let hosts: Vec<_> = discover(&windows).into_iter().map(|e| e.host).collect();
        assert_eq!(
            hosts,
            ["npipe:////./pipe/docker_engine", "npipe:////./pipe/dockerDesktopLinuxEngine", "npipe:////./pipe/podman-machine-default"]
        );
        let mac = Environment { os: Os::MacOs, ..env(dir.path(), &[]) };
        assert_eq!(chosen(&mac).unwrap().host, DEFAULT);
        // DOCKER_HOST still wins everywhere.
        let host = Environment { os: Os::Windows, ..env(dir.path(), &[("DOCKER_HOST", "tcp://h:2375")]) };
        assert_eq!(chosen(&host).unwrap().host, "tcp://h:2375");
    }

    #[test]
    fn a_context_that_does_not_exist_is_an_error() {
        let dir = config(&[("staging", "tcp://staging:2376")], r#"{"currentContext":"prod"}"#);
        let err = chosen(&env(dir.path(), &[])).unwrap_err();
        assert!(err.contains(r#"context "prod" does not exist"#) && err.contains("currentContext"), "{err}");
        let err = chosen(&env(dir.path(), &[("DOCKER_CONTEXT", "qa")])).unwrap_err();
        assert!(err.contains(r#"context "qa" does not exist"#) && err.contains("DOCKER_CONTEXT"), "{err}");
        // The switcher still lists what exists.
        assert_eq!(discover(&env(dir.path(), &[]))[0].host, "tcp://staging:2376");
    }
}
