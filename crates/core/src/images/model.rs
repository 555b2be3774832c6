//! What the UI sees of images.

use crate::error::ErrorPayload;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageSummary {
    /// `sha256:…`
    pub id: String,
    /// `repo:tag` names; empty for a dangling image.
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub size: i64,
    /// Unix seconds.
    pub created: i64,
    /// Containers (running or not) made from this image.
    pub containers: u32,
    /// No tag left: an older build superseded by a newer one of the same name.
    pub dangling: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum PruneScope {
    /// Untagged images no container uses (`docker image prune`).
    Dangling,
    /// Every image no container uses (`docker image prune -a`).
    Unused,
}

/// What a prune would remove, for its confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PruneEstimate {
    /// The ids, to pass back to the prune once confirmed.
    pub images: Vec<String>,
    pub bytes: i64,
    /// The engine did not say which layers other images share: `bytes` counts them all.
    pub upper_bound: bool,
}

/// What a prune removed (ids of the confirmed list), the bytes freed, and what changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PruneReport {
    pub images: Vec<String>,
    pub bytes: i64,
    #[serde(flatten)]
    pub changes: crate::prune::Changes,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetails {
    pub summary: ImageSummary,
    pub os: String,
    pub architecture: String,
    pub author: String,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    /// "80/tcp", "53/udp"
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// Oldest first, as the Dockerfile reads.
    pub layers: Vec<Layer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename = "ImageLayer")]
#[serde(rename_all = "camelCase")]
pub struct Layer {
    /// The instruction that made it (`RUN apt-get install …`), cleaned of `/bin/sh -c #(nop)`.
    pub instruction: String,
    pub size: i64,
    /// Unix seconds.
    pub created: i64,
    pub comment: String,
}

/// Progress of one layer of a pull or push.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LayerProgress {
    pub id: String,
    /// The engine's word: Waiting, Downloading, Extracting, Pushing, Pull complete…
    pub status: String,
    pub current: u64,
    pub total: u64,
    pub done: bool,
}

/// All layers of a transfer folded into one bar.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferProgress {
    /// 0..=1
    pub fraction: f64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub bytes_per_second: u64,
    pub remaining_bytes: u64,
    pub layers_done: u32,
    pub layers_total: u32,
    /// The latest line without a layer ("Digest: …", "Pulling from …").
    pub message: String,
    pub layers: Vec<LayerProgress>,
}

/// Sent over a pull's or push's Channel; ends with `done` or `failed`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TransferEvent {
    Progress(TransferProgress),
    Done { reference: String },
    Failed { error: ErrorPayload },
}

/// One Docker Hub search hit.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub name: String,
    pub description: String,
    pub stars: u32,
    pub official: bool,
    pub automated: bool,
}

/// A container turned into an image.
#[derive(Debug, Clone, PartialEq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CommitSpec {
    pub container: String,
    pub repository: String,
    pub tag: String,
    pub message: String,
    pub author: String,
}

/// Bytes moved so far by a save or load; `total` is an estimate for saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveProgress {
    pub bytes: u64,
    pub total: u64,
}
