//! Commit a container's file system and settings to a new image (`docker commit`).

use super::model::CommitSpec;
use super::normalize;
use crate::error::Result;
use crate::Engine;
use bollard::models::ContainerConfig;
use bollard::query_parameters::CommitContainerOptions;

/// Returns the new image's familiar name.
pub async fn commit(engine: &Engine, spec: &CommitSpec) -> Result<String> {
    let tag = if spec.tag.trim().is_empty() { "latest" } else { spec.tag.trim() };
    let r = normalize(&format!("{}:{tag}", spec.repository.trim()))?;
    let non_empty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let options = CommitContainerOptions {
        container: Some(spec.container.clone()),
        repo: Some(r.name()),
        tag: r.tag.clone(),
        comment: non_empty(&spec.message),
        author: non_empty(&spec.author),
        pause: true,
        changes: None,
    };
    engine
        .docker()
        .commit_container(options, ContainerConfig::default())
        .await
        .map_err(engine.err(&format!("Container {}", crate::containers::short(&spec.container))))?;
    Ok(r.familiar())
}
