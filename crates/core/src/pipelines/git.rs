//! What the loader asks the folder's git repository, through the `git` binary (bounded
//! output, no pager, no config from the repository that could run commands).

use std::path::Path;
use std::process::{Command, Stdio};

/// At most this much of a git command's output is read.
const MAX_OUTPUT: usize = 1 << 20;

/// `git <args>` in `root`, trimmed stdout, or `None` when git is missing or the command fails.
pub fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        // A folder's own git config must not make us run its programs (fsmonitor, pager,
        // hooks, external diff, textconv).
        .args(["-c", "core.fsmonitor=false", "-c", "core.pager=cat", "-c", "core.hooksPath=/dev/null", "--no-optional-locks"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() || out.stdout.len() > MAX_OUTPUT {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
