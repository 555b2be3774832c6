//! A registry's v2 API over HTTP, answering its auth challenge (Basic, or Bearer with a token
//! from the realm): used for the login check and for searching private registries.

use super::host::Host;
use super::model::Credentials;
use crate::error::{err_chain, Error, Result};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use std::path::Path;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) struct Client {
    http: reqwest::Client,
    host: Host,
    credentials: Option<Credentials>,
}

/// How a request ended once the challenge was answered: the registry's answer, or the token
/// service's refusal.
enum Answer {
    Registry(Response),
    TokenRefused(StatusCode),
}

impl Client {
    /// `docker_config` is the docker CLI's folder: its `certs.d` is searched for the registry's
    /// certificate authority, as is `/etc/docker/certs.d`.
    pub fn new(host: Host, credentials: Option<Credentials>, docker_config: &Path) -> Result<Client> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
            .tls_certs_merge(docker_cas(&host, docker_config))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Client { http, host, credentials })
    }

    /// GET a v2 path as JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, what: &str) -> Result<T> {
        let response = match self.fetch(path).await? {
            Answer::Registry(r) => r,
            Answer::TokenRefused(status) => return Err(self.status_error(status, "a token", "")),
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

    /// Whether the registry accepts these credentials, the way `docker login` checks: `/v2/`
    /// with the challenge answered. Wrong ones are an error on the `secret` field.
    pub async fn check_login(&self) -> Result<()> {
        let status = match self.fetch("/v2/").await? {
            Answer::Registry(r) => r.status(),
            Answer::TokenRefused(s) => s,
        };
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::invalid(
                "secret",
                format!("Wrong username or password for {}. Nothing was saved.", self.host),
            )),
            s => Err(self.status_error(s, "the login check", "")),
        }
    }

    async fn fetch(&self, path: &str) -> Result<Answer> {
        let url = format!("{}{path}", self.host.api_base());
        let first = self.send(self.http.get(&url)).await?;
        if first.status() != StatusCode::UNAUTHORIZED {
            return Ok(Answer::Registry(first));
        }
        let challenge = first.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let Some(creds) = &self.credentials else {
            return Err(Error::Registry {
                message: format!("The registry {} requires a login: log in to it in Registries first.", self.host),
                detail: format!("401, challenge: {challenge}"),
            });
        };
        let (scheme, params) = challenge.split_once(' ').unwrap_or((&challenge, ""));
        let request = self.http.get(&url);
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Ok(Answer::Registry(self.send(request.basic_auth(&creds.username, Some(&creds.password))).await?));
        }
        let realm = challenge_param(params, "realm").ok_or_else(|| Error::Registry {
            message: format!("The registry {} asked for a token but did not say where to get it.", self.host),
            detail: challenge.to_string(),
        })?;
        let mut query = vec![("account", creds.username.clone())];
        for name in ["service", "scope"] {
            if let Some(value) = challenge_param(params, name) {
                query.push((name, value));
            }
        }
        let response =
            self.send(self.http.get(&realm).query(&query).basic_auth(&creds.username, Some(&creds.password))).await?;
        if !response.status().is_success() {
            return Ok(Answer::TokenRefused(response.status()));
        }
        let body: serde_json::Value = response.json().await.map_err(|e| Error::Registry {
            message: format!("The token service of {} sent an answer Berth cannot read.", self.host),
            detail: e.to_string(),
        })?;
        let token = body["token"].as_str().or(body["access_token"].as_str()).unwrap_or_default();
        Ok(Answer::Registry(self.send(request.bearer_auth(token)).await?))
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        request.send().await.map_err(|e| connect_error(self.host.name(), &err_chain(&e)))
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

