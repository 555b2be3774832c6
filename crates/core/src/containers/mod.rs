//! Containers: list, lifecycle actions, inspect, logs, exec, live stats and the run dialog.

mod ahead;
mod bulk;
mod convert;
pub mod exec;
pub mod logs;
mod model;
pub mod run;
pub mod stats;

pub use ahead::ListAhead;
pub use bulk::{act_all, remove_all, ActionOutcome};
pub use model::*;

use crate::error::{Error, Result};
use crate::Engine;
use bollard::query_parameters::{
    InspectContainerOptions, KillContainerOptions, ListContainersOptions, RemoveContainerOptions, RenameContainerOptions,
    RestartContainerOptions, StartContainerOptions, StopContainerOptions,
};
use std::collections::HashMap;

/// Marks containers Berth makes for its own short work (reading a volume); they are not listed.
pub const HELPER_LABEL: &str = "berth.helper";

/// Every container, running or not.
pub async fn list(engine: &Engine) -> Result<Vec<ContainerSummary>> {
    list_filtered(engine, None).await
}

pub(crate) async fn list_filtered(engine: &Engine, filters: Option<HashMap<String, Vec<String>>>) -> Result<Vec<ContainerSummary>> {
    let options = ListContainersOptions { all: true, filters, ..Default::default() };
    let raw = engine.docker().list_containers(Some(options)).await.map_err(engine.err("containers"))?;
    Ok(raw.into_iter().filter(|c| !is_helper(c)).map(convert::summary).collect())
}

/// Resolve ids reported by the event stream into rows to upsert and ids to drop.
pub async fn changes(engine: &Engine, ids: Vec<String>) -> Result<ContainersChanged> {
    if ids.is_empty() {
        return Ok(ContainersChanged { upserted: vec![], removed: vec![] });
    }
    let filters = HashMap::from([("id".to_string(), ids.clone())]);
    let upserted = list_filtered(engine, Some(filters)).await?;
    // The id filter matches prefixes; events carry full ids, so compare exactly.
    let removed = ids.into_iter().filter(|id| !upserted.iter().any(|c| &c.id == id)).collect();
    Ok(ContainersChanged { upserted, removed })
}

pub async fn act(engine: &Engine, id: &str, action: ContainerAction) -> Result<()> {
    let docker = engine.docker();
    let what = format!("Container {}", short(id));
    let result = match action {
        ContainerAction::Start => docker.start_container(id, None::<StartContainerOptions>).await,
        ContainerAction::Stop => docker.stop_container(id, None::<StopContainerOptions>).await,
        ContainerAction::Restart => docker.restart_container(id, None::<RestartContainerOptions>).await,
        ContainerAction::Kill => docker.kill_container(id, Some(KillContainerOptions { signal: "SIGKILL".into() })).await,
        ContainerAction::Pause => docker.pause_container(id).await,
        ContainerAction::Unpause => docker.unpause_container(id).await,
    };
    result.map_err(engine.err(&what)).map_err(|e| explain_action(e, action))
}

/// The engine's 409/304 answers for actions, said plainly.
fn explain_action(e: Error, action: ContainerAction) -> Error {
    match (&e, action) {
        (Error::Conflict { message }, _) if message.contains("is not running") => {
            Error::Conflict { message: "The container is not running.".into() }
        }
        (Error::Conflict { message }, _) if message.contains("is paused") => {
            Error::Conflict { message: "The container is paused; unpause it first.".into() }
        }
        _ => e,
    }
}

/// Remove a container; `force` stops a running one first, as `docker rm -f` does.
pub async fn remove(engine: &Engine, id: &str, force: bool) -> Result<()> {
    let options = RemoveContainerOptions { force, v: false, link: false };
    match engine.docker().remove_container(id, Some(options)).await {
        Ok(()) => Ok(()),
        Err(e) => match engine.err(&format!("Container {}", short(id)))(e) {
            Error::Conflict { message } if message.contains("running") || message.contains("stop the container") => {
                Err(Error::Conflict { message: "The container is running: stop it first, or remove it with force.".into() })
            }
            // Already gone (e.g. auto-remove raced us) counts as removed.
            Error::NotFound { .. } => Ok(()),
            other => Err(other),
        },
    }
}

/// Rename a container (as `docker rename`); returns its row under the new name.
pub async fn rename(engine: &Engine, id: &str, name: &str) -> Result<ContainerSummary> {
    let name = name.trim();
    if !valid_name(name) {
        return Err(Error::invalid(
            "name",
            "A container name starts with a letter or digit and holds only letters, digits, '_', '.' and '-'.",
        ));
    }
    let what = format!("Container {}", short(id));
    engine.docker().rename_container(id, RenameContainerOptions { name: name.to_string() }).await.map_err(engine.err(&what))?;
    let filters = HashMap::from([("id".to_string(), vec![id.to_string()])]);
    list_filtered(engine, Some(filters)).await?.into_iter().next().ok_or(Error::NotFound { what, detail: id.to_string() })
}

/// The engine's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

pub async fn inspect(engine: &Engine, id: &str) -> Result<ContainerDetails> {
    let raw = engine
        .docker()
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(engine.err(&format!("Container {}", short(id))))?;
    let mut details = convert::details(raw)?;
    // The list row carries fields inspect lacks (status text, port bindings as the list has them).
    if let Some(row) =
        list_filtered(engine, Some(HashMap::from([("id".into(), vec![details.summary.id.clone()])]))).await?.into_iter().next()
    {
        details.summary = row;
    }
    Ok(details)
}

pub(crate) fn short(id: &str) -> &str {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..12]
    } else {
        id
    }
}

/// "container web" or "containers web, db", for sentences about what uses an image, volume or network.
pub(crate) fn phrase(names: &[String]) -> String {
    format!("container{} {}", if names.len() == 1 { "" } else { "s" }, names.join(", "))
}

pub(crate) fn them(names: &[String]) -> &'static str {
    if names.len() == 1 {
        "it"
    } else {
        "them"
    }
}

/// A listed container's name, without the engine's leading slash.
pub(crate) fn listed_name(c: &bollard::models::ContainerSummary) -> String {
    c.names.as_ref().and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default()
}

pub(crate) fn is_helper(c: &bollard::models::ContainerSummary) -> bool {
    c.labels.as_ref().is_some_and(|l| l.contains_key(HELPER_LABEL))
}

pub(crate) fn listed_running(c: &bollard::models::ContainerSummary) -> bool {
    c.state == Some(bollard::models::ContainerSummaryStateEnum::RUNNING)
}
