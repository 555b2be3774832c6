//! The shell scripts a job runs, written as GitLab Runner writes them for bash/sh: each
//! command echoed as `$ cmd` in green, `set -eo pipefail` where the shell has pipefail, and
//! the first failing command ending the script with its exit code.

use crate::pipelines::model::ArtifactsWhen;
use std::time::Duration;

/// Where the runner looks for bash, in its order; `sh` when none is there.
const BASHES: [&str; 3] = ["/usr/local/bin/bash", "/bin/bash", "/usr/bin/bash"];

/// Shell code that runs `script_path` with the image's bash when it has one, else `sh` (the
/// runner's shell detection); `exec` replaces the calling shell.
fn run_with_shell(script_path: &str, exec: bool) -> String {
    let (p, run) = (quote(script_path), if exec { "exec " } else { "" });
    let mut s = String::new();
    for (i, bash) in BASHES.iter().enumerate() {
        s.push_str(&format!("{} [ -x {bash} ]; then {run}{bash} {p}; ", if i == 0 { "if" } else { "elif" }));
    }
    s.push_str(&format!("else {run}sh {p}; fi"));
    s
}

/// The command a job container runs for a script file.
pub fn shell_command(script_path: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), run_with_shell(script_path, true)]
}

/// The job container's main process when its files come on its stdin: the image's `tar`
/// unpacks them at `/`, then `cmd` runs in its place. When the image has no `tar` or it fails
/// (a file system it may not write), it marks that on stderr ([`StepMark::missing`]) and
/// ends before anything of the job has run, so that Berth can make the container again and
/// upload the files through the engine. Each of the `bound` folders (bind mounts of folders
/// Berth knows to hold files) must show files; when one does not (an engine that does not see
/// this machine's files), it marks that ([`StepMark::missing`]) and ends the same way.
pub fn unpack_then(cmd: Vec<String>, bound: &[String]) -> Vec<String> {
    let mark = |what: &str| format!("{{ printf '\\037{}{what}\\037' >&2; exit {UNPACK_FAILED}; }}", StepMark::TEXT);
    let mut prologue = format!("tar -xf - -C / 2>/dev/null || {}; ", mark(StepMark::NO_FILES));
    if !bound.is_empty() {
        prologue.push_str(
            "shows() { for f in \"$1\"/* \"$1\"/.[!.]* \"$1\"/..?*; do [ -e \"$f\" ] || [ -L \"$f\" ] && return 0; done; return 1; }; ",
        );
        for dir in bound {
            prologue.push_str(&format!("shows {} || {}; ", quote(dir), mark(StepMark::NO_ARTIFACTS)));
        }
    }
    prologue.push_str("exec \"$@\"");
    ["sh", "-c", &prologue, "sh"].into_iter().map(String::from).chain(cmd).collect()
}

/// The exit code of [`unpack_then`]'s prologue when it could not unpack the files.
pub const UNPACK_FAILED: i64 = 125;

/// How long `after_script` may run, as the runner's default `RUNNER_AFTER_SCRIPT_TIMEOUT`.
pub const AFTER_SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// A job container's main process when the job has no caches: the step script, then `after_script` (when `after_path` is given) with
/// `CI_JOB_STATUS` set, each in its own shell, then (`send`) the job folder, then the step's
/// exit code. The runner runs the scripts as two execs in a kept-alive container; one process
/// saves those round trips. It notes its PID in `pid_file` for [`kill_step`], marks the step's
/// end on stderr (see [`StepMark`]: the job's timeout covers the step only, and the process's
/// exit code is known as soon as its output ends), and says in the log
/// what Berth says for an exec'd `after_script` (the same words, the same colour).
pub fn step_then_after(step_path: &str, after_path: Option<&str>, pid_file: &str, send: Option<Send>) -> String {
    let say = |text: &str| format!("printf '\\033[36;1m%s\\033[0;m\\n' \"{text}\"");
    let secs = AFTER_SCRIPT_TIMEOUT.as_secs();
    let mut s = format!(
        "echo $$ > {pid}\n{step}\ncode=$?\nprintf '\\037{mark}%d\\037' $code >&2\n",
        pid = quote(pid_file),
        mark = StepMark::TEXT,
        step = run_with_shell(step_path, false),
    );
    if let Some(after_path) = after_path {
        s.push_str(&format!(
            "{running}\n\
             if [ $code -eq 0 ]; then CI_JOB_STATUS=success; else CI_JOB_STATUS=failed; fi\n\
             export CI_JOB_STATUS\n\
             limit=''; if command -v timeout >/dev/null 2>&1; then limit='timeout {secs}'; fi\n\
             $limit sh -c {after}\n\
             after=$?\n\
             if [ -n \"$limit\" ] && [ $after -eq 124 ]; then {late}\n\
             elif [ $after -ne 0 ]; then {failed}\n\
             fi\n",
            running = say("Running after_script"),
            after = quote(&run_with_shell(after_path, true)),
            late = say("WARNING: after_script took longer than 5 minutes and was stopped."),
            failed = say("WARNING: after_script failed with exit code $after; the job's status is not changed."),
        ));
    }
    if let Some(send) = send {
        s.push_str(&send.script(pid_file));
    }
    s.push_str("exit $code\n");
    s
}

