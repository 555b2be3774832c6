//! The engine: discovery, connection and the supervised event pump.

mod connect;
pub mod context;
mod deaths;
pub(crate) mod direct;
pub mod discovery;
mod endpoint;
mod facts;
mod info;
mod pump;
mod relist;

pub use connect::Engine;
pub use deaths::ContainerDeath;
pub use discovery::Environment;
pub use endpoint::{Endpoint, EngineCandidate, EngineSource, TlsFiles};
pub use info::EngineInfo;
pub use pump::{EngineEvent, EngineStatus, Pump};
pub use relist::{Relisted, Relister};

/// Probe every endpoint discovery finds, in order; the UI lists them for switching.
pub async fn candidates(env: &Environment) -> Vec<EngineCandidate> {
    let endpoints = discovery::discover(env);
    let probes = endpoints.iter().map(|ep| async move {
        let error = Engine::connect(ep).await.err().map(|e| e.to_string());
        ep.candidate(error)
    });
    futures_util::future::join_all(probes).await
}
