//! Stacks as the engine knows them: every compose project found by its labels, whoever started
//! it, and what can be done to one without its files (start, stop, restart, down).

use super::labels;
use super::progress::Progress;
use crate::containers::{self, ContainerAction, ContainerState, ContainerSummary, PortMapping};
use crate::error::Result;
use crate::objects::remove::remove;
use crate::Engine;
use bollard::query_parameters::{ListNetworksOptions, ListVolumesOptions};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub name: String,
    pub working_dir: Option<String>,
    pub config_files: Vec<String>,
    pub services: Vec<StackService>,
    pub running: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StackService {
    pub name: String,
    pub containers: Vec<StackContainer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StackContainer {
    pub id: String,
    pub name: String,
    pub number: u32,
    pub image: String,
    pub state: ContainerState,
    pub status: String,
    /// "healthy", "unhealthy" or "starting" when the image or service has a healthcheck.
    pub health: Option<String>,
    pub ports: Vec<PortMapping>,
}

/// The project's containers (of one service, or all), one-off `run` containers left out.
pub async fn containers(engine: &Engine, project: &str, service: Option<&str>) -> Result<Vec<ContainerSummary>> {
    let mut label = vec![format!("{}={project}", labels::PROJECT), format!("{}=False", labels::ONEOFF)];
    if let Some(s) = service {
        label.push(format!("{}={s}", labels::SERVICE));
    }
    containers::list_filtered(engine, Some(HashMap::from([("label".to_string(), label)]))).await
}

/// Health as the engine reports it in a container's status ("Up 5 seconds (healthy)").
fn health(status: &str) -> Option<String> {
    ["unhealthy", "healthy", "health: starting"]
        .iter()
        .find(|h| status.contains(&format!("({h})")))
        .map(|h| h.trim_start_matches("health: ").to_string())
}

/// Every compose project with containers on the engine.
pub async fn list(engine: &Engine) -> Result<Vec<Stack>> {
    let filters = HashMap::from([("label".to_string(), vec![labels::PROJECT.to_string()])]);
    let all = containers::list_filtered(engine, Some(filters)).await?;
    let mut stacks: BTreeMap<String, Stack> = BTreeMap::new();
    for c in all {
        if c.labels.get(labels::ONEOFF).map(String::as_str) == Some("True") {
            continue;
        }
        let Some(project) = c.labels.get(labels::PROJECT).cloned() else { continue };
        let stack = stacks.entry(project.clone()).or_insert_with(|| Stack {
            name: project,
            working_dir: c.labels.get(labels::WORKING_DIR).cloned(),
            config_files: c
                .labels
                .get(labels::CONFIG_FILES)
                .map(|f| f.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            services: vec![],
            running: 0,
            total: 0,
        });
        let service = c.labels.get(labels::SERVICE).cloned().unwrap_or_default();
        stack.total += 1;
        stack.running += usize::from(c.state == ContainerState::Running);
        let row = StackContainer {
            number: c.labels.get(labels::NUMBER).and_then(|n| n.parse().ok()).unwrap_or(0),
            health: health(&c.status),
            id: c.id,
            name: c.name,
            image: c.image,
            state: c.state,
            status: c.status,
            ports: c.ports,
        };
        match stack.services.iter_mut().find(|s| s.name == service) {
            Some(s) => s.containers.push(row),
            None => stack.services.push(StackService { name: service, containers: vec![row] }),
        }
    }
    let mut out: Vec<Stack> = stacks.into_values().collect();
    for s in &mut out {
        s.services.sort_by(|a, b| a.name.cmp(&b.name));
        for svc in &mut s.services {
            svc.containers.sort_by_key(|c| c.number);
        }
    }
    Ok(out)
}

/// Start, stop or restart a stack's containers (or one service's), all at once. Restarting a
/// service also restarts the services that depend on it with `restart: true`, as Compose does
/// (read from their `depends_on` label, so it works for stacks the CLI started too).
pub async fn act(engine: &Engine, project: &str, service: Option<&str>, action: ContainerAction) -> Result<()> {
    let all = containers(engine, project, None).await?;
    let targets: Vec<&ContainerSummary> = match service {
        None => all.iter().collect(),
        Some(s) => all
            .iter()
            .filter(|c| c.compose_service.as_deref() == Some(s) || (action == ContainerAction::Restart && restarts_with(c, s)))
            .collect(),
    };
    // A container that shares another's network (`network_mode: service:`) cannot start before
    // it: start in dependency order, stop the other way round; each wave in parallel.
    let mut waves = waves(&targets);
    if action == ContainerAction::Stop {
        waves.reverse();
    }
    for wave in waves {
        let results = join_all(wave.iter().map(|c| containers::act(engine, &c.id, action))).await;
        results.into_iter().collect::<Result<Vec<_>>>()?;
    }
    Ok(())
}

/// The services a container depends on, from its `depends_on` label (`db:service_healthy:true,…`).
fn depends_on(c: &ContainerSummary) -> impl Iterator<Item = &str> {
    let deps = c.labels.get(labels::DEPENDS_ON).map(String::as_str).unwrap_or_default();
    deps.split(',').filter_map(|d| d.split(':').next()).filter(|d| !d.is_empty())
}

/// `targets` in waves, each container after those of the services it depends on (labels from
/// any tool, so a loop among them just ends the ordering rather than looping).
fn waves<'a>(targets: &[&'a ContainerSummary]) -> Vec<Vec<&'a ContainerSummary>> {
    let service = |c: &ContainerSummary| c.compose_service.clone().unwrap_or_default();
    let mut left: Vec<&ContainerSummary> = targets.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        let waiting: Vec<String> = left.iter().map(|c| service(c)).collect();
        let (ready, rest): (Vec<_>, Vec<_>) =
            left.iter().partition(|c| depends_on(c).all(|d| d == service(c) || !waiting.iter().any(|w| w == d)));
        if ready.is_empty() {
            out.push(rest);
            break;
        }
        out.push(ready);
        left = rest;
    }
    out
}