/// The job folder sent by the main process on its stdout once the job's scripts have ended
/// (see [`super::sent::SentFiles`]), when its artifacts apply: a tar as the engine's archive
/// download makes one, after a mark. The engine runs an extraction process of its own for each
/// download (about 100 ms on Docker 20.10, on the job's critical path); the job's own `tar`
/// costs nothing more than its bytes. Every other process of the job is stopped first, so that
/// none writes into the stream.
pub struct Send<'a> {
    /// The job folder.
    pub dir: &'a str,
    pub when: ArtifactsWhen,
}

impl Send<'_> {
    /// What starts the tar on stdout.
    pub const MARK: &'static [u8] = b"\x1fberth-files\x1f";

    fn script(&self, pid_file: &str) -> String {
        let test = match self.when {
            ArtifactsWhen::Always => "true",
            ArtifactsWhen::OnSuccess => "[ $code -eq 0 ]",
            ArtifactsWhen::OnFailure => "[ $code -ne 0 ]",
        };
        let dir = self.dir.trim_end_matches('/');
        let (parent, base) = match dir.rsplit_once('/') {
            Some(("", base)) => ("/", base),
            Some((parent, base)) => (parent, base),
            None => (".", dir),
        };
        format!(
            "if {test}; then\n{kill}printf '\\037berth-files\\037'\ntar -cf - -C {parent} {base} && printf '\\037{mark}{sent}\\037' >&2\nfi\n",
            kill = kill_step(pid_file),
            parent = quote(parent),
            base = quote(base),
            mark = StepMark::TEXT,
            sent = StepMark::SENT,
        )
    }
}

/// What a job's main process found missing before its scripts ran ([`unpack_then`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// It could not unpack its files from its stdin.
    Files,
    /// A bind mount of kept artifacts showed no files: the engine does not see this machine's.
    Artifacts,
}

/// Takes the mark [`step_then_after`] writes on stderr when the step script has ended
/// (`\x1fberth-step:<exit code>\x1f`) out of the stream, and keeps the code: from then on only
/// `after_script` runs, under its own time limit rather than the job's. Bytes that may begin the
/// mark are held back until the next chunk shows whether they do.
/// [`unpack_then`]'s mark, `\x1fberth-step:nofiles\x1f`, and the one that says the job folder
/// was sent whole ([`Send`]), `\x1fberth-step:sent\x1f`, are taken out too.
#[derive(Default)]
pub struct StepMark {
    held: Vec<u8>,
    code: Option<i64>,
    no_files: bool,
    no_artifacts: bool,
    sent: bool,
}

impl StepMark {
    const TEXT: &str = "berth-step:";
    const NO_FILES: &str = "nofiles";
    const NO_ARTIFACTS: &str = "noartifacts";
    const SENT: &str = "sent";
    /// The most characters a mark's code has.
    const MAX_CODE: usize = 20;

