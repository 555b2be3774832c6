//! The engine's facts as last seen, kept in a file (in the app's config folder) so that the next
//! start shows them as soon as the engine answers its version check, while /info (slower: it
//! walks the daemon's state) is on its way. Only what the window shows; nothing secret.

use super::{Endpoint, EngineInfo};
use std::path::Path;

/// The facts remembered for this endpoint (same name and host), else the bare ones the
/// connection itself gives; either way with `api_version`, the version just negotiated.
pub(super) fn recall(file: Option<&Path>, endpoint: &Endpoint, api_version: String) -> EngineInfo {
    let remembered = file
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|bytes| serde_json::from_slice::<EngineInfo>(&bytes).ok())
        .filter(|info| info.host == endpoint.host && info.name == endpoint.name);
    let bare = || EngineInfo {
        name: endpoint.name.clone(),
        host: endpoint.host.clone(),
        product: String::new(),
        version: String::new(),
        api_version: String::new(),
        os: String::new(),
        os_type: String::new(),
        arch: String::new(),
        kernel_version: String::new(),
        cpus: 0,
        memory_bytes: 0,
        containers: 0,
        containers_running: 0,
        images: 0,
        warning: None,
    };
    EngineInfo { api_version, ..remembered.unwrap_or_else(bare) }
}

/// Keeps `info` for the next start (off the async workers: the write is synced to disk).
pub(super) fn remember(file: Option<&Path>, info: &EngineInfo) {
    let (Some(file), Ok(bytes)) = (file, serde_json::to_vec_pretty(info)) else { return };
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = crate::fsutil::write_atomic(&file, &bytes, 0o600) {
            tracing::debug!(%e, "cannot keep the engine's facts for the next start");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineSource;

    fn endpoint(host: &str) -> Endpoint {
        Endpoint { name: "default".into(), host: host.into(), source: EngineSource::WellKnown, tls: None }
    }

    #[test]
    fn facts_come_back_for_the_same_engine_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("engine.json");
        let here = endpoint("unix:///var/run/docker.sock");
        let bare = recall(Some(&file), &here, "1.47".into());
        assert_eq!((bare.version.as_str(), bare.host.as_str()), ("", here.host.as_str()), "nothing remembered yet");

        let seen = EngineInfo { product: "Docker Engine".into(), version: "28.1.1".into(), cpus: 8, ..bare };
        crate::fsutil::write_atomic(&file, &serde_json::to_vec(&seen).unwrap(), 0o600).unwrap();
        let back = recall(Some(&file), &here, "1.48".into());
        assert_eq!((back.product.as_str(), back.version.as_str(), back.cpus), ("Docker Engine", "28.1.1", 8));
        assert_eq!(back.api_version, "1.48", "the version negotiated now, not the remembered one");

        let other = endpoint("unix:///run/user/1000/docker.sock");
        assert_eq!(recall(Some(&file), &other, "1.47".into()).version, "", "another engine's facts are not shown");
    }
}
