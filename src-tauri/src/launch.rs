//! How Berth is opened: one instance per user session (a second launch focuses the open window
//! and hands it its folder), and a project folder named on the command line (`berth ~/src/app`),
//! which opens as a dropped folder does.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager};

/// Emitted with a folder (absolute path) a later launch named; the UI opens it as a drop.
pub const OPEN_FOLDER: &str = "app://open-folder";

/// The folder this launch named, until the UI takes it (`launch_folder`).
#[derive(Default)]
pub struct LaunchFolder(pub Mutex<Option<PathBuf>>);

/// The first argument that names an existing folder, relative to the launch's working folder.
/// Flags (`--…`, and the ones a desktop launcher adds) are skipped.
pub fn folder_arg(args: &[String], cwd: &Path) -> Option<PathBuf> {
    args.iter().skip(1).filter(|a| !a.starts_with('-')).map(|a| cwd.join(a)).find(|p| p.is_dir())
}

/// The single-instance callback: runs in the first instance when another one starts.
pub fn second_launch(app: &AppHandle, args: Vec<String>, cwd: String) {
    show(app);
    if let Some(folder) = folder_arg(&args, Path::new(&cwd)) {
        let _ = app.emit_to("main", OPEN_FOLDER, folder);
    }
}

/// Brings the main window up (unminimised, shown, focused).
pub fn show(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_folder_argument() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(folder_arg(&args(&["berth", "--flag", "file", "app"]), dir.path()), Some(dir.path().join("app")));
        assert_eq!(folder_arg(&args(&["berth", "missing"]), dir.path()), None);
        let absolute = dir.path().join("app").display().to_string();
        assert_eq!(folder_arg(&args(&["berth", &absolute]), Path::new("/")), Some(dir.path().join("app")));
    }
}