    /// The stderr bytes to show, without the mark.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.held.extend_from_slice(bytes);
        let start = [&[0x1f][..], Self::TEXT.as_bytes()].concat();
        let mut out = Vec::new();
        while let Some(at) = self.held.windows(start.len()).position(|w| w == start) {
            let rest = &self.held[at + start.len()..];
            match rest.iter().position(|&b| b == 0x1f) {
                Some(end) if end <= Self::MAX_CODE => {
                    let value = &rest[..end];
                    let (no_files, sent) = (value == Self::NO_FILES.as_bytes(), value == Self::SENT.as_bytes());
                    let no_artifacts = value == Self::NO_ARTIFACTS.as_bytes();
                    let code = std::str::from_utf8(value).ok().and_then(|c| c.parse().ok());
                    self.no_files |= no_files;
                    self.no_artifacts |= no_artifacts;
                    self.sent |= sent;
                    out.extend_from_slice(&self.held[..at]);
                    if code.is_none() && !no_files && !no_artifacts && !sent {
                        out.extend_from_slice(&self.held[at..at + start.len() + end + 1]);
                    }
                    self.code = code.or(self.code);
                    self.held.drain(..at + start.len() + end + 1);
                }
                // Perhaps a mark whose end is still to come.
                None if rest.len() <= Self::MAX_CODE => {
                    out.extend(self.held.drain(..at));
                    return out;
                }
                _ => out.extend(self.held.drain(..at + start.len())),
            }
        }
        let keep =
            (1..=start.len().min(self.held.len())).rev().find(|&n| start.starts_with(&self.held[self.held.len() - n..])).unwrap_or(0);
        out.extend(self.held.drain(..self.held.len() - keep));
        out
    }

    /// What is still held once the output has ended.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }

    /// The step's exit code, once its end was marked.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// What [`unpack_then`] said was missing, if anything.
    pub fn missing(&self) -> Option<Missing> {
        if self.no_files {
            Some(Missing::Files)
        } else if self.no_artifacts {
            Some(Missing::Artifacts)
        } else {
            None
        }
    }

    /// Whether the main process said that it sent the job folder whole ([`Send`]).
    pub fn sent(&self) -> bool {
        self.sent
    }
}

/// Run in the job container when the step script of [`step_then_after`] times out: kills every
/// process but the one that noted its PID in `pid_file` and the processes above it (an image's
/// entrypoint may have started it), so that it goes on to `after_script`.
pub fn kill_step(pid_file: &str) -> String {
    format!(
        "keep=\" 1 $$ \"; p=$(cat {pid} 2>/dev/null)\n\
         while [ -n \"$p\" ] && [ \"$p\" -gt 1 ]; do keep=\"$keep$p \"; s=$(cat /proc/$p/stat) || break; s=${{s##*) }}; set -- $s; p=$2; done\n\
         for d in /proc/[0-9]*; do q=${{d#/proc/}}; case \"$keep\" in *\" $q \"*) ;; *) kill -9 $q 2>/dev/null;; esac; done\n",
        pid = quote(pid_file)
    )
}

/// `before_script` + `script` (the runner's `step_script`), run in the project folder, after
/// `prelude` (Berth's own command, not shown in the log).
pub fn step_script(project_dir: &str, prelude: Option<&str>, before: &[String], script: &[String]) -> String {
    body(project_dir, prelude, before.iter().chain(script))
}

/// `after_script`: its own shell, same folder, also stopping at a failure (which does not
/// fail the job); `CI_JOB_STATUS` is in its environment.
pub fn after_script(project_dir: &str, after: &[String]) -> String {
    body(project_dir, None, after.iter())
}

fn body<'a>(project_dir: &str, prelude: Option<&str>, commands: impl Iterator<Item = &'a String>) -> String {
    let mut s = String::from("# Written by Berth for one job step.\n");
    // dash has no pipefail, and a failing `set` would end a POSIX shell: test it in a subshell.
    s.push_str("if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi\n");
    s.push_str("set -e\n");
    s.push_str(&format!("cd {}\n", quote(project_dir)));
    if let Some(prelude) = prelude {
        s.push_str(prelude);
        s.push('\n');
    }
    for cmd in commands {
        s.push_str(&format!("printf '\\033[32;1m$ %s\\033[0;m\\n' {}\n", quote(&echo_text(cmd))));
        s.push_str(cmd);
        s.push('\n');
    }
    s
}

/// What the log shows for a command: a multi-line command shows its first line and `# collapsed multi-line command`, as the runner does.
fn echo_text(cmd: &str) -> String {
    let cmd = cmd.trim_end();
    match cmd.split_once('\n') {
        Some((first, _)) => format!("{first} # collapsed multi-line command"),
        None => cmd.to_string(),
    }
}

