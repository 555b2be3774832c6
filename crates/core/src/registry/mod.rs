//! Registries: logging in (checked against the registry's `/v2/` challenge), secrets kept in
//! the OS keychain and shared with the docker CLI through its credential helpers, and the one
//! credential lookup that pull, push, search and build use.

mod client;
mod docker_config;
pub(crate) mod helper;
pub mod host;
mod index;
mod json_doc;
mod keychain;
mod logins;
mod model;

pub(crate) use client::{is_network_failure, unreachable, Client};
pub use host::{convert_to_hostname, Host};
pub use keychain::SERVICE as KEYCHAIN_SERVICE;
pub(crate) use logins::confirmed_token_host;
pub use logins::{credentials_for, credentials_in_config, list, login, logout, move_to_keychain, registry_config};
pub use model::*;

use std::path::PathBuf;

/// Where logins are listed: the docker CLI's config folder and Berth's own.
#[derive(Debug, Clone)]
pub struct Places {
    /// `$DOCKER_CONFIG`, else `~/.docker`.
    pub docker_config: PathBuf,
    /// Berth's config folder (`~/.config/berth` on Linux).
    pub berth_config: PathBuf,
}

impl Places {
    pub fn from_process() -> Places {
        let home = dirs::home_dir().unwrap_or_default();
        Places {
            docker_config: std::env::var_os("DOCKER_CONFIG")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".docker")),
            berth_config: dirs::config_dir().unwrap_or_else(|| home.join(".config")).join("berth"),
        }
    }
}

/// The login for a registry named as in an image reference (`docker.io`, `ghcr.io`).
pub async fn credentials_for_registry(registry: &str) -> Option<Credentials> {
    let host = Host::parse(registry).ok()?;
    credentials_for(&Places::from_process(), &host).await
}
