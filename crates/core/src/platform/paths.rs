//! Berth's own folders where each platform keeps them.

use super::Os;
use std::path::{Path, PathBuf};

/// Where the app's rotated log files go: `$XDG_STATE_HOME/berth/logs` (else
/// `~/.local/state/berth/logs`) on Linux, `~/Library/Logs/Berth` on macOS,
/// `%LOCALAPPDATA%\Berth\logs` on Windows.
pub fn log_dir(os: Os, home: Option<&Path>, var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    // XDG and Windows ignore a relative folder: it would depend on the working directory.
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute() || os == Os::Windows);
    match os {
        Os::Linux => Some(absolute("XDG_STATE_HOME").or_else(|| Some(home?.join(".local/state")))?.join("berth/logs")),
        Os::MacOs => Some(home?.join("Library/Logs/Berth")),
        Os::Windows => Some(absolute("LOCALAPPDATA").or_else(|| Some(home?.join(r"AppData\Local")))?.join(r"Berth\logs")),
    }
}

/// This process's log folder.
pub fn current_log_dir() -> Option<PathBuf> {
    log_dir(Os::CURRENT, dirs::home_dir().as_deref(), super::var)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn every_platform_has_its_log_folder() {
        let home = Some(Path::new("/home/ann"));
        assert_eq!(log_dir(Os::Linux, home, vars(&[])), Some(PathBuf::from("/home/ann/.local/state/berth/logs")));
        assert_eq!(log_dir(Os::Linux, home, vars(&[("XDG_STATE_HOME", "/xdg/state")])), Some(PathBuf::from("/xdg/state/berth/logs")));
        assert_eq!(log_dir(Os::Linux, home, vars(&[("XDG_STATE_HOME", "rel")])), Some(PathBuf::from("/home/ann/.local/state/berth/logs")));
        assert_eq!(log_dir(Os::MacOs, Some(Path::new("/Users/ann")), vars(&[])), Some(PathBuf::from("/Users/ann/Library/Logs/Berth")));
        let win = log_dir(Os::Windows, None, vars(&[("LOCALAPPDATA", r"C:\Users\ann\AppData\Local")])).unwrap();
        assert_eq!(win.to_string_lossy().replace('/', r"\"), r"C:\Users\ann\AppData\Local\Berth\logs");
        assert_eq!(log_dir(Os::Linux, None, vars(&[])), None, "no home, no XDG: no folder to guess");
    }
}
