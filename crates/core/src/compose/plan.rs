//! What an `up` (or a pull or build) is asked to do, and the services it touches in order.

use super::{checks, Project};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct UpOptions {
    /// Only these services (and what they depend on); empty = all.
    pub services: Vec<String>,
    /// Leave dependencies alone (scale).
    pub no_deps: bool,
    /// Recreate even unchanged containers.
    pub force_recreate: bool,
    /// Replica counts that win over the file's `scale` / `deploy.replicas`.
    pub scale: HashMap<String, u32>,
    /// Remove the project's containers whose service is no longer in the file (`--remove-orphans`).
    pub remove_orphans: bool,
    /// With `remove_orphans`, the ids of the orphans the user was shown and confirmed: only these
    /// go, and one that became an orphan since stays (with a warning). Empty: every orphan, as
    /// `--remove-orphans` does.
    pub orphans: Vec<String>,
    /// Build the images of `build:` services first, even when they exist (`up --build`).
    pub build: bool,
}

/// The services an `up` of `wanted` touches, dependencies first.
pub(crate) fn plan(project: &Project, opts: &UpOptions) -> Result<Vec<String>> {
    let deps = |s: &str| checks::deps(&project.config, s);
    let all: Vec<String> = project.config["services"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    for s in &opts.services {
        if !all.contains(s) {
            return Err(Error::invalid("services", format!("The project has no service \"{s}\" (or its profile is not active).")));
        }
    }
    let roots = if opts.services.is_empty() { all } else { opts.services.clone() };
    let order = checks::order(roots.clone(), |s| if opts.no_deps { vec![] } else { deps(s) }).map_err(Error::Compose)?;
    Ok(order)
}
