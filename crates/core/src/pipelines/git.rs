//! What Berth asks a folder's git repository, through the `git` binary. The repository is
//! untrusted (a cloned or downloaded folder, its `.git` included): its config must not make git
//! run a program, fetch, or hang, and its output is bounded.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this much of a git command's output is read by [`git`].
const MAX_OUTPUT: usize = 1 << 20;
/// A git command that has not ended by then (a config `include` of a FIFO, a hung mount) is killed.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Settings that override any the repository sets and that would run a program: the
/// fsmonitor hook, hooks, the pager, signature checks (`gpg.program`) and transports (a partial
/// clone fetching a missing object runs `core.sshCommand`). External diff and textconv drivers
/// are off by `--no-ext-diff --no-textconv` on `git diff`; filter drivers are named by the
/// repository, so [`filters_off`] lists them.
const OVERRIDES: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "protocol.allow=never",
];

/// `git <args>` in `root`, trimmed stdout, or `None` when git is missing, fails, takes too long
/// or says more than [`MAX_OUTPUT`].
pub fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = git_bytes(root, args, MAX_OUTPUT)?;
    Some(String::from_utf8_lossy(&out).trim().to_string())
}

/// `git <args>` in `root`, stdout as is (at most `max` bytes, else `None`), with every
/// repository setting that could run a program overridden.
pub fn git_bytes(root: &Path, args: &[&str], max: usize) -> Option<Vec<u8>> {
    git_with_input(root, args, Vec::new(), max)
}

/// [`git_bytes`] with `input` on git's stdin (`pack-objects`, `index-pack --stdin`).
pub fn git_with_input(root: &Path, args: &[&str], input: Vec<u8>, max: usize) -> Option<Vec<u8>> {
    if hung_lately(root) {
        return None;
    }
    let filters = filters_off(root)?;
    match run(root, command(root).args(filters).args(args), input, max)? {
        (Some(0), out) => Some(out),
        _ => None,
    }
}

/// `git` in `root` with [`OVERRIDES`], no prompt, no lazy fetch, no optional index writes.
fn command(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(root).arg("--no-optional-locks");
    for o in OVERRIDES {
        cmd.args(["-c", o]);
    }
    cmd.env("GIT_TERMINAL_PROMPT", "0").env("GIT_NO_LAZY_FETCH", "1");
    cmd
}

/// How long the filter drivers read for a folder are trusted: one load or run start asks git
/// some thirty questions, and reading the config before each doubled their cost.
const FILTERS_FRESH: Duration = Duration::from_secs(2);

/// Filter drivers read lately, by folder.
static FILTERS: Mutex<Vec<(PathBuf, Instant, Vec<String>)>> = Mutex::new(Vec::new());

/// `-c filter.<driver>.clean= …` for each filter driver any config defines: a clean filter
/// runs whenever git hashes a work-tree file (`git diff` against the work tree does), and an
/// empty command is no filter. `None` when the config cannot be read in time.
fn filters_off(root: &Path) -> Option<Vec<String>> {
    {
        let mut known = FILTERS.lock().unwrap();
        known.retain(|(_, at, _)| at.elapsed() < FILTERS_FRESH);
        if let Some((_, _, args)) = known.iter().find(|(r, _, _)| r == root) {
            return Some(args.clone());
        }
    }
    let args = read_filters(root)?;
    FILTERS.lock().unwrap().push((root.to_path_buf(), Instant::now(), args.clone()));
    Some(args)
}

fn read_filters(root: &Path) -> Option<Vec<String>> {
    let out = match run(root, command(root).args(["config", "--name-only", "--get-regexp", r"^filter\."]), Vec::new(), MAX_OUTPUT)? {
        (Some(0), out) => out,
        (Some(1), _) => return Some(Vec::new()), // no filter driver
        _ => return None,
    };
    let mut drivers: Vec<&str> =
        std::str::from_utf8(&out).ok()?.lines().filter_map(|k| k.strip_prefix("filter.")?.rsplit_once('.').map(|(d, _)| d)).collect();
    drivers.sort_unstable();
    drivers.dedup();
    let mut args = Vec::new();
    for d in drivers {
        for (key, value) in [("clean", ""), ("smudge", ""), ("process", ""), ("required", "false")] {
            args.extend(["-c".to_string(), format!("filter.{d}.{key}={value}")]);
        }
    }
    Some(args)
}

/// Folders whose git was killed at the time limit, and when: not asked again for a minute,
/// so a repository that hangs git costs one time limit per load, not one per question.
static HUNG: Mutex<Vec<(PathBuf, Instant)>> = Mutex::new(Vec::new());

fn hung_lately(root: &Path) -> bool {
    let mut hung = HUNG.lock().unwrap();
    hung.retain(|(_, at)| at.elapsed() < Duration::from_secs(60));
    hung.iter().any(|(r, _)| r == root)
}

/// Runs `cmd` with `input` on its stdin, stdout read up to `max` bytes and the time limit: its
/// exit code and stdout, or `None` when it could not start, was killed, or said more than `max`.
fn run(root: &Path, cmd: &mut Command, input: Vec<u8>, max: usize) -> Option<(Option<i32>, Vec<u8>)> {
    let stdin = if input.is_empty() { Stdio::null() } else { Stdio::piped() };
    let mut child = cmd.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        // A git that stops reading ends the write with an error; the exit code tells.
        std::thread::spawn(move || std::io::Write::write_all(&mut pipe, &input));
    }
    let stdout = child.stdout.take()?;
    // Dropping the pipe at `max` ends a git that says too much.
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.take(max as u64 + 1).read_to_end(&mut out).map(|_| out)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < TIME_LIMIT => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                HUNG.lock().unwrap().push((root.to_path_buf(), Instant::now()));
                return None;
            }
        }
    };
    let out = reader.join().ok()?.ok()?;
    (out.len() <= max).then_some((status.code(), out))
}
