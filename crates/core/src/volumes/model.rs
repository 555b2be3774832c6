//! What the UI sees of volumes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSummary {
    pub name: String,
    pub driver: String,
    /// Where the engine keeps it on its host (inside the VM for Docker Desktop).
    pub mountpoint: String,
    /// RFC 3339, as the engine says it; empty when it does not.
    pub created: String,
    pub labels: BTreeMap<String, String>,
    /// The `com.docker.compose.project` it belongs to.
    pub compose_project: Option<String>,
    /// Containers (running or not) that mount it; the engine refuses to remove it while any exist.
    pub containers: Vec<VolumeUser>,
    /// Bytes on disk; None when the engine did not measure it (other drivers, or it cannot).
    pub size: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeUser {
    pub id: String,
    pub name: String,
    pub running: bool,
    /// Where the container mounts it.
    pub destination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeDetails {
    pub summary: VolumeSummary,
    pub scope: String,
    /// The driver options it was created with (`type`, `device`, `o` for the local driver).
    pub options: BTreeMap<String, String>,
    /// The engine's inspect JSON, pretty-printed.
    pub raw: String,
}

/// The create dialog's fields.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSpec {
    /// Empty: the engine picks a random name (an anonymous volume).
    pub name: String,
    /// Empty: `local`.
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    pub driver_opts: BTreeMap<String, String>,
}

/// What a prune would remove, for its confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumePruneEstimate {
    pub volumes: Vec<String>,
    /// Bytes of the measured ones.
    pub bytes: i64,
}

/// What a prune removed (of the confirmed list), the bytes they held, and what changed since.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumePruneReport {
    pub volumes: Vec<String>,
    pub bytes: i64,
    #[serde(flatten)]
    pub changes: crate::prune::Changes,
}

/// A volume's files, read through the engine's archive API.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeFiles {
    /// Sorted by path.
    pub entries: Vec<VolumeFile>,
    /// Why the listing stops short (too many entries, too much data, too long), when it does.
    pub partial: Option<String>,
    /// The local image the helper container was created from.
    pub image: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeFile {
    /// Relative to the volume's root, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    /// Unix seconds.
    pub modified: u64,
    /// Where a symlink points.
    pub link: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Other,
}
