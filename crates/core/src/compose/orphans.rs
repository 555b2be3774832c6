//! Orphans: containers of the project that the files no longer explain, found as compose v2's
//! `isOrphaned` does: a service container whose service is neither in the file nor left out by
//! a profile, or a one-off `run` container that has exited (a running one is someone's session).

use super::plan::UpOptions;
use super::progress::{say, Emit};
use super::{labels, Project};
use crate::containers::{self, ContainerState, ContainerSummary};
use crate::error::Result;
use crate::objects::remove::remove;
use crate::Engine;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename = "ComposeOrphan")]
#[serde(rename_all = "camelCase")]
pub struct Orphan {
    pub id: String,
    pub name: String,
    pub service: String,
    pub state: ContainerState,
    /// Left by `docker compose run` rather than `up`.
    pub one_off: bool,
}

pub fn is_orphan(c: &ContainerSummary, project: &Project) -> bool {
    if c.labels.get(labels::ONEOFF).map(String::as_str) == Some("True") {
        return matches!(c.state, ContainerState::Exited | ContainerState::Dead);
    }
    let service = c.labels.get(labels::SERVICE).map(String::as_str).unwrap_or_default();
    project.config["services"].get(service).is_none() && !project.disabled.iter().any(|d| d == service)
}

/// The project's orphans on the engine, by name.
pub async fn find(engine: &Engine, project: &Project) -> Result<Vec<Orphan>> {
    let filter = HashMap::from([("label".to_string(), vec![format!("{}={}", labels::PROJECT, project.name)])]);
    let mut out: Vec<Orphan> = containers::list_filtered(engine, Some(filter))
        .await?
        .into_iter()
        .filter(|c| is_orphan(c, project))
        .map(|c| Orphan {
            one_off: c.labels.get(labels::ONEOFF).map(String::as_str) == Some("True"),
            service: c.labels.get(labels::SERVICE).cloned().unwrap_or_default(),
            id: c.id,
            name: c.name,
            state: c.state,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What `up` does about orphans: remove them when asked (only those confirmed, when a list was
/// confirmed), else say so (Compose's warning, and a progress line each); returns the warnings.
pub(super) async fn settle(engine: &Engine, project: &Project, opts: &UpOptions, emit: Emit<'_>) -> Result<Vec<String>> {
    let confirmed = |o: &Orphan| opts.orphans.is_empty() || opts.orphans.contains(&o.id);
    let (gone, kept): (Vec<Orphan>, Vec<Orphan>) =
        find(engine, project).await?.into_iter().partition(|o| opts.remove_orphans && confirmed(o));
    for o in &gone {
        let resource = format!("Container {}", o.name);
        say(emit, resource.clone(), Some(&o.service), "Removing");
        remove(engine, &o.id, false).await?;
        say(emit, resource, Some(&o.service), "Removed");
    }
    for o in &kept {
        say(emit, format!("Container {}", o.name), Some(&o.service), "Orphan");
    }
    Ok(if kept.is_empty() { vec![] } else { vec![warning(&kept)] })
}

/// Compose's warning, pointing at Berth's option instead of the CLI flag.
fn warning(orphans: &[Orphan]) -> String {
    let names: Vec<&str> = orphans.iter().map(|o| o.name.as_str()).collect();
    format!(
        "Found orphan containers ({}) for this project. If you removed or renamed this service in your compose file, \
         you can up again with \"Remove containers of services no longer in the file\" to clean it up.",
        names.join(", ")
    )
}
