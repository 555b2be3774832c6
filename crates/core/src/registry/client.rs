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
    /// A token service host other than the registry's that the user trusts with the password.
    token_host: Option<String>,
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
        Ok(Client { http, host, credentials, token_host: None })
    }

    /// Lets the password go to the token service on `token_host` (one the user confirmed).
    pub fn trusting(mut self, token_host: Option<String>) -> Client {
        self.token_host = token_host;
        self
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
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(Error::invalid("secret", format!("Wrong username or password for {}. Nothing was saved.", self.host)))
            }
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
        let realm: String = challenge_param(params, "realm").ok_or_else(|| Error::Registry {
            message: format!("The registry {} asked for a token but did not say where to get it.", self.host),
            detail: challenge.to_string(),
        })?;
        let realm = check_realm(&self.host, &realm, self.token_host.as_deref())?;
        let mut query = vec![("account", creds.username.clone())];
        for name in ["service", "scope"] {
            if let Some(value) = challenge_param(params, name) {
                query.push((name, value));
            }
        }
        let response = self.send(self.http.get(realm).query(&query).basic_auth(&creds.username, Some(&creds.password))).await?;
        if !response.status().is_success() {
            return Ok(Answer::TokenRefused(response.status()));
        }
        let body: TokenAnswer = response.json().await.map_err(|e| Error::Registry {
            message: format!("The token service of {} sent an answer Berth cannot read.", self.host),
            detail: e.to_string(),
        })?;
        let token = if body.token.is_empty() { &body.access_token } else { &body.token };
        Ok(Answer::Registry(self.send(request.bearer_auth(token)).await?))
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        request.send().await.map_err(|e| connect_error(self.host.name(), &err_chain(&e)))
    }

    fn status_error(&self, status: StatusCode, what: &str, body: &str) -> Error {
        let host = &self.host;
        let message = match status {
            StatusCode::UNAUTHORIZED => {
                format!("The registry {host} did not accept the saved user name and password (401). Log in again with the right ones.")
            }
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

/// A token service's answer (`token`, or OAuth's `access_token`); wiped from memory when dropped.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: String,
    #[serde(default)]
    access_token: String,
}

impl Drop for TokenAnswer {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.token);
        zeroize::Zeroize::zeroize(&mut self.access_token);
    }
}

/// Where the password may go for a token: HTTPS (plain HTTP only on loopback), on the
/// registry's own host, Docker Hub's auth.docker.io, or the host the user confirmed. A realm is
/// the registry's word, and a registry (or whoever answers in its place) could name any server.
fn check_realm(registry: &Host, realm: &str, confirmed: Option<&str>) -> Result<reqwest::Url> {
    let refuse = |message: String| Error::Registry { message, detail: format!("token realm: {realm}") };
    let url = reqwest::Url::parse(realm)
        .map_err(|_| refuse(format!("The registry {registry} named a token service Berth cannot use (“{realm}”).")))?;
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(refuse(format!(
                "The registry {registry} asked for your password to be sent over plain HTTP to {host}, where anyone on the network could read it; Berth did not send it. Ask the registry's owner to serve its token service over HTTPS."
            )))
        }
    }
    let own = reqwest::Url::parse(&registry.api_base()).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    let own = own.as_deref().map(|h| h.trim_start_matches('[').trim_end_matches(']'));
    if own == Some(host.as_str()) || (registry.is_hub() && host == "auth.docker.io") || confirmed == Some(host.as_str()) {
        return Ok(url);
    }
    Err(Error::InvalidInput {
        field: Some("trustTokenHost"),
        message: format!(
            "The registry {registry} sends logins to a token service on another host, {host}. Your password was not sent: confirm that you trust {host} with it to log in."
        ),
    })
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
            message: format!(
                "The registry {host} does not speak HTTPS at that address. Type http:// in front if it is a plain-HTTP registry you trust."
            ),
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
        message: format!("Cannot reach the registry {host}. Check its address and port, that it is running, and the network."),
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

    #[test]
    fn token_realms_are_checked() {
        let host = |h: &str| Host::parse(h).unwrap();
        assert!(check_realm(&host("docker.io"), "https://auth.docker.io/token", None).is_ok());
        assert!(check_realm(&host("ghcr.io"), "https://ghcr.io/token", None).is_ok());
        assert!(check_realm(&host("quay.io:8443"), "https://quay.io/v2/auth", None).is_ok(), "same host, other port");
        assert!(check_realm(&host("[::1]:5000"), "http://[::1]:5001/token", None).is_ok(), "loopback may be http");
        let e = check_realm(&host("ghcr.io"), "http://ghcr.io/token", None).unwrap_err();
        assert!(e.to_string().contains("over plain HTTP"), "{e}");
        let e = check_realm(&host("ghcr.io"), "https://evil.example/token", None).unwrap_err();
        assert_eq!(e.field(), Some("trustTokenHost"), "{e}");
        assert!(check_realm(&host("registry.gitlab.com"), "https://gitlab.com/jwt/auth", Some("gitlab.com")).is_ok());
        assert!(check_realm(&host("ghcr.io"), "file:///etc/passwd", None).is_err());
    }

    /// A registry that wants a Bearer token from its own token service, accepting u:p only;
    /// answers `/v2/` and `/token` like Docker Hub and GHCR do.
    /// `realm_host` names the token service's host (the registry's own address by default).
    async fn bearer_registry_at(realm_host: Option<&'static str>) -> (String, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let realm = match realm_host {
            Some(host) => format!("{host}:{}", addr.port()),
            None => addr.to_string(),
        };
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
                } else if request.contains("Authorization: Bearer t0k") || request.contains("authorization: Bearer t0k") {
                    ("200 OK", String::new(), "{}")
                } else {
                    (
                        "401 Unauthorized",
                        format!(
                            "www-authenticate: Bearer realm=\"{}/token\",service=\"test\"\r\n",
                            if realm.contains("://") { realm.clone() } else { format!("http://{realm}") }
                        ),
                        "{}",
                    )
                };
                let reply = format!("HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (addr.to_string(), server)
    }

    async fn bearer_registry() -> (String, tokio::task::JoinHandle<()>) {
        bearer_registry_at(None).await
    }

    /// The password goes to a token service only over HTTPS (loopback excepted) and on the
    /// registry's own host unless the user confirmed that one.
    #[tokio::test]
    async fn a_token_service_elsewhere_gets_no_password() {
        let creds = || Some(Credentials { username: "u".into(), password: "p".into() });
        let (addr, server) = bearer_registry_at(Some("localhost")).await;
        let client = || Client::new(Host::parse(&addr).unwrap(), creds(), Path::new("/nonexistent")).unwrap();
        let e = client().check_login().await.unwrap_err();
        assert!(e.to_string().contains("token service on another host, localhost"), "{e}");
        assert_eq!(e.field(), Some("trustTokenHost"));
        client().trusting(Some("localhost".into())).check_login().await.expect("a confirmed token host gets it");
        server.abort();

        let (addr, server) = bearer_registry_at(Some("http://registry.example.com")).await;
        let e = Client::new(Host::parse(&addr).unwrap(), creds(), Path::new("/nonexistent")).unwrap().check_login().await.unwrap_err();
        assert!(e.to_string().contains("over plain HTTP"), "{e}");
        server.abort();
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
        let tls = connect_error("r:1", "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer");
        assert!(tls.to_string().contains("certificate this computer does not trust"), "{tls}");
        let down = connect_error("r:1", "error sending request: tcp connect error: Connection refused (os error 111)");
        assert!(down.to_string().starts_with("Cannot reach the registry r:1."), "{down}");
    }
}
