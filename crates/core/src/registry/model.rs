//! What the UI sees of registry logins; never a secret.

use serde::{Deserialize, Serialize};

/// The user name credential helpers give for an identity (refresh) token, e.g. Azure's
/// (docker/cli `tokenUsername`); the secret is then the token.
pub const IDENTITY_TOKEN_USER: &str = "<token>";

/// A user name and its password or access token. Debug output hides the secret, and it is
/// wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Drop for Credentials {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.password);
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials {{ username: {:?}, password: <redacted> }}", self.username)
    }
}

impl Credentials {
    /// For the engine's X-Registry-Auth / X-Registry-Config.
    pub fn docker(&self, server_address: &str) -> bollard::auth::DockerCredentials {
        let serveraddress = Some(server_address.to_string());
        if self.username == IDENTITY_TOKEN_USER {
            return bollard::auth::DockerCredentials { identitytoken: Some(self.password.clone()), serveraddress, ..Default::default() };
        }
        bollard::auth::DockerCredentials {
            username: Some(self.username.clone()),
            password: Some(self.password.clone()),
            serveraddress,
            ..Default::default()
        }
    }
}

/// One registry the user is logged in to, and where that login is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RegistryLogin {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`.
    pub host: String,
    pub username: String,
    /// Berth keeps it in the OS keychain.
    pub keychain: bool,
    /// The docker CLI's credential helper that also holds it (`secretservice` for
    /// `docker-credential-secretservice`), so `docker pull` in a terminal uses it.
    pub helper: Option<String>,
    /// config.json holds it in plain text (base64 is no protection): to be moved.
    pub plain_text: bool,
}

/// Every login, plus what the login dialog needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Registries {
    pub logins: Vec<RegistryLogin>,
    /// config.json's `credsStore`: a new login can be stored through it for the docker CLI.
    pub cli_helper: Option<String>,
    /// With no `credsStore`: this platform's helper (`secretservice`, `osxkeychain`, `wincred`)
    /// when it is installed, which moving a plain-text login can set up for the docker CLI.
    pub installable_helper: Option<String>,
    /// The docker CLI's config file read, for the user's orientation.
    pub config_file: String,
    /// Sentences about stores that could not be read (a helper that failed, an unreadable
    /// config.json); the logins from the others are still listed.
    pub problems: Vec<String>,
}

/// A login the user asked for. The secret is moved into the keychain and dropped.
#[derive(Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    pub host: String,
    pub username: String,
    pub secret: String,
    /// Also store it through config.json's credential helper, for the docker CLI.
    #[serde(default = "yes")]
    pub share_with_cli: bool,
    /// A token service on another host that the user confirmed may receive the password
    /// (the login asked, with a `trustTokenHost` error); remembered with the login.
    #[serde(default)]
    pub trust_token_host: Option<String>,
}

fn yes() -> bool {
    true
}

impl Drop for LoginRequest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.secret);
    }
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LoginRequest {{ host: {:?}, username: {:?}, secret: <redacted>, share_with_cli: {}, trust_token_host: {:?} }}",
            self.host, self.username, self.share_with_cli, self.trust_token_host
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let creds = Credentials { username: "joe".into(), password: "hunter2-secret".into() };
        let request = LoginRequest {
            host: "ghcr.io".into(),
            username: "joe".into(),
            secret: "hunter2-secret".into(),
            share_with_cli: true,
            trust_token_host: None,
        };
        for shown in [format!("{creds:?}"), format!("{creds:#?}"), format!("{request:?}"), format!("{request:#?}")] {
            assert!(!shown.contains("hunter2") && shown.contains("joe"), "{shown}");
        }
    }
}
