//! The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux)
//! through the keyring crate: one item per registry, holding only the secret. Never a
//! plain-text fallback: without a keychain a login is refused.

use super::host::Host;
use crate::error::{Error, Result};
use std::time::Duration;

/// The keychain item's service; its user is the registry (`secret-tool lookup service
/// "Berth registry login" username ghcr.io`).
pub const SERVICE: &str = "Berth registry login";
/// A locked keychain may wait for a prompt nobody answers; give up rather than hang.
const TIMEOUT: Duration = Duration::from_secs(20);

pub(super) async fn store(host: &Host, secret: &str) -> Result<()> {
    let secret = secret.to_string();
    match run(host, move |entry| entry.set_password(&secret)).await {
        Ok(()) => Ok(()),
        Err(Missing) => Err(keychain_error("the keychain has no collection to store into")),
        Err(Failed(e)) => Err(e),
    }
}

pub(super) async fn get(host: &Host) -> Result<Option<String>> {
    match run(host, |entry| entry.get_password()).await {
        Ok(secret) => Ok(Some(secret)),
        Err(Missing) => Ok(None),
        Err(Failed(e)) => Err(e),
    }
}

/// Removes the secret; nothing to remove is fine.
pub(super) async fn delete(host: &Host) -> Result<()> {
    match run(host, |entry| entry.delete_credential()).await {
        Ok(()) | Err(Missing) => Ok(()),
        Err(Failed(e)) => Err(e),
    }
}

enum Outcome {
    Missing,
    Failed(Error),
}
use Outcome::{Failed, Missing};

async fn run<T: Send + 'static>(
    host: &Host,
    op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<T, Outcome> {
    let user = host.name().to_string();
    let task = tokio::task::spawn_blocking(move || keyring::Entry::new(SERVICE, &user).and_then(|e| op(&e)));
    match tokio::time::timeout(TIMEOUT, task).await {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(keyring::Error::NoEntry))) => Err(Missing),
        Ok(Ok(Err(e))) => Err(Failed(keychain_error(&e.to_string()))),
        Ok(Err(join)) => Err(Failed(Error::Internal(format!("keychain task: {join}")))),
        Err(_) => Err(Failed(keychain_error("the keychain did not answer in time (locked, waiting for a prompt?)"))),
    }
}

fn keychain_error(detail: &str) -> Error {
    Error::Keychain {
        message: format!(
            "The system keychain cannot be used, so nothing was saved: Berth keeps registry passwords only there. {}",
            if cfg!(target_os = "linux") {
                "Start a Secret Service (GNOME Keyring or KWallet) and unlock it, then try again."
            } else {
                "Unlock the keychain, then try again."
            }
        ),
        detail: detail.to_string(),
    }
}