/// Whether `c` depends on `service` with `restart: true` (label `db:service_healthy:true,…`).
fn restarts_with(c: &ContainerSummary, service: &str) -> bool {
    let deps = c.labels.get(labels::DEPENDS_ON).map(String::as_str).unwrap_or_default();
    deps.split(',').any(|d| {
        let mut parts = d.split(':');
        parts.next() == Some(service) && parts.nth(1) == Some("true")
    })
}

#[derive(Debug, Clone, Copy, Default, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct DownOptions {
    /// Also remove the project's named volumes (asked for, never by default).
    pub volumes: bool,
    /// Also remove one-off containers left by `run`, as `down --remove-orphans` does (down works
    /// from labels, so every service container goes anyway).
    pub remove_orphans: bool,
}

/// Remove the project's containers and networks (and its volumes when asked), as
/// `docker compose down [-v]` does.
pub async fn down(engine: &Engine, project: &str, opts: DownOptions, emit: &(dyn Fn(Progress) + Sync)) -> Result<()> {
    let say = |resource: String, state: &str| emit(Progress { resource, service: None, state: state.into() });
    let list = if opts.remove_orphans {
        let label = HashMap::from([("label".to_string(), vec![format!("{}={project}", labels::PROJECT)])]);
        containers::list_filtered(engine, Some(label)).await?
    } else {
        containers(engine, project, None).await?
    };
    let removed = join_all(list.iter().map(|c| async {
        say(format!("Container {}", c.name), "Removing");
        let r = remove(engine, &c.id, opts.volumes).await;
        say(format!("Container {}", c.name), if r.is_ok() { "Removed" } else { "Error" });
        r
    }))
    .await;
    removed.into_iter().collect::<Result<Vec<_>>>()?;
    let label = HashMap::from([("label".to_string(), vec![format!("{}={project}", labels::PROJECT)])]);
    let networks =
        engine.docker().list_networks(Some(ListNetworksOptions { filters: Some(label.clone()) })).await.map_err(engine.err("networks"))?;
    let removed = join_all(networks.into_iter().filter_map(|n| n.name).map(|n| async move {
        say(format!("Network {n}"), "Removing");
        engine.docker().remove_network(&n).await.map_err(engine.err(&format!("Network {n}")))?;
        say(format!("Network {n}"), "Removed");
        Ok::<_, crate::Error>(())
    }))
    .await;
    removed.into_iter().collect::<Result<Vec<_>>>()?;
    if opts.volumes {
        let volumes =
            engine.docker().list_volumes(Some(ListVolumesOptions { filters: Some(label) })).await.map_err(engine.err("volumes"))?;
        let removed = join_all(volumes.volumes.unwrap_or_default().into_iter().map(|v| async move {
            say(format!("Volume {}", v.name), "Removing");
            let none = None::<bollard::query_parameters::RemoveVolumeOptions>;
            engine.docker().remove_volume(&v.name, none).await.map_err(engine.err(&format!("Volume {}", v.name)))?;
            say(format!("Volume {}", v.name), "Removed");
            Ok::<_, crate::Error>(())
        }))
        .await;
        removed.into_iter().collect::<Result<Vec<_>>>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(service: &str, depends: &str) -> ContainerSummary {
        ContainerSummary {
            id: service.into(),
            name: service.into(),
            image: String::new(),
            image_id: String::new(),
            command: String::new(),
            state: ContainerState::Exited,
            status: String::new(),
            created: 0,
            ports: vec![],
            compose_project: Some("p".into()),
            compose_service: Some(service.into()),
            labels: BTreeMap::from([(labels::DEPENDS_ON.to_string(), depends.to_string())]),
        }
    }

    #[test]
    fn waves_follow_the_depends_on_labels() {
        let (web, side, db, other) = (
            c("web", "db:service_healthy:false"),
            c("side", "web:service_started:true"),
            c("db", ""),
            c("other", "gone:service_started:false"),
        );
        let names = |w: Vec<Vec<&ContainerSummary>>| {
            w.into_iter().map(|w| w.iter().map(|c| c.name.clone()).collect::<Vec<_>>()).collect::<Vec<_>>()
        };
        assert_eq!(names(waves(&[&side, &web, &db, &other])), [vec!["db", "other"], vec!["web"], vec!["side"]]);
        // A loop in foreign labels ends the ordering instead of looping.
        let (a, b) = (c("a", "b:service_started:false"), c("b", "a:service_started:false"));
        assert_eq!(names(waves(&[&a, &b])), [vec!["a", "b"]]);
    }
}
