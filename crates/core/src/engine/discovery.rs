//! Finding engines the way the docker CLI does: DOCKER_HOST, then the current context, then the
//! sockets that Docker, Podman, Colima, OrbStack and Rancher Desktop create by default.
//!
//! Discovery reads an [`Environment`] rather than the process's own, so tests can point it at
//! real files in a temporary home without touching global state.

use super::context;
use super::endpoint::{EngineSource, Endpoint, TlsFiles};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The inputs discovery depends on.
#[derive(Debug, Clone)]
pub struct Environment {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
    /// Prefix for system-wide sockets (/var/run/docker.sock, ...): "/" except in tests.
    pub root: PathBuf,
}

impl Environment {
    pub fn from_process() -> Self {
        Environment { vars: std::env::vars().collect(), home: dirs::home_dir(), root: PathBuf::from("/") }
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

/// Every endpoint found, most preferred first, without duplicates (by host).
pub fn discover(env: &Environment) -> Vec<Endpoint> {
    let mut found = Vec::new();

    if let Some(host) = env.var("DOCKER_HOST") {
        found.push(Endpoint {
            name: "DOCKER_HOST".into(),
            host: host.to_string(),
            source: EngineSource::DockerHost,
            tls: env_tls(env, host),
        });
    }

    if let Some(dir) = env.docker_config_dir() {
        let current = env.var("DOCKER_CONTEXT").map(str::to_string).or_else(|| context::current_name(&dir));
        let mut contexts = context::all(&dir);
        // The current context goes first; the rest stay switchable.
        contexts.sort_by_key(|c| Some(&c.name) != current.as_ref());
        for ctx in contexts {
            found.push(Endpoint {
                name: format!("context: {}", ctx.name),
                host: ctx.host,
                source: EngineSource::Context,
                tls: ctx.tls,
            });
        }
    }

    for (name, path) in well_known(env) {
        if exists(&path) {
            found.push(Endpoint {
                name: name.to_string(),
                host: to_host(&path),
                source: EngineSource::WellKnown,
                tls: None,
            });
        }
    }

    let mut seen = std::collections::HashSet::new();
    found.retain(|e| seen.insert(e.host.clone()));
    found
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

/// Default sockets and pipes, in the order we prefer them.
fn well_known(env: &Environment) -> Vec<(&'static str, PathBuf)> {
    if cfg!(windows) {
        return vec![
            ("Docker Desktop", PathBuf::from(r"\\.\pipe\docker_engine")),
            ("Podman", PathBuf::from(r"\\.\pipe\podman-machine-default")),
        ];
    }
    let mut list = vec![("Docker Engine", env.root.join("var/run/docker.sock"))];
    if let Some(rt) = env.var("XDG_RUNTIME_DIR") {
        let rt = Path::new(rt);
        list.push(("Docker (rootless)", rt.join("docker.sock")));
        list.push(("Podman (rootless)", rt.join("podman/podman.sock")));
    }
    list.push(("Podman", env.root.join("run/podman/podman.sock")));
    if let Some(home) = &env.home {
        list.push(("Docker Desktop", home.join(".docker/run/docker.sock")));
        list.push(("Docker Desktop", home.join(".docker/desktop/docker.sock")));
        list.push(("Colima", home.join(".colima/default/docker.sock")));
        list.push(("OrbStack", home.join(".orbstack/run/docker.sock")));
        list.push(("Rancher Desktop", home.join(".rd/docker.sock")));
    }
    list
}

fn exists(path: &Path) -> bool {
    // Named pipes cannot be stat'ed cheaply; offer them and let the probe decide.
    cfg!(windows) || path.exists()
}

fn to_host(path: &Path) -> String {
    let s = path.to_string_lossy();
    if let Some(pipe) = s.strip_prefix(r"\\.\pipe\") {
        format!("npipe:////./pipe/{pipe}")
    } else {
        format!("unix://{s}")
    }
}

/// Every well-known path, present or not: for the "what was tried" list when nothing answers.
pub fn well_known_hosts(env: &Environment) -> Vec<Endpoint> {
    well_known(env)
        .into_iter()
        .map(|(name, path)| Endpoint {
            name: name.to_string(),
            host: to_host(&path),
            source: EngineSource::WellKnown,
            tls: None,
        })
        .collect()
}