/// The certificate authorities docker trusts for `host`: the `*.crt` files of
/// `certs.d/<host>/` under /etc/docker and under the docker CLI's folder.
fn docker_cas(host: &Host, docker_config: &Path) -> Vec<reqwest::Certificate> {
    let dirs = [Path::new("/etc/docker/certs.d").join(host.name()), docker_config.join("certs.d").join(host.name())];
    let files = dirs.iter().filter_map(|d| std::fs::read_dir(d).ok()).flatten().flatten().map(|e| e.path());
    files
        .filter(|p| p.extension().is_some_and(|x| x == "crt"))
        .filter_map(|p| std::fs::read(&p).ok())
        .filter_map(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
        .flatten()
        .collect()
}

/// One `key="value"` of a `WWW-Authenticate` challenge.
fn challenge_param(params: &str, name: &str) -> Option<String> {
    let start = params.find(&format!("{name}=\""))? + name.len() + 2;
    let end = params[start..].find('"')? + start;
    Some(params[start..end].to_string())
}

/// A request that got no HTTP answer: an untrusted certificate, or no server there.
fn connect_error(host: &str, chain: &str) -> Error {
    let c = chain.to_lowercase();
    if c.contains("certificate") || c.contains("unknownissuer") || c.contains("invalid peer") {
        return Error::Registry {
            message: format!("The registry {host} presented a certificate this computer does not trust (self-signed, expired or issued for another name). Put its certificate authority in /etc/docker/certs.d/{host}/ca.crt, as for docker, or check the address."),
            detail: chain.to_string(),
        };
    }
    if c.contains("corrupt message") || c.contains("invalidcontenttype") || c.contains("wrong version number") {
        return Error::Registry {
            message: format!("The registry {host} does not speak HTTPS at that address. Type http:// in front if it is a plain-HTTP registry you trust."),
            detail: chain.to_string(),
        };
    }
    unreachable(host, chain)
}

pub(crate) fn is_network_failure(message: &str) -> bool {
    let m = message.to_lowercase();
    [
        "dial tcp",
        "no such host",
        "i/o timeout",
        "connection refused",
        "network is unreachable",
        "server misbehaving",
        "tls handshake timeout",
        "client.timeout",
        "timed out",
        "error sending request",
        "connection reset",
        "temporary failure in name resolution",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

pub(crate) fn unreachable(host: &str, detail: &str) -> Error {
    Error::Registry {
        message: format!(
            "Cannot reach the registry {host}. Check its address and port, that it is running, and the network."
        ),
        detail: detail.to_string(),
    }
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

    /// A registry that wants a Bearer token from its own token service, accepting u:p only;
    /// answers `/v2/` and `/token` like Docker Hub and GHCR do.
    async fn bearer_registry() -> (String, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let mut buf = vec![0; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let basic = "Basic dTpw"; // u:p
                let (status, headers, body) = if request.starts_with("GET /token?") {
                    if request.contains(basic) && request.contains("account=u") && request.contains("service=test") {
                        ("200 OK", String::new(), r#"{"token":"t0k"}"#)
                    } else {
                        ("401 Unauthorized", String::new(), "{}")
                    }
                } else if request.contains("Authorization: Bearer t0k") || request.contains("authorization: Bearer t0k")
                {
                    ("200 OK", String::new(), "{}")
                } else {
                    (
                        "401 Unauthorized",
                        format!("www-authenticate: Bearer realm=\"http://{addr}/token\",service=\"test\"\r\n"),
                        "{}",
                    )
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (addr.to_string(), server)
    }

    #[tokio::test]
    async fn logs_in_through_a_bearer_token_service() {
        let (addr, server) = bearer_registry().await;
        let host = Host::parse(&addr).unwrap();
        let creds = |p: &str| Some(Credentials { username: "u".into(), password: p.into() });
        Client::new(host.clone(), creds("p"), Path::new("/nonexistent")).unwrap().check_login().await.unwrap();
        let e = Client::new(host.clone(), creds("wrong"), Path::new("/nonexistent")).unwrap().check_login().await.unwrap_err();
        assert_eq!(e.field(), Some("secret"), "{e}");
        assert!(e.to_string().starts_with("Wrong username or password"), "{e}");
        let e = Client::new(host, None, Path::new("/nonexistent")).unwrap().check_login().await.unwrap_err();
        assert!(e.to_string().contains("requires a login"), "{e}");
        server.abort();
    }

    #[test]
    fn connection_failures_are_told_apart() {
        let tls = connect_error(
            "r:1",
            "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer",
        );
        assert!(tls.to_string().contains("certificate this computer does not trust"), "{tls}");
        let down = connect_error("r:1", "error sending request: tcp connect error: Connection refused (os error 111)");
        assert!(down.to_string().starts_with("Cannot reach the registry r:1."), "{down}");
    }
}
