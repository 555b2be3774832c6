//! Interactive terminals: exec a shell with a TTY, pick the shell from what the image has.

use crate::error::{Error, Result};
use crate::Engine;
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, ResizeExecOptions, StartExecOptions, StartExecResults};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::pin::Pin;
use tokio::io::AsyncWrite;

/// Shells in the order we prefer them; the first the image has wins.
const SHELLS: &[&str] = &["/bin/bash", "/usr/bin/bash", "/bin/ash", "/bin/sh"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExecSession {
    pub exec_id: String,
    pub shell: String,
    /// Set in the shell's environment (and so its children's) to find them for [`hang_up`].
    #[serde(skip)]
    pub mark: String,
}

pub type Output = Pin<Box<dyn Stream<Item = Result<Vec<u8>>> + Send>>;
pub type Input = Pin<Box<dyn AsyncWrite + Send>>;

/// Start a shell with a TTY of `cols`×`rows` in a running container.
pub async fn start(engine: &Engine, container: &str, cols: u16, rows: u16) -> Result<(ExecSession, Output, Input)> {
    let shell = pick_shell(engine, container).await?;
    let mark = session_mark();
    let env = vec!["TERM=xterm-256color".to_string(), format!("{MARK_VAR}={mark}")];
    let exec_id = create(engine, container, vec![shell.clone()], env, true).await?;
    let started = engine
        .docker()
        .start_exec(&exec_id, Some(StartExecOptions { detach: false, tty: true, output_capacity: None }))
        .await
        .map_err(engine.err("Terminal session"))?;
    let StartExecResults::Attached { output, input } = started else {
        return Err(Error::Internal("the engine detached the terminal session".into()));
    };
    // A TTY must be resized after the start, or the first lines wrap at 80 columns.
    resize(engine, &exec_id, cols, rows).await?;
    let host = engine.host().to_string();
    let output = output.map(move |chunk| {
        chunk.map(LogOutput::into_bytes).map(|b| b.to_vec()).map_err(|e| Error::from_engine(e, "Terminal session", &host))
    });
    // The session also ends when the engine dies: end it with a sentence saying so, not silence.
    let engine = engine.clone();
    let gone = futures_util::stream::once(async move { engine.ping().await.err() }).filter_map(|e| async move {
        let Error::EngineUnreachable { host, .. } = e? else { return None };
        Some(Err(Error::EngineUnreachable { host, reason: "it went away and ended the terminal session".into() }))
    });
    let output: Output = Box::pin(output.chain(gone));
    Ok((ExecSession { exec_id, shell, mark }, output, input))
}

const MARK_VAR: &str = "BERTH_TERMINAL";

fn session_mark() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// End a terminal session's shell and what runs in it, as closing a terminal window does
/// (SIGHUP). Dropping the connection is not enough: the engine keeps a TTY exec running after
/// its client went away. The processes are found by the mark in their environment.
pub async fn hang_up(engine: &Engine, container: &str, session: &ExecSession) -> Result<()> {
    let script = format!(
        "for d in /proc/[0-9]*; do grep -qzxF '{MARK_VAR}={}' \"$d/environ\" 2>/dev/null && kill -HUP \"${{d#/proc/}}\"; done; true",
        session.mark
    );
    let exec_id = create(engine, container, vec![session.shell.clone(), "-c".into(), script], vec![], false).await?;
    let started = engine.docker().start_exec(&exec_id, None::<StartExecOptions>).await.map_err(engine.err("Terminal session"))?;
    if let StartExecResults::Attached { mut output, .. } = started {
        while output.next().await.is_some() {}
    }
    Ok(())
}

pub async fn resize(engine: &Engine, exec_id: &str, cols: u16, rows: u16) -> Result<()> {
    engine
        .docker()
        .resize_exec(exec_id, ResizeExecOptions { width: cols.max(1), height: rows.max(1) })
        .await
        .map_err(engine.err("Terminal session"))
}

/// The first shell in [`SHELLS`] that runs in the container.
pub async fn pick_shell(engine: &Engine, container: &str) -> Result<String> {
    for shell in SHELLS {
        let exec_id = create(engine, container, vec![shell.to_string(), "-c".into(), "exit 0".into()], vec![], false).await?;
        let started = engine.docker().start_exec(&exec_id, None::<StartExecOptions>).await.map_err(engine.err("Terminal session"))?;
        if let StartExecResults::Attached { mut output, .. } = started {
            while output.next().await.is_some() {}
        }
        let inspect = engine.docker().inspect_exec(&exec_id).await.map_err(engine.err("Terminal session"))?;
        if inspect.exit_code == Some(0) {
            return Ok(shell.to_string());
        }
    }
    Err(Error::Conflict {
        message: "This container's image has no shell (looked for bash, ash and sh), so a terminal cannot be opened.".into(),
    })
}

async fn create(engine: &Engine, container: &str, cmd: Vec<String>, env: Vec<String>, tty: bool) -> Result<String> {
    let options = CreateExecOptions {
        attach_stdin: Some(tty),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        tty: Some(tty),
        env: Some(env),
        cmd: Some(cmd),
        ..Default::default()
    };
    match engine.docker().create_exec(container, options).await {
        Ok(r) => Ok(r.id),
        Err(e) => Err(match engine.err(&format!("Container {}", super::short(container)))(e) {
            Error::Conflict { message } if message.contains("not running") || message.contains("paused") => {
                Error::Conflict { message: "The container is not running: start it to open a terminal.".into() }
            }
            other => other,
        }),
    }
}
