//! `docker compose pull`: the images of a project's services, side by side.

use super::plan::{plan, UpOptions};
use super::progress::{say, Emit};
use super::Project;
use crate::error::{Error, Result};
use crate::Engine;
use futures_util::future::join_all;

/// Pull the images of `services` (all when empty) that come from a registry, side by side, as
/// `docker compose pull` does; services that are only built are left out.
pub async fn pull(engine: &Engine, project: &Project, services: &[String], emit: Emit<'_>) -> Result<()> {
    let order = plan(project, &UpOptions { services: services.to_vec(), no_deps: true, ..Default::default() })?;
    let mut images: Vec<(String, String)> = Vec::new();
    for name in &order {
        let svc = &project.config["services"][name];
        let Some(image) = svc["image"].as_str() else { continue };
        if svc["pull_policy"] == "build" || images.iter().any(|(_, i)| i == image) {
            continue;
        }
        images.push((name.clone(), image.to_string()));
    }
    let results = join_all(images.iter().map(|(name, image)| async move {
        let reference = crate::images::normalize(image)?;
        say(emit, format!("Image {image}"), Some(name), "Pulling");
        match crate::images::pull_quietly(engine, &reference).await.err().map(|e| e.message) {
            Some(message) => {
                say(emit, format!("Image {image}"), Some(name), "Error");
                Err(Error::Service { service: name.clone(), message: format!("the image \"{image}\" could not be pulled: {message}") })
            }
            None => {
                say(emit, format!("Image {image}"), Some(name), "Pulled");
                Ok(())
            }
        }
    }))
    .await;
    results.into_iter().collect::<Result<Vec<_>>>().map(|_| ())
}
