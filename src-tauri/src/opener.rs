//! Opening a URL or a folder in the user's own apps (browser, file manager).

use std::ffi::OsStr;
use std::io;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Opens `target` with the desktop's default app, trying the `open` crate's launchers in turn
/// (xdg-open, gio, ... on Linux) as `open::that_detached` does, but in the environment the user
/// started Berth with: what `webview::set_env` added tunes Berth's own WebKit and would slow or
/// change the apps Berth opens (a WebKitGTK browser, a GTK file manager).
///
/// Waits up to a quarter second for the launcher, off the async runtime's threads.
pub async fn open(target: impl AsRef<OsStr>) -> io::Result<()> {
    let target = target.as_ref().to_owned();
    tauri::async_runtime::spawn_blocking(move || open_detached(&target)).await.map_err(io::Error::other)?
}

fn open_detached(target: &OsStr) -> io::Result<()> {
    let mut failure = None;
    for mut command in open::commands(target) {
        for name in crate::webview::added() {
            command.env_remove(name);
        }
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0); // not stopped with Berth's terminal
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                failure = Some(e);
                continue;
            }
        };
        // A launcher that finds no app exits at once with a failure (xdg-open: 3); one that
        // started an app may wait for it. Wait a moment for the first, never for the second.
        let deadline = Instant::now() + Duration::from_millis(250);
        loop {
            match child.try_wait()? {
                Some(status) if status.success() => return Ok(()),
                Some(status) => {
                    failure = Some(io::Error::other(format!("{:?} ended with {status}", command.get_program())));
                    break;
                }
                None if Instant::now() >= deadline => {
                    std::thread::spawn(move || child.wait()); // reaped whenever it ends
                    return Ok(());
                }
                None => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
    Err(failure.unwrap_or_else(|| io::Error::other("no program to open it with")))
}