/// Single-quoted for sh.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn run(script: &str) -> (i32, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sh");
        std::fs::write(&path, script).unwrap();
        let out = Command::new("sh").arg(&path).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into())
    }

    /// The step and after scripts of a job in a folder, and the main script that runs both.
    fn job_files(step: &[&str], after: &[&str]) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| dir.path().join(name).display().to_string();
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        std::fs::write(file("step"), step_script("/", None, &[], &strings(step))).unwrap();
        std::fs::write(file("after"), after_script("/", &strings(after))).unwrap();
        std::fs::write(file("main"), step_then_after(&file("step"), Some(&file("after")), &file("pid"), None)).unwrap();
        let main = file("main");
        (dir, main)
    }

    #[test]
    fn the_main_process_runs_after_script_with_the_status_and_keeps_the_step_exit_code() {
        let (_dir, main) = job_files(&["echo step", "exit 3"], &["echo \"after saw $CI_JOB_STATUS\"", "exit 9"]);
        let out = Command::new("sh").arg(&main).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{text}");
        let order = ["step", "Running after_script", "after saw failed", "after_script failed with exit code 9; the job's status"];
        let at: Vec<usize> = order.iter().map(|w| text.find(w).unwrap_or_else(|| panic!("{w} not in {text}"))).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");

        let (_dir, main) = job_files(&["true"], &["echo \"after saw $CI_JOB_STATUS\""]);
        let out = Command::new("sh").arg(&main).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("after saw success") && !text.contains("WARNING"), "{text}");
    }

    #[test]
    fn the_step_mark_is_taken_out_whole_or_in_pieces() {
        let (_dir, main) = job_files(&["echo oops >&2", "exit 3"], &["true"]);
        let out = Command::new("sh").arg(&main).output().unwrap();
        assert!(out.stderr.ends_with(b"\x1fberth-step:3\x1f"), "{:?}", String::from_utf8_lossy(&out.stderr));
        let stream = [b"oops\n".as_slice(), &out.stderr].concat();
        for size in [1, 2, 5, stream.len()] {
            let mut mark = StepMark::default();
            let mut shown: Vec<u8> = stream.chunks(size).flat_map(|c| mark.push(c)).collect();
            shown.extend(mark.finish());
            assert_eq!(String::from_utf8_lossy(&shown), "oops\noops\n", "chunks of {size}");
            assert_eq!(mark.code(), Some(3));
        }
        // What only looks like a mark is shown as it is.
        for text in ["\x1fberth-step:", "\x1fberth-step:x\x1f", "\x1fberth-\x1f", "a\x1fb"] {
            let mut mark = StepMark::default();
            let mut shown = mark.push(text.as_bytes());
            shown.extend(mark.finish());
            assert_eq!(shown, text.as_bytes());
            assert_eq!(mark.code(), None);
        }
    }

    #[test]
    fn the_prologue_runs_the_command_only_when_bound_artifacts_show_files() {
        // An empty archive: the prologue's `tar -x -C /` writes nothing here.
        let run = |bound: &[String]| {
            let mut cmd = unpack_then(vec!["echo".into(), "ran".into()], bound);
            let mut child = Command::new(cmd.remove(0))
                .args(cmd)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), &[0u8; 1024]).unwrap();
            let out = child.wait_with_output().unwrap();
            let mut mark = StepMark::default();
            mark.push(&out.stderr);
            (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), mark.missing())
        };
        let (full, dotfile, empty) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(full.path().join("a.bin"), "a").unwrap();
        std::fs::write(dotfile.path().join(".env"), "e").unwrap();
        let path = |d: &tempfile::TempDir| d.path().display().to_string();
        assert_eq!(run(&[]), (Some(0), "ran\n".into(), None));
        assert_eq!(run(&[path(&full), path(&dotfile)]), (Some(0), "ran\n".into(), None));
        for bound in [vec![path(&full), path(&empty)], vec!["/no/such/folder".into()]] {
            assert_eq!(run(&bound), (Some(UNPACK_FAILED as i32), String::new(), Some(Missing::Artifacts)), "{bound:?}");
        }
    }

    #[test]
    fn echoes_each_command_and_stops_at_the_first_failure() {
        let s = step_script("/", None, &["echo 'it''s' before".into()], &["false".into(), "echo never".into()]);
        let (code, out) = run(&s);
        assert_eq!(code, 1);
        assert!(out.contains("$ echo 'it''s' before"), "{out}");
        assert!(out.contains("its before"), "{out}");
        assert!(out.contains("$ false") && !out.contains("never"), "{out}");
    }

    #[test]
    fn exit_codes_pass_through_and_multi_line_commands_collapse() {
        let (code, out) = run(&step_script("/", None, &[], &["if true; then\n  exit 42\nfi".into()]));
        assert_eq!(code, 42);
        assert!(out.contains("$ if true; then # collapsed multi-line command"), "{out}");
    }

    #[test]
    fn shell_detection_quotes_the_path() {
        let cmd = shell_command("/tmp/a b.sh");
        assert!(cmd[2].contains("exec sh '/tmp/a b.sh'"), "{cmd:?}");
    }
}
