//! Docker CLI contexts: `currentContext` in config.json, and one
//! `contexts/meta/<sha256 of name>/meta.json` per context, with TLS files under
//! `contexts/tls/<sha256 of name>/docker/`.

use super::endpoint::TlsFiles;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// config.json and meta.json are small; anything larger is not the CLI's.
const META_CAP: u64 = 4 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub host: String,
    pub tls: Option<TlsFiles>,
}

/// The folder name the CLI uses for a context: hex SHA-256 of its name.
pub fn dir_name(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

/// `currentContext` from config.json; None when unset or "default" (the default endpoint).
pub fn current_name(config_dir: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Config {
        #[serde(rename = "currentContext", default)]
        current_context: String,
    }
    let text = crate::fsutil::read_text_capped(&config_dir.join("config.json"), META_CAP, "docker config").ok()?;
    let config: Config = serde_json::from_str(&text).ok()?;
    Some(config.current_context).filter(|c| !c.is_empty() && c != "default")
}

/// Every context with a docker endpoint, sorted by name. Unreadable ones are skipped with a
/// warning: one broken context must not hide the others.
pub fn all(config_dir: &Path) -> Vec<Context> {
    let meta_root = config_dir.join("contexts/meta");
    let Ok(entries) = std::fs::read_dir(&meta_root) else { return Vec::new() };
    let mut list: Vec<Context> = entries
        .flatten()
        .filter_map(|e| match read_meta(&e.path().join("meta.json")) {
            Ok(ctx) => ctx.map(|(name, host, skip_verify)| with_tls(config_dir, name, host, skip_verify)),
            Err(err) => {
                tracing::warn!(path = %e.path().display(), %err, "skipping unreadable docker context");
                None
            }
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    list
}

/// The context called `name`, or a sentence saying why it cannot be used (the CLI's words when
/// it does not exist).
pub fn find(config_dir: &Path, name: &str) -> Result<Context, String> {
    let path = config_dir.join("contexts/meta").join(dir_name(name)).join("meta.json");
    if !path.exists() {
        return Err(format!("context \"{name}\" does not exist"));
    }
    match read_meta(&path) {
        Ok(Some((name, host, skip_verify))) => Ok(with_tls(config_dir, name, host, skip_verify)),
        Ok(None) => Err(format!("context \"{name}\" has no docker endpoint")),
        Err(e) => Err(format!("context \"{name}\" cannot be read ({}): {e}", path.display())),
    }
}

/// The context's client certificates, when its tls folder has them and it verifies TLS.
fn with_tls(config_dir: &Path, name: String, host: String, skip_verify: bool) -> Context {
    let tls_dir = config_dir.join("contexts/tls").join(dir_name(&name)).join("docker");
    let tls = (!skip_verify && tls_dir.join("ca.pem").exists()).then(|| TlsFiles {
        ca: tls_dir.join("ca.pem"),
        cert: tls_dir.join("cert.pem"),
        key: tls_dir.join("key.pem"),
    });
    Context { name, host, tls }
}

fn read_meta(path: &Path) -> Result<Option<(String, String, bool)>, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Meta {
        name: String,
        #[serde(default)]
        endpoints: std::collections::HashMap<String, DockerEndpoint>,
    }
    #[derive(Deserialize)]
    struct DockerEndpoint {
        #[serde(rename = "Host", default)]
        host: String,
        #[serde(rename = "SkipTLSVerify", default)]
        skip_tls_verify: bool,
    }
    let text = crate::fsutil::read_text_capped(path, META_CAP, "docker context").map_err(|e| e.to_string())?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(meta.endpoints.get("docker").filter(|d| !d.host.is_empty()).map(|d| (meta.name.clone(), d.host.clone(), d.skip_tls_verify)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dir_name_is_sha256_hex() {
        // From the docker CLI's own store tests.
        assert_eq!(super::dir_name("default"), "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
    }
}
