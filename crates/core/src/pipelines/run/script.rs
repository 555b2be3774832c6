//! The shell scripts a job runs, written as GitLab Runner writes them for bash/sh: each
//! command echoed as `$ cmd` in green, `set -eo pipefail` where the shell has pipefail, and
//! the first failing command ending the script with its exit code.

/// The command a job container runs for a script file: the image's bash when it has one,
/// else `sh` (the runner's shell detection).
pub fn shell_command(script_path: &str) -> Vec<String> {
    let detect = format!(
        "if [ -x /usr/local/bin/bash ]; then exec /usr/local/bin/bash {p}; \
         elif [ -x /bin/bash ]; then exec /bin/bash {p}; \
         elif [ -x /usr/bin/bash ]; then exec /usr/bin/bash {p}; \
         else exec sh {p}; fi",
        p = quote(script_path)
    );
    vec!["sh".into(), "-c".into(), detect]
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
