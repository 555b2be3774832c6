//! Images. For now: the local names the run dialog offers.

use crate::error::Result;
use crate::Engine;
use bollard::query_parameters::ListImagesOptions;

/// Every local `repository:tag`, sorted.
pub async fn names(engine: &Engine) -> Result<Vec<String>> {
    let images = engine.docker().list_images(None::<ListImagesOptions>).await.map_err(engine.err("images"))?;
    let mut names: Vec<String> =
        images.into_iter().flat_map(|i| i.repo_tags).filter(|t| t != "<none>:<none>").collect();
    names.sort();
    names.dedup();
    Ok(names)
}
