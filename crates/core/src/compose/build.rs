//! Building the images of `build:` services through the build feature, for `up` (missing
//! images, or every one with `--build`) and for `docker compose build`.

use super::plan::{plan, UpOptions};
use super::progress::{say, Emit};
use super::{create, Project};
use crate::build::{BuildEvent, BuildRequest, StepState};
use crate::error::{Error, Result};
use crate::Engine;
use futures_util::future::join_all;
use serde_json::Value;

/// The build feature's request for a service's `build:` section.
fn request(svc: &Value, image: &str) -> BuildRequest {
    let b = &svc["build"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    BuildRequest {
        folder: b["context"].as_str().unwrap_or(".").into(),
        dockerfile: text(&b["dockerfile"]).unwrap_or_else(|| "Dockerfile".into()),
        dockerfile_inline: text(&b["dockerfile_inline"]),
        tags: std::iter::once(image.to_string())
            .chain(b["tags"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string))
            .collect(),
        args: b["args"].as_object().into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), text(v)?))).collect(),
        target: text(&b["target"]),
        no_cache: b["no_cache"].as_bool().unwrap_or(false),
        pull: b["pull"].as_bool().unwrap_or(false),
        builder: None,
    }
}

/// Build one service's image, its steps shown as progress; returns the image id.
pub(crate) async fn service(engine: &Engine, name: &str, svc: &Value, image: &str, emit: Emit<'_>) -> Result<String> {
    let resource = format!("Image {image}");
    say(emit, resource.clone(), Some(name), "Building");
    let result = crate::build::build(engine, &request(svc, image), |e| {
        if let BuildEvent::Step { step } = e {
            if !step.internal && step.state == StepState::Running {
                say(emit, resource.clone(), Some(name), &format!("Building: {}", step.name));
            }
        }
    })
    .await;
    match result {
        Ok(r) => {
            say(emit, resource, Some(name), "Built");
            Ok(r.image_id)
        }
        Err(e) => {
            say(emit, resource, Some(name), "Error");
            Err(e)
        }
    }
}

/// `docker compose build`: the images of `services` (every service with a `build:` section
/// when empty), side by side; an image several services share is built once.
pub async fn build(engine: &Engine, project: &Project, services: &[String], emit: Emit<'_>) -> Result<()> {
    let order = plan(project, &UpOptions { services: services.to_vec(), no_deps: true, ..Default::default() })?;
    let mut todo: Vec<(String, String)> = Vec::new();
    for name in order {
        let svc = &project.config["services"][&name];
        if svc.get("build").is_none() {
            if services.contains(&name) {
                return Err(Error::invalid(
                    "services",
                    format!("Service \"{name}\" has no build section, so there is nothing to build; pull its image instead."),
                ));
            }
            continue;
        }
        let image = create::image_name(&project.name, &name, svc);
        if !todo.iter().any(|(_, i)| *i == image) {
            todo.push((name, image));
        }
    }
    let results = join_all(todo.iter().map(|(name, image)| async move {
        service(engine, name, &project.config["services"][name], image, emit)
            .await
            .map_err(|e| Error::Service { service: name.clone(), message: e.to_string() })
    }))
    .await;
    results.into_iter().collect::<Result<Vec<_>>>().map(|_| ())
}
