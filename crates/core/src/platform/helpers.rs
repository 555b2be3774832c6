//! Where the docker CLI's credential helpers (`docker-credential-<name>`) are found. An app
//! started from a desktop gets a bare PATH (`/usr/bin:/bin`), so after PATH come the folders the
//! docker CLI's installers use, then the PATH of the user's login shell, read once, as other
//! desktop tools do.

use super::Os;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A login shell that reads a slow profile must not hold up a login for long.
const SHELL_TIMEOUT: Duration = Duration::from_secs(3);
/// Printed before the shell's PATH, so whatever a profile prints is skipped.
const MARK: &str = "__BERTH_PATH__=";

/// The helper's program name.
pub fn program(os: Os, name: &str) -> String {
    let exe = if os == Os::Windows { ".exe" } else { "" };
    format!("docker-credential-{name}{exe}")
}

/// The helper that keeps logins in this platform's own keychain.
pub fn own_helper(os: Os) -> &'static str {
    match os {
        Os::Linux => "secretservice",
        Os::MacOs => "osxkeychain",
        Os::Windows => "wincred",
    }
}

/// Where installers put helpers that may not be on a desktop app's PATH, in search order.
pub fn install_dirs(os: Os, home: Option<&Path>, var: impl Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut dirs = match os {
        Os::Linux => vec![PathBuf::from("/usr/local/bin")],
        Os::MacOs => vec![
            PathBuf::from("/usr/local/bin"),
            PathBuf::from("/opt/homebrew/bin"),
            PathBuf::from("/Applications/Docker.app/Contents/Resources/bin"),
        ],
        Os::Windows => {
            let program_files = var("ProgramFiles").unwrap_or_else(|| r"C:\Program Files".into());
            vec![Path::new(&program_files).join(r"Docker\Docker\resources\bin")]
        }
    };
    dirs.extend(home.map(|h| h.join(".docker").join("bin")));
    dirs
}

/// The login shell and its arguments that print its PATH after [`MARK`]; Windows apps get the
/// user's PATH from the system, not from a shell.
pub fn login_shell(os: Os, shell: Option<&str>) -> Option<(String, [String; 3])> {
    if os == Os::Windows {
        return None;
    }
    let shell = shell.filter(|s| s.starts_with('/')).unwrap_or("/bin/sh");
    Some((shell.to_string(), ["-l".into(), "-c".into(), format!("printf '%s%s' '{MARK}' \"$PATH\"")]))
}

/// The folders of the PATH a login shell printed (after whatever its profile printed).
pub fn read_login_path(out: &str) -> Vec<PathBuf> {
    let Some((_, path)) = out.rsplit_once(MARK) else { return Vec::new() };
    std::env::split_paths(path.trim_end()).filter(|d| d.is_absolute()).collect()
}

/// The first `dirs` entry holding `program` as a file.
pub fn find(program: &str, dirs: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    dirs.into_iter().map(|d| d.join(program)).find(|p| p.is_file())
}

/// The full path of `docker-credential-<name>` for this process: PATH, the installers' folders
/// (from the current HOME), then the login shell's PATH.
pub async fn locate(name: &str) -> Option<PathBuf> {
    let os = Os::CURRENT;
    let program = program(os, name);
    let path: Vec<PathBuf> = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    let home = dirs::home_dir();
    if let Some(found) = find(&program, path.into_iter().chain(install_dirs(os, home.as_deref(), super::var))) {
        return Some(found);
    }
    find(&program, shell_path().await.iter().cloned())
}

/// The login shell's PATH, read at most once per run.
async fn shell_path() -> &'static [PathBuf] {
    static PATH: tokio::sync::OnceCell<Vec<PathBuf>> = tokio::sync::OnceCell::const_new();
    PATH.get_or_init(|| async {
        let Some((shell, args)) = login_shell(Os::CURRENT, super::var("SHELL").as_deref()) else { return Vec::new() };
        let run = tokio::process::Command::new(&shell)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        match tokio::time::timeout(SHELL_TIMEOUT, run).await {
            Ok(Ok(out)) => read_login_path(&String::from_utf8_lossy(&out.stdout)),
            Ok(Err(e)) => {
                tracing::info!(%shell, error = %e, "cannot run the login shell to read its PATH");
                Vec::new()
            }
            Err(_) => {
                tracing::info!(%shell, "the login shell did not print its PATH in time");
                Vec::new()
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn each_platform_searches_where_its_installers_put_helpers() {
        let home = Some(Path::new("/h"));
        assert_eq!(install_dirs(Os::Linux, home, none), [PathBuf::from("/usr/local/bin"), PathBuf::from("/h/.docker/bin")]);
        assert_eq!(
            install_dirs(Os::MacOs, home, none),
            ["/usr/local/bin", "/opt/homebrew/bin", "/Applications/Docker.app/Contents/Resources/bin", "/h/.docker/bin"].map(PathBuf::from)
        );
        let windows = install_dirs(Os::Windows, None, none);
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].to_string_lossy().replace('/', r"\"), r"C:\Program Files\Docker\Docker\resources\bin");
        let elsewhere = install_dirs(Os::Windows, None, |_| Some(r"D:\Apps".into()));
        assert_eq!(elsewhere[0].to_string_lossy().replace('/', r"\"), r"D:\Apps\Docker\Docker\resources\bin");
    }

    #[test]
    fn each_platform_has_its_own_helper_and_program_name() {
        assert_eq!((own_helper(Os::Linux), own_helper(Os::MacOs), own_helper(Os::Windows)), ("secretservice", "osxkeychain", "wincred"));
        assert_eq!(program(Os::MacOs, "osxkeychain"), "docker-credential-osxkeychain");
        assert_eq!(program(Os::Windows, "wincred"), "docker-credential-wincred.exe");
    }

    #[test]
    fn the_login_shell_is_asked_on_macos_and_linux_only() {
        assert!(login_shell(Os::Windows, Some("/bin/zsh")).is_none());
        let (shell, args) = login_shell(Os::MacOs, Some("/bin/zsh")).unwrap();
        assert_eq!((shell.as_str(), args[0].as_str(), args[1].as_str()), ("/bin/zsh", "-l", "-c"));
        assert_eq!(login_shell(Os::Linux, None).unwrap().0, "/bin/sh");
        assert_eq!(login_shell(Os::Linux, Some("zsh")).unwrap().0, "/bin/sh", "a relative SHELL is not run");
    }

    #[test]
    fn the_login_shell_path_is_read_after_what_the_profile_printed() {
        let (shell, args) = login_shell(Os::Linux, Some("/bin/sh")).unwrap();
        // A real login shell (its profile may set PATH afresh, as Debian's /etc/profile does).
        let out = std::process::Command::new(shell).args(&args).env("PATH", "/usr/bin:/bin").output().unwrap();
        let dirs = read_login_path(&String::from_utf8_lossy(&out.stdout));
        assert!(dirs.contains(&PathBuf::from("/usr/bin")) || dirs.contains(&PathBuf::from("/bin")), "{out:?}");
        assert_eq!(read_login_path("Welcome!\n__BERTH_PATH__=/a:rel:/b"), [PathBuf::from("/a"), PathBuf::from("/b")]);
        assert!(read_login_path("no mark").is_empty());
    }

    #[test]
    fn find_takes_the_first_folder_holding_the_program() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(b.path().join("docker-credential-x"), "").unwrap();
        assert_eq!(find("docker-credential-x", [a.path().into(), b.path().into()]), Some(b.path().join("docker-credential-x")));
        assert_eq!(find("docker-credential-y", [a.path().into(), b.path().into()]), None);
    }
}
