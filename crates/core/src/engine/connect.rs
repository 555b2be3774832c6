//! A live connection to one engine, with its API version negotiated.

use super::endpoint::Endpoint;
use super::info::EngineInfo;
use crate::error::{Error, Result};
use bollard::{Docker, API_DEFAULT_VERSION};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a probe may take before we call the endpoint unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the engine's facts may take: /info walks the daemon's state, slower than a probe.
const INFO_TIMEOUT: Duration = Duration::from_secs(10);
/// Request timeout for ordinary calls (stream bodies are not limited by it).
const REQUEST_TIMEOUT_SECS: u64 = 120;

/// A connected engine. Cheap to clone; every domain function takes `&Engine`.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    endpoint: Endpoint,
    /// Volume sizes as last measured on this connection (a disk walk of every volume, too slow
    /// to repeat on every change); None until measured. See `volumes::measure`.
    pub(crate) volume_sizes: Arc<Mutex<Option<HashMap<String, i64>>>>,
}

impl Engine {
    /// Connect, negotiate the API version and check the engine answers.
    pub async fn connect(endpoint: &Endpoint) -> Result<Engine> {
        let unreachable = |reason: String| Error::EngineUnreachable { host: endpoint.host.clone(), reason };
        if endpoint.host.starts_with("ssh://") {
            // The CLI runs `ssh HOST docker system dial-stdio`; Berth does not (yet): say what works.
            return Err(Error::InvalidInput {
                field: None,
                message: format!(
                    "Berth cannot reach engines over ssh:// yet ({}). Forward the engine's socket (ssh -nNT -L \
                     /tmp/docker.sock:/var/run/docker.sock HOST) and start Berth with \
                     DOCKER_HOST=unix:///tmp/docker.sock, or pick another engine in the switcher.",
                    endpoint.host
                ),
            });
        }
        let docker = client(endpoint).map_err(|e| Error::from_engine(e, "engine", &endpoint.host))?;
        let docker = tokio::time::timeout(PROBE_TIMEOUT, docker.negotiate_version())
            .await
            .map_err(|_| unreachable("it did not answer within 3 seconds".into()))?
            .map_err(|e| Error::from_engine(e, "engine", &endpoint.host))?;
        Ok(Engine { docker, endpoint: endpoint.clone(), volume_sizes: Arc::default() })
    }

    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub fn host(&self) -> &str {
        &self.endpoint.host
    }

    /// Map a bollard error from a call about `what` ("Container web").
    pub(crate) fn err(&self, what: &str) -> impl Fn(bollard::errors::Error) -> Error + '_ {
        let what = what.to_string();
        move |e| Error::from_engine(e, &what, &self.endpoint.host)
    }

    /// Is the engine still answering?
    pub async fn ping(&self) -> Result<()> {
        match tokio::time::timeout(PROBE_TIMEOUT, self.docker.ping()).await {
            Ok(r) => r.map(|_| ()).map_err(self.err("engine")),
            Err(_) => Err(Error::EngineUnreachable { host: self.host().into(), reason: "it did not answer within 3 seconds".into() }),
        }
    }

    /// Version and host facts for the engine bar.
    pub async fn info(&self) -> Result<EngineInfo> {
        // Bounded: an engine stuck halfway must not hold the pump (or a switch) for the 120 s
        // request timeout.
        let facts = tokio::time::timeout(INFO_TIMEOUT, async { tokio::try_join!(self.docker.info(), self.docker.version()) });
        let (info, version) = facts
            .await
            .map_err(|_| Error::EngineUnreachable { host: self.host().into(), reason: "it did not answer /info within 10 seconds".into() })?
            .map_err(self.err("engine"))?;
        // Docker Desktop and Docker CE name their platform; distribution builds (Debian's
        // docker.io) do not, and Podman says so in its components.
        let components = version.components.clone().unwrap_or_default();
        let product = version.platform.map(|p| p.name).filter(|n| !n.is_empty()).unwrap_or_else(|| {
            match components.iter().any(|c| c.name.contains("Podman")) {
                true => "Podman Engine".into(),
                false => "Docker Engine".into(),
            }
        });
        Ok(EngineInfo {
            name: self.endpoint.name.clone(),
            host: self.endpoint.host.clone(),
            product,
            version: version.version.unwrap_or_default(),
            api_version: self.docker.client_version().to_string(),
            os: info.operating_system.unwrap_or_default(),
            os_type: info.os_type.unwrap_or_default(),
            arch: info.architecture.unwrap_or_default(),
            kernel_version: info.kernel_version.unwrap_or_default(),
            cpus: info.ncpu.unwrap_or_default(),
            memory_bytes: info.mem_total.unwrap_or_default(),
            containers: info.containers.unwrap_or_default(),
            containers_running: info.containers_running.unwrap_or_default(),
            images: info.images.unwrap_or_default(),
            warning: None,
        })
    }
}

fn client(endpoint: &Endpoint) -> Result<Docker, bollard::errors::Error> {
    let host = endpoint.host.as_str();
    let docker = match &endpoint.tls {
        Some(tls) => Docker::connect_with_ssl(host, &tls.key, &tls.cert, &tls.ca, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)?,
        None if host.starts_with("unix://") => Docker::connect_with_unix(host, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)?,
        #[cfg(windows)]
        None if host.starts_with("npipe://") => Docker::connect_with_named_pipe(host, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)?,
        None if host.starts_with("tcp://") || host.starts_with("http://") => {
            Docker::connect_with_http(host, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)?
        }
        None => Docker::connect_with_host(host)?,
    };
    Ok(docker)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineSource;

    #[tokio::test]
    async fn an_ssh_engine_gets_a_sentence_saying_what_to_do() {
        let endpoint = Endpoint { name: "context: staging".into(), host: "ssh://me@box".into(), source: EngineSource::Context, tls: None };
        let message = Engine::connect(&endpoint).await.unwrap_err().to_string();
        assert!(message.contains("over ssh://") && message.contains("DOCKER_HOST=unix://"), "{message}");
    }
}
