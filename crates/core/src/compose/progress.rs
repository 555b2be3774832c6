//! The progress lines that up, pull, build and down report, as the Compose CLI prints them.

use serde::Serialize;

/// One line of progress, as the Compose CLI prints them ("Container p-web-1  Started").
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename = "ComposeProgress")]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// "Network p_default", "Volume p_data", "Container p-web-1".
    pub resource: String,
    pub service: Option<String>,
    pub state: String,
}

pub(crate) type Emit<'a> = &'a (dyn Fn(Progress) + Sync);

pub(crate) fn say(emit: Emit, resource: String, service: Option<&str>, state: &str) {
    emit(Progress { resource, service: service.map(str::to_string), state: state.to_string() });
}
