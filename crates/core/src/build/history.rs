//! Build history per project folder and the recently opened folders, in one small JSON file
//! in the app's data directory, kept across restarts; a [`Recorder`] adds a build's outcome
//! however the build ends.

use super::model::{BuildRequest, BuildResult, Builder};
use super::project::Project;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const PER_FOLDER: usize = 20;
const RECENT: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Unix milliseconds when the build started.
    pub at: u64,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub dockerfile: String,
    pub tags: Vec<String>,
    pub image_id: Option<String>,
    pub builder: Option<Builder>,
    /// The failure's sentence.
    pub message: Option<String>,
}

impl HistoryEntry {
    pub fn new(at: u64, dockerfile: &str, outcome: std::result::Result<&BuildResult, (&Error, Vec<String>)>) -> HistoryEntry {
        let now = now_ms();
        match outcome {
            Ok(r) => HistoryEntry {
                at,
                duration_ms: r.duration_ms,
                outcome: Outcome::Succeeded,
                dockerfile: dockerfile.into(),
                tags: r.tags.clone(),
                image_id: Some(r.image_id.clone()),
                builder: Some(r.builder),
                message: None,
            },
            Err((e, tags)) => HistoryEntry {
                at,
                duration_ms: now.saturating_sub(at),
                outcome: if matches!(e, Error::Cancelled) { Outcome::Cancelled } else { Outcome::Failed },
                dockerfile: dockerfile.into(),
                tags,
                image_id: None,
                builder: None,
                message: Some(e.to_string()),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecentFolder {
    pub folder: PathBuf,
    pub opened_at: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    #[serde(default)]
    recent: Vec<RecentFolder>,
    #[serde(default)]
    builds: BTreeMap<PathBuf, Vec<HistoryEntry>>,
    /// Keys of a newer Berth, written back as they were.
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// The history file; every change is written at once (atomically, through a temp file).
pub struct History {
    path: PathBuf,
    lock: Mutex<()>,
}

impl History {
    pub fn new(data_dir: &Path) -> History {
        History { path: data_dir.join("build-history.json"), lock: Mutex::new(()) }
    }

    fn load(&self) -> Data {
        std::fs::read(&self.path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// A file that could not be read is kept as `build-history.json.unreadable`.
    fn save(&self, data: &Data) -> Result<()> {
        crate::fsutil::write_json(&self.path, data, 0o644)
    }

    /// Newest first.
    pub fn builds(&self, folder: &Path) -> Vec<HistoryEntry> {
        self.load().builds.remove(folder).unwrap_or_default()
    }

    pub fn record(&self, folder: &Path, entry: HistoryEntry) -> Result<()> {
        let _guard = self.lock.lock().unwrap();
        let mut data = self.load();
        let list = data.builds.entry(folder.to_path_buf()).or_default();
        list.insert(0, entry);
        list.truncate(PER_FOLDER);
        self.save(&data)
    }

    /// Newest first; folders that no longer exist are left out.
    pub fn recent(&self) -> Vec<RecentFolder> {
        self.load().recent.into_iter().filter(|r| r.folder.is_dir()).collect()
    }

    pub fn opened(&self, folder: &Path) -> Result<()> {
        let _guard = self.lock.lock().unwrap();
        let mut data = self.load();
        data.recent.retain(|r| r.folder != folder);
        data.recent.insert(0, RecentFolder { folder: folder.to_path_buf(), opened_at: now_ms() });
        data.recent.truncate(RECENT);
        self.save(&data)
    }
}

impl History {
    /// Open a project folder (scanned off the async workers, within the folder time limit: a
    /// huge or hung one must not freeze the window) and remember it as recently opened.
    pub async fn open(self: &Arc<Self>, folder: &Path) -> Result<Project> {
        let (folder, history) = (folder.to_path_buf(), self.clone());
        crate::blocking::run("Opening the folder", crate::blocking::FOLDER_TIMEOUT, move || {
            let project = super::open(&folder)?;
            if let Err(e) = history.opened(&project.folder) {
                tracing::warn!("could not remember the recent folder: {e}");
            }
            Ok(project)
        })
        .await
    }

    /// Start recording a build of `request` that begins now.
    pub fn recorder(self: &Arc<Self>, request: &BuildRequest) -> Recorder {
        Recorder { history: self.clone(), request: request.clone(), at: now_ms(), done: false }
    }
}

/// A build being recorded: [`Recorder::finish`] adds its outcome to the folder's history, and
/// a recorder dropped before that (the build was cancelled, or the page that showed it went
/// away) adds it as cancelled.
pub struct Recorder {
    history: Arc<History>,
    request: BuildRequest,
    at: u64,
    done: bool,
}

impl Recorder {
    pub fn finish(mut self, outcome: std::result::Result<&BuildResult, &Error>) {
        self.done = true;
        let entry = HistoryEntry::new(self.at, &self.request.dockerfile, outcome.map_err(|e| (e, self.request.tags.clone())));
        self.save(entry);
    }

    fn save(&self, entry: HistoryEntry) {
        if let Err(e) = self.history.record(&self.request.folder, entry) {
            tracing::warn!("could not save the build history: {e}");
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if !self.done {
            let entry = HistoryEntry::new(self.at, &self.request.dockerfile, Err((&Error::Cancelled, self.request.tags.clone())));
            self.save(entry);
        }
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_across_instances_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let h = History::new(dir.path());
        let result = BuildResult {
            image_id: "sha256:1".into(),
            tags: vec!["a".into()],
            exposed_ports: vec![],
            builder: Builder::BuildKit,
            duration_ms: 5,
        };
        h.record(project.path(), HistoryEntry::new(1, "Dockerfile", Ok(&result))).unwrap();
        h.record(project.path(), HistoryEntry::new(2, "Dockerfile", Err((&Error::Cancelled, vec![])))).unwrap();
        h.opened(project.path()).unwrap();
        let again = History::new(dir.path());
        let outcomes: Vec<_> = again.builds(project.path()).iter().map(|e| e.outcome).collect();
        assert_eq!(outcomes, [Outcome::Cancelled, Outcome::Succeeded]);
        assert_eq!(again.recent()[0].folder, project.path());
    }

    fn request(folder: &Path) -> BuildRequest {
        BuildRequest { folder: folder.into(), dockerfile: "Dockerfile".into(), tags: vec!["app:dev".into()], ..Default::default() }
    }

    #[test]
    fn a_recorded_build_keeps_its_outcome_and_a_dropped_one_counts_as_cancelled() {
        let (dir, project) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let h = Arc::new(History::new(dir.path()));
        let result = BuildResult {
            image_id: "sha256:1".into(),
            tags: vec!["app:dev".into()],
            exposed_ports: vec![],
            builder: Builder::Classic,
            duration_ms: 5,
        };
        h.recorder(&request(project.path())).finish(Ok(&result));
        h.recorder(&request(project.path())).finish(Err(&Error::invalid("dockerfile", "No FROM.")));
        drop(h.recorder(&request(project.path())));
        let entries = h.builds(project.path());
        let outcomes: Vec<_> = entries.iter().map(|e| e.outcome).collect();
        assert_eq!(outcomes, [Outcome::Cancelled, Outcome::Failed, Outcome::Succeeded]);
        assert_eq!(entries[0].tags, ["app:dev"]);
        assert_eq!(entries[1].message.as_deref(), Some("No FROM."));
        assert_eq!(entries[2].image_id.as_deref(), Some("sha256:1"));
    }

    #[tokio::test]
    async fn opening_a_folder_remembers_it() {
        let (dir, project) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(project.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        let h = Arc::new(History::new(dir.path()));
        let opened = h.open(project.path()).await.unwrap();
        assert_eq!(h.recent()[0].folder, opened.folder);
    }

    #[test]
    fn keys_of_a_newer_berth_are_kept_and_an_unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let file = dir.path().join("build-history.json");
        std::fs::write(&file, r#"{"recent": [], "pinned": ["x"]}"#).unwrap();
        History::new(dir.path()).opened(project.path()).unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["pinned"][0], "x");
        std::fs::write(&file, "{\"recent\": [").unwrap();
        History::new(dir.path()).opened(project.path()).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("build-history.json.unreadable")).unwrap(), "{\"recent\": [");
    }
}
