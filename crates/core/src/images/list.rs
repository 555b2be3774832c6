//! The local image list, tag, remove and prune.

use super::model::{ImageSummary, PruneEstimate, PruneReport, PruneScope};
use super::normalize;
use crate::error::{Error, Result};
use crate::containers::{phrase as containers, them};
use crate::Engine;
use bollard::models::ImageDeleteResponseItem;
use bollard::query_parameters::{
    ListContainersOptions, ListImagesOptions, PruneImagesOptions, RemoveImageOptions, TagImageOptions,
};
use std::collections::HashMap;

/// Every local image (intermediate build layers excluded), with how many containers use it.
pub async fn list(engine: &Engine) -> Result<Vec<ImageSummary>> {
    Ok(listed(engine, false).await?.into_iter().map(|(image, _)| image).collect())
}

/// The list, each image with the bytes only it holds (its size less the layers it shares with
/// other images) when `shared` asks the engine to work that out and it can (API 1.42 and later).
async fn listed(engine: &Engine, shared: bool) -> Result<Vec<(ImageSummary, Option<i64>)>> {
    let docker = engine.docker();
    let (images, containers) = tokio::try_join!(
        docker.list_images(Some(ListImagesOptions { shared_size: shared, ..Default::default() })),
        docker.list_containers(Some(ListContainersOptions { all: true, ..Default::default() })),
    )
    .map_err(engine.err("images"))?;
    let mut users: HashMap<String, u32> = HashMap::new();
    for c in containers {
        *users.entry(c.image_id.unwrap_or_default()).or_default() += 1;
    }
    Ok(images
        .into_iter()
        .map(|i| {
            let repo_tags: Vec<String> = i.repo_tags.into_iter().filter(|t| t != "<none>:<none>").collect();
            // -1 when the engine did not work it out.
            let own = (i.shared_size >= 0).then(|| i.size - i.shared_size);
            let image = ImageSummary {
                containers: users.get(&i.id).copied().unwrap_or(0),
                dangling: repo_tags.is_empty(),
                id: i.id,
                repo_tags,
                repo_digests: i.repo_digests.into_iter().filter(|d| d != "<none>@<none>").collect(),
                size: i.size,
                created: i.created,
            };
            (image, own)
        })
        .collect())
}

