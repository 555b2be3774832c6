//! The user's settings (`settings.json` in the app's config folder, which the shell passes):
//! typed, every field defaulted, written atomically. Keys this version does not know (written by
//! a newer Berth) are kept, and a file that cannot be read is reported and set aside before the
//! first save, never overwritten silently.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Larger than any settings file Berth writes; a bigger one is not ours.
const CAP: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The tray / menu-bar icon (off by default).
    pub tray: bool,
    pub theme: Theme,
    pub notifications: Notifications,
    /// The view shown when Berth last closed ("containers", "images", …); the UI owns the names.
    pub last_view: Option<String>,
    /// Keys of a newer Berth, written back as they were.
    #[serde(flatten)]
    #[specta(skip)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { tray: false, theme: Theme::System, notifications: Notifications::default(), last_view: None, other: Default::default() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Follow the OS (prefers-color-scheme).
    #[default]
    System,
    Light,
    Dark,
}

/// Which notifications Berth shows; each kind on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Notifications {
    pub build: bool,
    pub pull: bool,
    pub push: bool,
    pub stack_up: bool,
    pub pipeline: bool,
    pub container_died: bool,
    #[serde(flatten)]
    #[specta(skip)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications {
            build: true,
            pull: true,
            push: true,
            stack_up: true,
            pipeline: true,
            container_died: true,
            other: Default::default(),
        }
    }
}

/// A kind of notification, as the UI and the engine's events name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum NotificationKind {
    Build,
    Pull,
    Push,
    StackUp,
    Pipeline,
    ContainerDied,
}

impl Notifications {
    pub fn allows(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::Build => self.build,
            NotificationKind::Pull => self.pull,
            NotificationKind::Push => self.push,
            NotificationKind::StackUp => self.stack_up,
            NotificationKind::Pipeline => self.pipeline,
            NotificationKind::ContainerDied => self.container_died,
        }
    }
}

/// The settings and the file they live in.
pub struct SettingsStore {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    settings: Settings,
    /// Why the file on disk could not be read; it is moved aside before the first save.
    problem: Option<String>,
}

/// What the UI shows: the settings, and a sentence when the file could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    pub problem: Option<String>,
}

impl SettingsStore {
    /// Reads `dir/settings.json`; a missing file gives the defaults, an unreadable one the
    /// defaults and a problem (logged, shown in the Settings view).
    pub fn load(dir: &Path) -> SettingsStore {
        let path = dir.join("settings.json");
        let (settings, problem) = match read(&path) {
            Ok(settings) => (settings, None),
            Err(e) => {
                tracing::warn!(error = %e, "settings file unreadable; using defaults");
                (Settings::default(), Some(e.to_string()))
            }
        };
        SettingsStore { path, state: Mutex::new(State { settings, problem }) }
    }

    pub fn get(&self) -> Settings {
        self.state.lock().unwrap().settings.clone()
    }

    pub fn view(&self) -> SettingsView {
        let state = self.state.lock().unwrap();
        SettingsView { settings: state.settings.clone(), problem: state.problem.clone() }
    }

    /// Saves `settings` (an unreadable file is first kept as `settings.json.unreadable`, which the
    /// problem sentence named); on failure nothing changes in memory either.
    pub fn set(&self, settings: Settings) -> Result<SettingsView> {
        let mut state = self.state.lock().unwrap();
        if state.problem.is_some() && self.path.exists() {
            crate::fsutil::set_aside(&self.path)?;
        }
        let json = serde_json::to_vec_pretty(&settings).map_err(|e| Error::Internal(format!("settings do not serialise: {e}")))?;
        crate::fsutil::write_atomic(&self.path, &json, 0o600)?;
        *state = State { settings, problem: None };
        Ok(SettingsView { settings: state.settings.clone(), problem: None })
    }
}

fn read(path: &Path) -> Result<Settings> {
    let text = match crate::fsutil::read_text_capped(path, CAP, "Settings file") {
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
        other => other?,
    };
    serde_json::from_str(&text).map_err(|e| Error::InvalidInput {
        field: None,
        message: format!(
            "Settings file {} cannot be read ({e}); Berth uses the defaults, and keeps the file as settings.json.unreadable when you change a setting.",
            path.display()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::load(dir.path());
        let view = store.view();
        assert_eq!(view.problem, None);
        assert!(!view.settings.tray);
        assert_eq!(view.settings.theme, Theme::System);
        assert!(view.settings.notifications.allows(NotificationKind::ContainerDied));
        assert!(!dir.path().join("settings.json").exists(), "loading writes nothing");
    }

    #[test]
    fn saves_and_reloads_keeping_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        std::fs::write(&file, r#"{"tray":true,"future":{"a":1},"notifications":{"pull":false,"pipeline":false}}"#).unwrap();
        let store = SettingsStore::load(dir.path());
        let mut settings = store.get();
        assert!(settings.tray && !settings.notifications.pull && settings.notifications.build);
        settings.theme = Theme::Dark;
        store.set(settings).unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["future"], serde_json::json!({"a": 1}));
        assert_eq!(saved["notifications"]["pipeline"], false);
        assert_eq!(saved["theme"], "dark");
        assert_eq!(SettingsStore::load(dir.path()).get().theme, Theme::Dark);
    }

    #[test]
    fn an_unreadable_file_is_reported_and_kept_aside_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        std::fs::write(&file, "{ not json").unwrap();
        let store = SettingsStore::load(dir.path());
        let problem = store.view().problem.expect("a problem");
        assert!(problem.contains("settings.json") && problem.contains("defaults"), "{problem}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{ not json", "loading never rewrites it");
        store.set(Settings { tray: true, ..Settings::default() }).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("settings.json.unreadable")).unwrap(), "{ not json");
        assert!(SettingsStore::load(dir.path()).get().tray);
        assert_eq!(store.view().problem, None);
    }

    #[test]
    fn a_wrong_type_is_a_problem_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.json"), r#"{"theme":"purple"}"#).unwrap();
        assert!(SettingsStore::load(dir.path()).view().problem.is_some());
    }
}
