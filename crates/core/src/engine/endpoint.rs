//! Where an engine can be reached, and where that knowledge came from.

use serde::Serialize;
use std::path::PathBuf;

/// Where an endpoint came from, in the order the docker CLI gives them precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum EngineSource {
    /// The DOCKER_HOST environment variable.
    DockerHost,
    /// A docker CLI context (DOCKER_CONTEXT, `currentContext`, or any other context on disk).
    Context,
    /// A socket or pipe that Docker, Podman, Colima, OrbStack, ... create by default.
    WellKnown,
}

/// Client certificates for a TLS tcp:// endpoint (DOCKER_CERT_PATH or a context's tls folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// One way to reach an engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    /// unix:///path, tcp://host:port, npipe:////./pipe/name, ssh://...
    pub host: String,
    pub source: EngineSource,
    pub tls: Option<TlsFiles>,
}

/// An endpoint as the UI sees it, with the outcome of probing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineCandidate {
    pub name: String,
    pub host: String,
    pub source: EngineSource,
    /// None when it answered; otherwise why not, as a sentence.
    pub error: Option<String>,
}

impl Endpoint {
    pub fn candidate(&self, error: Option<String>) -> EngineCandidate {
        EngineCandidate { name: self.name.clone(), host: self.host.clone(), source: self.source, error }
    }

    /// Whether the engine sees this machine's files where this machine does (a local socket:
    /// the engine runs here, or in a VM that shares them, as Docker Desktop's does), so that a
    /// bind mount of a local folder holds its files. Not for tcp:// or ssh:// engines.
    pub fn is_local(&self) -> bool {
        self.host.starts_with("unix://") || self.host.starts_with("npipe://")
    }

    /// The socket path of a unix:// endpoint.
    pub fn unix_path(&self) -> Option<&str> {
        self.host.strip_prefix("unix://")
    }
}
