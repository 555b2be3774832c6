//! Removing what Berth made: a container (stopped first, within its own grace period) with
//! the anonymous volumes it holds, and volumes nothing uses any more.

use crate::error::Result;
use crate::Engine;
use bollard::query_parameters::{InspectContainerOptions, RemoveContainerOptions, RemoveVolumeOptions, StopContainerOptions};

/// Stop (briefly) and remove a container; with `anonymous`, its anonymous volumes too (as
/// `down -v` does), which no label would find afterwards.
pub async fn remove(engine: &Engine, id: &str, anonymous: bool) -> Result<()> {
    // Anonymous volumes a recreate handed on are mounted by name, so the engine's `v` no longer
    // counts them as this container's; they go by their engine-made (64 hex) names.
    let handed_on: Vec<String> = match anonymous {
        true => {
            engine.docker().inspect_container(id, None::<InspectContainerOptions>).await.ok().and_then(|c| c.mounts).unwrap_or_default()
        }
        false => vec![],
    }
    .into_iter()
    .filter(|m| m.typ.as_deref() == Some("volume"))
    .filter_map(|m| m.name)
    .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
    .collect();
    discard(engine, id, anonymous).await?;
    remove_unused(engine, &handed_on).await;
    Ok(())
}

/// Stop and remove a container; with `v`, the anonymous volumes the engine made for it (never
/// one mounted by name, such as those a recreate handed on).
pub async fn discard(engine: &Engine, id: &str, v: bool) -> Result<()> {
    let docker = engine.docker();
    // No timeout given: the engine uses the container's own (stop_grace_period).
    let _ = docker.stop_container(id, None::<StopContainerOptions>).await;
    docker.remove_container(id, Some(RemoveContainerOptions { force: true, v, link: false })).await.map_err(engine.err("Container"))
}

/// Remove these volumes where nothing uses them any more (best effort).
pub async fn remove_unused(engine: &Engine, volumes: &[String]) {
    for name in volumes {
        // Already gone, or still used by another container: either way not ours to force.
        let _ = engine.docker().remove_volume(name, None::<RemoveVolumeOptions>).await;
    }
}
