//! Commit a container's file system and settings to a new image (`docker commit`).

use super::model::CommitSpec;
use super::normalize;
use crate::error::{Error, Result};
use crate::reference;
use crate::Engine;
use bollard::models::ContainerConfig;
use bollard::query_parameters::CommitContainerOptions;

/// Returns the new image's familiar name.
pub async fn commit(engine: &Engine, spec: &CommitSpec) -> Result<String> {
    let tag = if spec.tag.trim().is_empty() { "latest" } else { spec.tag.trim() };
    let repository = spec.repository.trim();
    // Each part is checked on its own, so the message stands under the field that is wrong.
    if has_tag(repository) || repository.contains('@') {
        return Err(Error::invalid("repository", "Give the repository without a tag or digest; the tag has its own field."));
    }
    let r = normalize(repository).map_err(|e| Error::invalid("repository", e.to_string()))?;
    let r = r.with_tag(tag).map_err(|_| Error::invalid("tag", format!("“{tag}” is not a valid tag: {}", reference::TAG_RULE)))?;
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

/// A ':' after the last '/' (a registry's port comes before it).
fn has_tag(repository: &str) -> bool {
    repository.rsplit('/').next().is_some_and(|last| last.contains(':'))
}
