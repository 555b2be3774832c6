//! Talking to a registry's v2 API directly (catalog and tags), with its auth challenge
//! (Basic, or Bearer with a token from the realm), and turning registry failures, ours or the
//! engine's, into sentences.

use super::auth::{credentials_for, Credentials};
use crate::error::{Error, Result};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) struct Registry {
    http: reqwest::Client,
    host: String,
    base: String,
    credentials: Option<Credentials>,
}

impl Registry {
    /// `host` is `registry.example.com` or `127.0.0.1:5000`; loopback registries speak plain
    /// HTTP, as the engine allows them to.
    pub fn new(host: &str) -> Result<Registry> {
        let host = host.trim().trim_end_matches('/');
        let host = host.strip_prefix("https://").or_else(|| host.strip_prefix("http://")).unwrap_or(host);
        if host.is_empty() || !super::reference::grammar::DOMAIN.is_match(host) {
            return Err(Error::invalid("registry", format!("“{host}” is not a registry address; use host or host:port.")));
        }
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let scheme = if is_loopback(host) { "http" } else { "https" };
        Ok(Registry {
            http,
            host: host.to_string(),
            base: format!("{scheme}://{host}"),
            credentials: credentials_for(host),
        })
    }

    /// GET a v2 path as JSON, answering the auth challenge once.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let first = self.send(self.http.get(&url)).await?;
        let response = if first.status() == StatusCode::UNAUTHORIZED {
            let challenge = first.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let request = self.authorize(self.http.get(&url), &challenge).await?;
            self.send(request).await?
        } else {
            first
        };
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(self.status_error(status, what, &body));
        }
        response.json().await.map_err(|e| Error::Registry {
            message: format!("The registry {} sent an answer Berth cannot read.", self.host),
            detail: e.to_string(),
        })
    }

    async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response> {
        request.send().await.map_err(|e| unreachable(&self.host, &crate::error::err_chain(&e)))
    }

    async fn authorize(&self, request: RequestBuilder, challenge: &str) -> Result<RequestBuilder> {
        let Some(creds) = &self.credentials else {
            return Err(Error::Registry {
                message: format!("The registry {} requires a login: log in to it first (docker login {}).", self.host, self.host),
                detail: format!("401, challenge: {challenge}"),
            });
        };
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Ok(request.basic_auth(&creds.username, Some(&creds.password)));
        }
        let param = |name: &str| challenge_param(params, name);
        let realm = param("realm").ok_or_else(|| Error::Registry {
            message: format!("The registry {} asked for a token but did not say where to get it.", self.host),
            detail: challenge.to_string(),
        })?;
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(service) = param("service") {
            query.push(("service", service));
        }
        if let Some(scope) = param("scope") {
            query.push(("scope", scope));
        }
        let token_request = self.http.get(&realm).query(&query).basic_auth(&creds.username, Some(&creds.password));
        let response = self.send(token_request).await?;
        if !response.status().is_success() {
            return Err(self.status_error(response.status(), "a token", ""));
        }
        let body: serde_json::Value = response.json().await.map_err(|e| Error::Registry {
            message: format!("The token service of {} sent an answer Berth cannot read.", self.host),
            detail: e.to_string(),
        })?;
        let token = body["token"].as_str().or(body["access_token"].as_str()).unwrap_or_default();
        Ok(request.bearer_auth(token))
    }

    fn status_error(&self, status: StatusCode, what: &str, body: &str) -> Error {
        let host = &self.host;
        let message = match status {
            StatusCode::UNAUTHORIZED => format!("The registry {host} did not accept the saved user name and password (401). Log in again with the right ones."),
            StatusCode::FORBIDDEN => format!("Your account may not read {what} on {host} (403)."),
            StatusCode::NOT_FOUND => format!("The registry {host} has no {what}: check the name."),
            s => format!("The registry {host} answered {s} for {what}."),
        };
        Error::Registry { message, detail: format!("HTTP {status}: {}", body.chars().take(300).collect::<String>()) }
    }
}

/// One `key="value"` of a `WWW-Authenticate` challenge.
fn challenge_param(params: &str, name: &str) -> Option<String> {
    let start = params.find(&format!("{name}=\""))? + name.len() + 2;
    let end = params[start..].find('"')? + start;
    Some(params[start..end].to_string())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.rsplit_once(':').filter(|(h, p)| !h.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
    bare == "localhost" || bare.starts_with("127.") || bare == "[::1]"
}

pub(crate) fn is_network_failure(message: &str) -> bool {
    let m = message.to_lowercase();
    [
        "dial tcp", "no such host", "i/o timeout", "connection refused", "network is unreachable",
        "server misbehaving", "tls handshake timeout", "client.timeout", "timed out", "error sending request",
        "connection reset", "temporary failure in name resolution",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

pub(crate) fn unreachable(host: &str, detail: &str) -> Error {
    Error::Registry {
        message: format!("Cannot reach the registry {host}. Check its address and port, that it is running, and the network."),
        detail: detail.to_string(),
    }
}

/// An engine's pull/push failure about `reference` on `registry`, said plainly.
pub(crate) fn explain(message: &str, registry: &str, reference: &str, had_credentials: bool) -> Error {
    let m = message.to_lowercase();
    let detail = message.to_string();
    let text = if is_network_failure(&m) {
        return unreachable(registry, message);
    } else if m.contains("does not exist locally") || m.contains("no such image") {
        format!("There is no local image {reference} to push: tag an image with that name first.")
    } else if m.contains("unauthorized") || m.contains("authentication required") || m.contains("no basic auth") || m.contains("incorrect username") {
        if had_credentials {
            format!("The registry {registry} did not accept the saved user name and password (401). Log in again with the right ones.")
        } else {
            format!("The registry {registry} requires a login: log in to it first (docker login {registry}).")
        }
    } else if m.contains("manifest unknown") || m.contains("not found") || m.contains("name unknown") || m.contains("repository does not exist") {
        format!("{reference} does not exist on {registry}: check the repository name and tag.")
    } else if m.contains("denied") || m.contains("forbidden") {
        format!("The registry {registry} denied access to {reference} (403): your account may not use this repository.")
    } else {
        let mut s = message.trim().to_string();
        if !s.ends_with('.') {
            s.push('.');
        }
        format!("The registry {registry} refused: {s}")
    };
    Error::Registry { message: text, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_bearer_challenge() {
        let c = r#"realm="https://auth.example.com/token",service="registry.example.com",scope="registry:catalog:*""#;
        assert_eq!(challenge_param(c, "realm").as_deref(), Some("https://auth.example.com/token"));
        assert_eq!(challenge_param(c, "scope").as_deref(), Some("registry:catalog:*"));
        assert_eq!(challenge_param(c, "nope"), None);
    }

    #[test]
    fn engine_failures_become_sentences() {
        let e = explain("Get \"http://127.0.0.1:5999/v2/\": dial tcp 127.0.0.1:5999: connect: connection refused", "127.0.0.1:5999", "x", false);
        assert!(e.to_string().starts_with("Cannot reach the registry 127.0.0.1:5999."), "{e}");
        let e = explain("unauthorized: authentication required", "r", "r/a:1", true);
        assert!(e.to_string().contains("did not accept"), "{e}");
        let e = explain("manifest for r/a:2 not found: manifest unknown: manifest unknown", "r", "r/a:2", true);
        assert!(e.to_string().contains("does not exist on r"), "{e}");
    }
}
