use serde::{Deserialize, Serialize};

/// What the window shows about the engine it talks to (kept for the next start: `facts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    pub name: String,
    pub host: String,
    /// "Docker Engine - Community", "Podman Engine", ...
    pub product: String,
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub os_type: String,
    pub arch: String,
    pub kernel_version: String,
    pub cpus: i64,
    pub memory_bytes: i64,
    pub containers: i64,
    pub containers_running: i64,
    pub images: i64,
    /// Something the user should know about how this engine was chosen (DOCKER_HOST hiding a
    /// context), as a sentence.
    pub warning: Option<String>,
}
