//! The local image list, tag, remove and prune.

use super::model::{ImageSummary, PruneEstimate, PruneReport, PruneScope};
use super::normalize;
use crate::containers::{phrase as containers, them};
use crate::error::{Error, Result};
use crate::prune::{carries, Changes};
use crate::Engine;
use bollard::query_parameters::{ListContainersOptions, ListImagesOptions, RemoveImageOptions, TagImageOptions};
use std::collections::{HashMap, HashSet};

/// Every local image (intermediate build layers excluded), with how many containers use it.
pub async fn list(engine: &Engine) -> Result<Vec<ImageSummary>> {
    Ok(listed(engine, false).await?.into_iter().map(|l| l.image).collect())
}

/// A listed image with what only prunes need.
struct Listed {
    image: ImageSummary,
    /// The bytes only it holds (its size less the layers it shares with other images), when asked
    /// for and the engine can work that out (API 1.42 and later).
    own: Option<i64>,
    labels: HashMap<String, String>,
}

/// The list; `shared` asks the engine for each image's own bytes.
async fn listed(engine: &Engine, shared: bool) -> Result<Vec<Listed>> {
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
            Listed { image, own, labels: i.labels }
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
        return Error::Conflict { message: "This image has several names: remove the names one by one, or remove it with force.".into() };
    }
    let filters = HashMap::from([("ancestor".to_string(), vec![image.to_string()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let users = engine.docker().list_containers(Some(options)).await.unwrap_or_default();
    let names: Vec<String> = users.iter().map(crate::containers::listed_name).filter(|n| !n.is_empty()).collect();
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
/// `labels` ("key" or "key=value") narrows it to images carrying them all.
pub async fn prune_estimate(engine: &Engine, scope: PruneScope, labels: &[String]) -> Result<PruneEstimate> {
    let doomed: Vec<Listed> = listed(engine, true)
        .await?
        .into_iter()
        .filter(|l| prunes(scope, &l.image) && labels.iter().all(|k| carries(&l.labels, k)))
        .collect();
    let (bytes, upper_bound) = reclaimed(&doomed.iter().collect::<Vec<_>>());
    Ok(PruneEstimate { images: doomed.into_iter().map(|l| l.image.id).collect(), bytes, upper_bound })
}

fn prunes(scope: PruneScope, image: &ImageSummary) -> bool {
    image.containers == 0 && (scope == PruneScope::Unused || image.dangling)
}

/// The bytes removing `images` frees, and whether that is only an upper bound.
fn reclaimed(images: &[&Listed]) -> (i64, bool) {
    match images.iter().map(|l| l.own).sum::<Option<i64>>() {
        Some(bytes) => (bytes, false),
        None => (images.iter().map(|l| l.image.size).sum(), true),
    }
}

/// Remove the `confirmed` images (ids) one by one, each only if it still fits `scope` (no
/// container uses it; untagged for dangling), as `docker image prune` removes each. The bytes are
/// counted as the estimate counts them.
pub async fn prune(engine: &Engine, scope: PruneScope, confirmed: &[String]) -> Result<PruneReport> {
    let now: HashMap<String, Listed> = listed(engine, true).await?.into_iter().map(|l| (l.image.id.clone(), l)).collect();
    let name = |id: &String| crate::containers::short(id.trim_start_matches("sha256:")).to_string();
    let blocked = |l: &Listed| match l {
        l if l.image.containers > 0 => Some("is now used by a container".to_string()),
        l if scope == PruneScope::Dangling && !l.image.dangling => Some(format!("was tagged {} meanwhile", l.image.repo_tags.join(", "))),
        _ => None,
    };
    let (removed, kept) = crate::prune::each(confirmed, &now, name, blocked, |_, l| remove_unused(engine, &l.image)).await;
    let gone: Vec<&Listed> = removed.iter().filter_map(|id| now.get(id)).collect();
    let (bytes, _) = reclaimed(&gone);
    let appeared = listed(engine, false)
        .await?
        .into_iter()
        .filter(|l| prunes(scope, &l.image) && !confirmed.contains(&l.image.id))
        .map(|l| {
            l.image
                .repo_tags
                .first()
                .cloned()
                .unwrap_or_else(|| crate::containers::short(l.image.id.trim_start_matches("sha256:")).to_string())
        })
        .collect();
    Ok(PruneReport { images: removed, bytes, changes: Changes::new("image", kept, appeared) })
}

/// Remove an image no container uses, without force: by id when its names are all of one
/// repository (the engine drops them with it), else name by name as `docker image prune -a`
/// does. Either way the engine refuses if a container took it meanwhile.
async fn remove_unused(engine: &Engine, image: &ImageSummary) -> Result<()> {
    let repos: HashSet<&str> = image.repo_tags.iter().chain(&image.repo_digests).map(|r| repository(r)).collect();
    let refs: Vec<&String> = if repos.len() <= 1 { vec![&image.id] } else { image.repo_tags.iter().chain(&image.repo_digests).collect() };
    for r in refs {
        match remove(engine, r, false).await {
            // A digest goes with the last tag of its repository.
            Err(Error::NotFound { .. }) if r != &image.id => {}
            other => other?,
        }
    }
    Ok(())
}

/// The repository of `name:tag` or `name@digest`.
fn repository(reference: &str) -> &str {
    let name = reference.split('@').next().unwrap_or(reference);
    match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_of_tags_and_digests() {
        assert_eq!(repository("app:1"), "app");
        assert_eq!(repository("127.0.0.1:5000/app:1"), "127.0.0.1:5000/app");
        assert_eq!(repository("127.0.0.1:5000/app"), "127.0.0.1:5000/app");
        assert_eq!(repository("app@sha256:abc"), "app");
    }
}
