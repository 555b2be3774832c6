//! What the UI sees of networks.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSummary {
    pub id: String,
    pub name: String,
    pub driver: String,
    /// `local` or `swarm`.
    pub scope: String,
    /// RFC 3339, as the engine says it.
    pub created: String,
    /// No route out of the network.
    pub internal: bool,
    /// Standalone containers may join it (swarm networks).
    pub attachable: bool,
    pub ipv6: bool,
    pub subnets: Vec<Subnet>,
    pub labels: BTreeMap<String, String>,
    pub compose_project: Option<String>,
    /// `bridge`, `host` or `none`: made by the engine, which never removes them.
    pub predefined: bool,
    /// Containers attached to it, running or not.
    pub containers: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    pub subnet: String,
    pub gateway: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "NetworkEndpoint")]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    pub running: bool,
    /// Without the prefix length; empty while the container is stopped.
    pub ipv4: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkDetails {
    pub summary: NetworkSummary,
    /// Driver options (`com.docker.network.bridge.name`, …).
    pub options: BTreeMap<String, String>,
    /// The engine's inspect JSON, pretty-printed.
    pub raw: String,
}

/// The create dialog's fields. Empty strings are "not given".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSpec {
    pub name: String,
    /// Empty: `bridge`.
    pub driver: String,
    /// CIDR, `172.28.0.0/16`.
    pub subnet: String,
    pub gateway: String,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
}

/// What a network prune removes (estimated first, then reported with what changed since).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPrune {
    pub networks: Vec<String>,
    #[serde(flatten)]
    pub changes: crate::prune::Changes,
}
