//! Create, inspect, remove and prune volumes.

use super::list::{measured, summary, users};
use super::model::{VolumeDetails, VolumePruneEstimate, VolumePruneReport, VolumeSpec, VolumeSummary, VolumeUser};
use crate::containers::{phrase, them};
use crate::error::{Error, Result};
use crate::prune::{carries, Changes};
use crate::Engine;
use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{ListContainersOptions, RemoveVolumeOptions};
use std::collections::HashMap;

pub async fn create(engine: &Engine, spec: VolumeSpec) -> Result<VolumeSummary> {
    let name = spec.name.trim();
    if !name.is_empty() {
        super::check_name("name", "volume", name)?;
        // The engine answers a create of an existing name with that volume, which would hide
        // a typo'd duplicate; say so instead.
        if engine.docker().inspect_volume(name).await.is_ok() {
            return Err(Error::invalid("name", format!("A volume named “{name}” already exists: pick another name.")));
        }
    }
    super::check_keys("labels", "label", &spec.labels)?;
    super::check_keys("driverOpts", "driver option", &spec.driver_opts)?;
    let request = VolumeCreateRequest {
        name: (!name.is_empty()).then(|| name.to_string()),
        driver: Some(if spec.driver.trim().is_empty() { "local".into() } else { spec.driver.trim().to_string() }),
        labels: Some(spec.labels.into_iter().collect()),
        driver_opts: Some(spec.driver_opts.into_iter().collect()),
        ..Default::default()
    };
    let volume = engine.docker().create_volume(request).await.map_err(|e| explain_create(engine.err("The volume")(e)))?;
    Ok(summary(volume, &HashMap::new(), None))
}

/// The engine's refusals of a driver or its options, put under the field at fault.
fn explain_create(e: Error) -> Error {
    match &e {
        Error::Engine { message, .. } if message.contains("invalid option") => {
            Error::invalid("driverOpts", format!("The driver does not accept an option: {message} Remove or correct it."))
        }
        // A missing plugin is a 404, which would otherwise read as "the volume was not found".
        Error::NotFound { detail, .. } | Error::Engine { message: detail, .. } if detail.contains("plugin") => Error::invalid(
            "driver",
            format!("This engine has no such volume driver ({}). Use local, or install the plugin first.", detail.trim_end_matches('.')),
        ),
        _ => e,
    }
}

pub async fn inspect(engine: &Engine, name: &str) -> Result<VolumeDetails> {
    let docker = engine.docker();
    let volume = docker.inspect_volume(name).await.map_err(engine.err(&format!("Volume {name}")))?;
    let raw = serde_json::to_string_pretty(&volume).map_err(|e| Error::Internal(e.to_string()))?;
    let containers = users_of(engine, name).await?;
    let size = measured(engine).get(name).copied();
    let (scope, options) = (volume.scope.map(|s| s.to_string()).unwrap_or_default(), volume.options.clone());
    Ok(VolumeDetails { summary: summary(volume, &users(&containers), size), scope, options: options.into_iter().collect(), raw })
}

async fn users_of(engine: &Engine, name: &str) -> Result<Vec<bollard::models::ContainerSummary>> {
    let filters = HashMap::from([("volume".to_string(), vec![name.to_string()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    engine.docker().list_containers(Some(options)).await.map_err(engine.err("containers"))
}

/// Remove a volume. The engine refuses while any container, even a stopped one, mounts it; the
/// refusal names them. There is no force: the engine refuses that too.
pub async fn remove(engine: &Engine, name: &str) -> Result<()> {
    match engine.docker().remove_volume(name, None::<RemoveVolumeOptions>).await {
        Ok(()) => {
            if let Some(sizes) = engine.volume_sizes.lock().unwrap().as_mut() {
                sizes.remove(name);
            }
            Ok(())
        }
        Err(e) => match engine.err(&format!("Volume {name}"))(e) {
            Error::Conflict { message } => Err(in_use(engine, name, &message).await),
            other => Err(other),
        },
    }
}

async fn in_use(engine: &Engine, name: &str, engine_message: &str) -> Error {
    let users = users(&users_of(engine, name).await.unwrap_or_default()).remove(name).unwrap_or_default();
    if users.is_empty() {
        return Error::Conflict { message: format!("The engine will not remove volume {name}: {engine_message}") };
    }
    let names = user_names(&users);
    Error::Conflict {
        message: format!(
            "Volume {name} is used by {}: remove {} first (a stopped container still holds its volumes).",
            phrase(&names),
            them(&names)
        ),
    }
}

/// The volumes a prune would remove (none mounted by any container), freshly measured.
/// `labels` ("key" or "key=value") narrows it to volumes carrying them all.
pub async fn prune_estimate(engine: &Engine, labels: &[String]) -> Result<VolumePruneEstimate> {
    let doomed: Vec<VolumeSummary> = candidates(super::measure(engine).await?, labels);
    Ok(VolumePruneEstimate { bytes: doomed.iter().filter_map(|v| v.size).sum(), volumes: doomed.into_iter().map(|v| v.name).collect() })
}

fn candidates(list: Vec<VolumeSummary>, labels: &[String]) -> Vec<VolumeSummary> {
    list.into_iter().filter(|v| v.containers.is_empty() && labels.iter().all(|l| carries(&v.labels, l))).collect()
}

/// Remove the `confirmed` volumes one by one, each only if still unused, as the engine's
/// `docker volume rm` does; the engine itself refuses a volume a container took meanwhile.
/// The bytes are those the estimate measured.
pub async fn prune(engine: &Engine, confirmed: &[String]) -> Result<VolumePruneReport> {
    let now: HashMap<String, VolumeSummary> = super::list(engine).await?.into_iter().map(|v| (v.name.clone(), v)).collect();
    let blocked = |v: &VolumeSummary| Some(&v.containers).filter(|c| !c.is_empty()).map(|c| used_by(c));
    let (removed, kept) = crate::prune::each(confirmed, &now, String::clone, blocked, |name, _| remove(engine, name)).await;
    let bytes = removed.iter().filter_map(|n| now.get(n)?.size).sum();
    let appeared = candidates(super::list(engine).await?, &[]).into_iter().map(|v| v.name).filter(|n| !confirmed.contains(n)).collect();
    Ok(VolumePruneReport { volumes: removed, bytes, changes: Changes::new("volume", kept, appeared) })
}

fn used_by(users: &[VolumeUser]) -> String {
    format!("is now used by {}", user_names(users).join(", "))
}

fn user_names(users: &[VolumeUser]) -> Vec<String> {
    users.iter().map(|u| if u.running { format!("{} (running)", u.name) } else { u.name.clone() }).collect()
}
