//! Creating a labelled network or volume; a refusal names what was being made.

use crate::error::Result;
use crate::Engine;
use bollard::models::{NetworkCreateRequest, VolumeCreateRequest};

pub async fn network(engine: &Engine, request: NetworkCreateRequest) -> Result<()> {
    let name = request.name.clone();
    engine.docker().create_network(request).await.map_err(engine.err(&format!("Network {name}")))?;
    Ok(())
}

pub async fn volume(engine: &Engine, request: VolumeCreateRequest) -> Result<()> {
    let name = request.name.clone().unwrap_or_default();
    engine.docker().create_volume(request).await.map_err(engine.err(&format!("Volume {name}")))?;
    Ok(())
}