/// Every local `repository:tag`, sorted (the run dialog offers them).
pub async fn names(engine: &Engine) -> Result<Vec<String>> {
    let mut names: Vec<String> = list(engine).await?.into_iter().flat_map(|i| i.repo_tags).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Give `image` (id or name) the name `target`, which is checked and normalised first.
pub async fn tag(engine: &Engine, image: &str, target: &str) -> Result<String> {
    let r = normalize(target)?;
    let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
    let options = TagImageOptions { repo: Some(r.name()), tag: Some(tag) };
    engine.docker().tag_image(image, Some(options)).await.map_err(engine.err(&format!("Image {image}")))?;
    Ok(r.familiar())
}

/// Remove an image or one of its names. When containers use it, say which; `force` removes it
/// from under stopped ones (as `docker rmi -f`).
pub async fn remove(engine: &Engine, image: &str, force: bool) -> Result<()> {
    let options = RemoveImageOptions { force, noprune: false, ..Default::default() };
    match engine.docker().remove_image(image, Some(options), None).await {
        Ok(_) => Ok(()),
        Err(e) => match engine.err(&format!("Image {}", crate::containers::short(image)))(e) {
            Error::Conflict { message } => Err(in_use(engine, image, &message).await),
            other => Err(other),
        },
    }
}

async fn in_use(engine: &Engine, image: &str, engine_message: &str) -> Error {
    if engine_message.contains("multiple repositories") {
        return Error::Conflict {
            message: "This image has several names: remove the names one by one, or remove it with force.".into(),
        };
    }
    let filters = HashMap::from([("ancestor".to_string(), vec![image.to_string()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let users = engine.docker().list_containers(Some(options)).await.unwrap_or_default();
    let names: Vec<String> = users
        .iter()
        .map(crate::containers::listed_name)
        .filter(|n| !n.is_empty())
        .collect();
    let running = users.iter().any(crate::containers::listed_running);
    match (names.is_empty(), running) {
        (true, _) => Error::Conflict { message: format!("The engine will not remove this image: {engine_message}") },
        (false, true) => Error::Conflict {
            message: format!("The image is used by {} (running): stop and remove {} first.", containers(&names), them(&names)),
        },
        (false, false) => Error::Conflict {
            message: format!("The image is used by {}: remove {} first, or remove the image with force.", containers(&names), them(&names)),
        },
    }
}

/// What a prune of `scope` would remove, for the confirmation. The bytes are counted as
/// `docker system df` counts what is reclaimable: a layer another image shares stays. Older
/// engines do not say what is shared; then the images' whole sizes are an upper bound.
pub async fn prune_estimate(engine: &Engine, scope: PruneScope) -> Result<PruneEstimate> {
    let images = listed(engine, true).await?;
    let doomed: Vec<_> = images.iter().filter(|(i, _)| prunes(scope, i)).collect();
    let own: Option<i64> = doomed.iter().map(|(_, own)| *own).sum();
    Ok(match own {
        Some(bytes) => PruneEstimate { images: doomed.len() as u32, bytes, upper_bound: false },
        None => PruneEstimate { images: doomed.len() as u32, bytes: doomed.iter().map(|(i, _)| i.size).sum(), upper_bound: true },
    })
}

fn prunes(scope: PruneScope, image: &ImageSummary) -> bool {
    image.containers == 0 && (scope == PruneScope::Unused || image.dangling)
}

/// Prune, reporting the images of the list that went (the engine also removes their untagged
/// parent layers, which the list never shows), the bytes the engine reclaimed, and the names it
/// took from images that stay.
pub async fn prune(engine: &Engine, scope: PruneScope) -> Result<PruneReport> {
    let before = list(engine).await?;
    let dangling = if scope == PruneScope::Dangling { "true" } else { "false" };
    let filters = HashMap::from([("dangling".to_string(), vec![dangling.to_string()])]);
    let report = engine
        .docker()
        .prune_images(Some(PruneImagesOptions { filters: Some(filters) }))
        .await
        .map_err(engine.err("images"))?;
    let (images, untagged) = tally(&before, &report.images_deleted.unwrap_or_default());
    Ok(PruneReport { images, bytes: report.space_reclaimed.unwrap_or(0), untagged })
}

/// The listed images a prune deleted, and the names it removed from images it left: the engine
/// untags every name of every image under `prune -a`, but cannot delete the last name of an image a
/// container uses.
fn tally(before: &[ImageSummary], outcome: &[ImageDeleteResponseItem]) -> (u32, Vec<String>) {
    let deleted: Vec<&str> = outcome.iter().filter_map(|d| d.deleted.as_deref()).collect();
    let images = before.iter().filter(|i| deleted.contains(&i.id.as_str())).count() as u32;
    let kept: Vec<&ImageSummary> = before.iter().filter(|i| !deleted.contains(&i.id.as_str())).collect();
    let untagged = outcome
        .iter()
        .filter_map(|d| d.untagged.clone())
        .filter(|name| kept.iter().any(|i| i.repo_tags.contains(name)))
        .collect();
    (images, untagged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, tags: &[&str]) -> ImageSummary {
        ImageSummary {
            id: id.into(),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            size: 1,
            created: 0,
            containers: 0,
            dangling: tags.is_empty(),
        }
    }

    #[test]
    fn tally_counts_listed_images_and_names_taken_from_kept_ones() {
        let before = [image("sha256:a", &["old:1"]), image("sha256:b", &["app:1", "registry:5000/app:1"])];
        let item = |untagged: Option<&str>, deleted: Option<&str>| ImageDeleteResponseItem {
            untagged: untagged.map(Into::into),
            deleted: deleted.map(Into::into),
        };
        let outcome = [
            item(Some("old:1"), None),
            item(None, Some("sha256:a")),
            item(None, Some("sha256:parent-layer-never-listed")),
            item(Some("registry:5000/app:1"), None),
        ];
        assert_eq!(tally(&before, &outcome), (1, vec!["registry:5000/app:1".to_string()]));
    }
}
