//! The docker CLI's credential helpers (`docker-credential-<name>`): `get`, `store`, `erase`
//! and `list`, with the server and the JSON on stdin and the answer on stdout. Secrets travel
//! only through the pipes, never in arguments.

use super::model::Credentials;
use crate::error::{Error, Result};
use crate::platform::{self, Os};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use zeroize::Zeroize;

/// A helper may ask the user to unlock a keychain; do not wait for ever.
const TIMEOUT: Duration = Duration::from_secs(30);
/// What helpers print when they hold nothing for the server (credentials/error.go).
const NOT_FOUND: &str = "credentials not found in native keychain";

#[derive(Serialize, Deserialize)]
struct Item {
    #[serde(rename = "ServerURL", default)]
    server_url: String,
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

impl Drop for Item {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// The login `helper` holds for `server`, if any.
pub(super) async fn get(helper: &str, server: &str) -> Result<Option<Credentials>> {
    match call(helper, "get", server.as_bytes()).await? {
        Reply::NotFound => Ok(None),
        Reply::Out(mut out) => {
            let read = read_get(helper, &out);
            out.zeroize();
            read.map(Some)
        }
    }
}

/// `get`'s answer: `{"ServerURL": …, "Username": …, "Secret": …}`.
pub(crate) fn read_get(helper: &str, out: &[u8]) -> Result<Credentials> {
    let mut item: Item = serde_json::from_slice(out).map_err(|e| unreadable(helper, "get", &e.to_string()))?;
    Ok(Credentials { username: std::mem::take(&mut item.username), password: std::mem::take(&mut item.secret) })
}

pub(super) async fn store(helper: &str, server: &str, credentials: &Credentials) -> Result<()> {
    let item = Item { server_url: server.into(), username: credentials.username.clone(), secret: credentials.password.clone() };
    let mut input = serde_json::to_vec(&item).map_err(|e| Error::Internal(e.to_string()))?;
    let result = call(helper, "store", &input).await.map(drop);
    input.zeroize();
    result
}

/// Removes `server`'s login; nothing to remove is fine.
pub(super) async fn erase(helper: &str, server: &str) -> Result<()> {
    call(helper, "erase", server.as_bytes()).await.map(drop)
}

/// Server → user name of every login the helper holds.
pub(super) async fn list(helper: &str) -> Result<BTreeMap<String, String>> {
    match call(helper, "list", b"").await? {
        Reply::NotFound => Ok(BTreeMap::new()),
        Reply::Out(out) => read_list(helper, &out),
    }
}

/// This platform's own helper, when `docker-credential-<name>` is installed.
pub(super) async fn platform_helper() -> Option<String> {
    let name = platform::helpers::own_helper(Os::CURRENT);
    platform::helpers::locate(name).await.map(|_| name.to_string())
}

/// The folders searched after PATH, for the detail of a missing helper.
fn searched() -> String {
    let dirs = platform::helpers::install_dirs(Os::CURRENT, dirs::home_dir().as_deref(), platform::var);
    let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    format!("{} or the login shell's PATH", dirs.join(", "))
}

/// `list`'s answer: `{"<server>": "<user name>", …}`.
pub(crate) fn read_list(helper: &str, out: &[u8]) -> Result<BTreeMap<String, String>> {
    serde_json::from_slice(out).map_err(|e| unreadable(helper, "list", &e.to_string()))
}

pub(crate) enum Reply {
    Out(Vec<u8>),
    NotFound,
}

async fn call(helper: &str, action: &str, input: &[u8]) -> Result<Reply> {
    let program = platform::helpers::program(Os::CURRENT, helper);
    // Found off PATH too: a desktop launch gives a bare PATH (platform::helpers).
    let path = platform::helpers::locate(helper).await.ok_or_else(|| Error::Registry {
        message: format!("The docker CLI's config.json names the credential helper “{helper}”, but {program} is not installed. Install it, or remove “{helper}” from config.json."),
        detail: format!("{program} is neither on PATH nor in {}", searched()),
    })?;
    let mut child = tokio::process::Command::new(&path)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::io(format!("Running {}", path.display()), e))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let write = async {
        stdin.write_all(input).await?;
        drop(stdin);
        Ok::<_, std::io::Error>(())
    };
    let run = async {
        // A helper that exits early closes its stdin: its own message says why.
        let _ = write.await;
        child.wait_with_output().await
    };
    let output = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| Error::Registry {
            message: format!("The credential helper {program} did not answer in time; its keychain may be locked."),
            detail: format!("{action}: timed out after {}s", TIMEOUT.as_secs()),
        })?
        .map_err(|e| Error::io(format!("Running {program}"), e))?;
    if output.status.success() {
        return Ok(Reply::Out(output.stdout));
    }
    failed(&program, action, &output.status, &output.stdout, &output.stderr)
}

/// What a helper that exited with an error said: nothing stored for the server, or a failure.
pub(crate) fn failed(program: &str, action: &str, status: &dyn std::fmt::Display, stdout: &[u8], stderr: &[u8]) -> Result<Reply> {
    // Helpers print their error on stdout (credentials/credentials.go), some on stderr.
    let said = format!("{} {}", String::from_utf8_lossy(stdout), String::from_utf8_lossy(stderr));
    let said = said.trim();
    if said.contains(NOT_FOUND) {
        return Ok(Reply::NotFound);
    }
    Err(Error::Registry {
        message: format!("The credential helper {program} failed to {action} the login: {}", sentence(said)),
        detail: format!("{action}: {status}: {said}"),
    })
}

fn sentence(said: &str) -> String {
    let first = said.lines().next().unwrap_or("it gave no reason").trim();
    if first.ends_with('.') {
        first.to_string()
    } else {
        format!("{first}.")
    }
}

fn unreadable(helper: &str, action: &str, detail: &str) -> Error {
    Error::Registry {
        message: format!("The credential helper docker-credential-{helper} gave an answer Berth cannot read."),
        detail: format!("{action}: {detail}"),
    }
}
