//! Registry credentials. For now they come from the docker CLI's config file (`auths` in
//! `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`); the registries feature will
//! replace [`credentials_for`] with its own store. Secrets never appear in Debug output or logs.

use base64::Engine as _;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials {{ username: {:?}, password: <redacted> }}", self.username)
    }
}

impl Credentials {
    pub(crate) fn docker(&self, registry: &str) -> bollard::auth::DockerCredentials {
        bollard::auth::DockerCredentials {
            username: Some(self.username.clone()),
            password: Some(self.password.clone()),
            serveraddress: Some(registry.to_string()),
            ..Default::default()
        }
    }
}

fn config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => Some(PathBuf::from(dir).join("config.json")),
        None => dirs::home_dir().map(|h| h.join(".docker/config.json")),
    }
}

/// The saved login for `registry` (a reference's domain: `docker.io`, `127.0.0.1:5000`).
pub fn credentials_for(registry: &str) -> Option<Credentials> {
    let text = std::fs::read_to_string(config_path()?).ok()?;
    let config: serde_json::Value = serde_json::from_str(&text).ok()?;
    let wanted = if registry == "docker.io" { "index.docker.io" } else { registry };
    let (_, entry) = config["auths"]
        .as_object()?
        .iter()
        .find(|(key, _)| {
            let host = convert_to_hostname(key);
            host == wanted || (wanted == "index.docker.io" && host == "docker.io")
        })?;
    if let (Some(u), Some(p)) = (entry["username"].as_str(), entry["password"].as_str()) {
        return Some(Credentials { username: u.into(), password: p.into() });
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(entry["auth"].as_str()?).ok()?;
    let (u, p) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(Credentials { username: u.into(), password: p.into() })
}

/// docker/cli's `ConvertToHostname`: the `host[:port]` of an `auths` key, which may be a URL.
pub fn convert_to_hostname(key: &str) -> String {
    if let Some((_, rest)) = key.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = split_host_port(authority);
        if !host.is_empty() {
            return match port {
                None => host.to_string(),
                Some(port) if host.contains(':') => format!("[{host}]:{port}"),
                Some(port) => format!("{host}:{port}"),
            };
        }
    }
    key.split('/').next().unwrap_or_default().to_string()
}

/// Go's `url.URL.Hostname()`/`Port()` split.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    let (mut host, mut port) = (authority, None);
    if let Some(colon) = authority.rfind(':') {
        let p = &authority[colon + 1..];
        if p.bytes().all(|b| b.is_ascii_digit()) && (!authority.starts_with('[') || authority[..colon].ends_with(']')) {
            host = &authority[..colon];
            port = Some(p).filter(|p| !p.is_empty());
        }
    }
    (host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host), port)
}
