//! Registry hostnames as docker keys credentials: `https://index.docker.io/v1/`, `docker.io`
//! and `index.docker.io` are all Docker Hub; other keys reduce to `host[:port]`
//! (docker/cli's `ConvertToHostname`).

use crate::error::{Error, Result};
use crate::reference::grammar::DOMAIN;

/// Docker Hub's name in Berth, and the key the docker CLI and credential helpers use for it.
pub const HUB: &str = "docker.io";
pub const HUB_SERVER: &str = "https://index.docker.io/v1/";
const HUB_ALIASES: [&str; 4] = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

/// A registry as logins are keyed: `docker.io`, `ghcr.io`, `127.0.0.1:5000`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Host {
    name: String,
    /// The user typed `https://` (or `http://`) in front; otherwise loopback registries speak
    /// plain HTTP, as the engine allows them to, and all others HTTPS.
    https: bool,
}

impl Host {
    /// A registry address the user typed (`ghcr.io`, `localhost:5000`, `https://quay.io/v2/`).
    pub fn parse(input: &str) -> Result<Host> {
        let input = input.trim();
        let lower = input.to_ascii_lowercase();
        let name = from_key(&lower);
        if name.is_empty() || !DOMAIN.is_match(&name) {
            return Err(Error::invalid(
                "host",
                format!("“{input}” is not a registry address; use host or host:port, such as ghcr.io or localhost:5000."),
            ));
        }
        let https = if lower.starts_with("https://") {
            true
        } else if lower.starts_with("http://") {
            false
        } else {
            !is_loopback(&name)
        };
        Ok(Host { name, https })
    }

    /// A key of config.json's `auths` or a credential helper's list; None when it is no
    /// registry address.
    pub fn from_key(key: &str) -> Option<Host> {
        let name = from_key(&key.to_ascii_lowercase());
        (!name.is_empty() && DOMAIN.is_match(&name)).then(|| Host { https: !is_loopback(&name), name })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_hub(&self) -> bool {
        self.name == HUB
    }

    /// What the engine and credential helpers call this registry (`serveraddress`).
    pub fn server_address(&self) -> &str {
        if self.is_hub() {
            HUB_SERVER
        } else {
            &self.name
        }
    }

    /// Where its v2 API answers.
    pub fn api_base(&self) -> String {
        if self.is_hub() {
            return "https://registry-1.docker.io".into();
        }
        format!("{}://{}", if self.https { "https" } else { "http" }, self.name)
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

fn from_key(key: &str) -> String {
    let name = convert_to_hostname(key);
    if HUB_ALIASES.contains(&name.as_str()) {
        HUB.into()
    } else {
        name
    }
}

fn is_loopback(name: &str) -> bool {
    let (host, _) = split_host_port(name);
    host == "localhost" || host.starts_with("127.") || host == "::1"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_has_one_name() {
        for input in ["docker.io", "index.docker.io", "https://index.docker.io/v1/", "Registry-1.Docker.io"] {
            let h = Host::parse(input).unwrap();
            assert_eq!((h.name(), h.server_address()), (HUB, HUB_SERVER), "{input}");
            assert_eq!(h.api_base(), "https://registry-1.docker.io");
        }
    }

    #[test]
    fn loopback_speaks_http_unless_told() {
        assert_eq!(Host::parse("127.0.0.1:5000").unwrap().api_base(), "http://127.0.0.1:5000");
        assert_eq!(Host::parse("localhost:5000").unwrap().api_base(), "http://localhost:5000");
        assert_eq!(Host::parse("https://127.0.0.1:5000/").unwrap().api_base(), "https://127.0.0.1:5000");
        assert_eq!(Host::parse("ghcr.io").unwrap().api_base(), "https://ghcr.io");
        assert_eq!(Host::parse("https://quay.io/v2/").unwrap().name(), "quay.io");
    }

    #[test]
    fn refuses_what_is_no_address() {
        for bad in ["", "  ", "has space.io", "a_b.io", "://"] {
            let e = Host::parse(bad).unwrap_err();
            assert_eq!(e.field(), Some("host"), "{bad}");
        }
    }
}
