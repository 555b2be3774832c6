//! What the UI sees of a build: the request, the events of a running build, the outcome.

use super::context::ContextSummary;
use super::dockerfile::{BuildArg, Stage};
use crate::error::ErrorPayload;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What to build, as the build form filled it in.
#[derive(Debug, Clone, Default, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildRequest {
    pub folder: PathBuf,
    /// Slash path relative to `folder`.
    pub dockerfile: String,
    /// The Dockerfile's text (compose's `dockerfile_inline`), sent in the context under a name
    /// of its own instead of `dockerfile`; nothing is written into the folder.
    #[serde(default)]
    pub dockerfile_inline: Option<String>,
    /// References as typed; each is normalised before the build starts.
    pub tags: Vec<String>,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub no_cache: bool,
    #[serde(default)]
    pub pull: bool,
    /// Force a builder; `None` picks BuildKit when the engine has it.
    #[serde(default)]
    pub builder: Option<Builder>,
}

/// The build form's starting point for one Dockerfile.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildPlan {
    pub dockerfile: String,
    pub args: Vec<BuildArg>,
    pub stages: Vec<Stage>,
    pub context: ContextSummary,
    /// The folder name as a valid image name, for the default tag.
    pub default_tag: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Builder {
    BuildKit,
    Classic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    Running,
    Done,
    Cached,
    Failed,
}

/// One step: a BuildKit vertex or a classic `Step n/m`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildStep {
    pub id: String,
    pub name: String,
    /// The Dockerfile line it came from, when known.
    pub line: Option<u32>,
    pub state: StepState,
    /// BuildKit's own bookkeeping (`[internal] load …`), shown dimmed.
    pub internal: bool,
    /// Milliseconds since the build started.
    pub started_ms: Option<u64>,
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildResult {
    pub image_id: String,
    pub tags: Vec<String>,
    /// `80/tcp`, … from the image's config, for the run dialog.
    pub exposed_ports: Vec<String>,
    pub builder: Builder,
    pub duration_ms: u64,
}

/// A running build tells the UI, in order: `Started`, then any number of `Uploading`, `Step`
/// and `Log`, then exactly one of `Done` or `Failed` (none when it was cancelled).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum BuildEvent {
    #[serde(rename_all = "camelCase")]
    Started {
        builder: Builder,
        note: Option<String>,
        context: ContextSummary,
    },
    /// The engine fell back (or was found) to be another builder than announced.
    #[serde(rename_all = "camelCase")]
    Builder {
        builder: Builder,
        note: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Uploading {
        sent_bytes: u64,
        total_bytes: u64,
    },
    Step {
        step: BuildStep,
    },
    #[serde(rename_all = "camelCase")]
    Log {
        step_id: String,
        lines: Vec<String>,
    },
    Done {
        result: BuildResult,
    },
    #[serde(rename_all = "camelCase")]
    Failed {
        error: ErrorPayload,
        step_id: Option<String>,
        line: Option<u32>,
        output: Vec<String>,
    },
}
