//! What the app manages: the engine pump and the live streams the UI holds.

use crate::streams::{Execs, Subscriptions};
use berth_core::build::history::History;
use berth_core::containers::ListAhead;
use berth_core::engine::Pump;
use berth_core::pipelines::history::Runs;
use berth_core::pipelines::run::RunHandle;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct AppState {
    pub pump: Pump,
    /// Build history and recent project folders, in the app's data directory.
    pub history: Arc<History>,
    pub subscriptions: Subscriptions,
    pub execs: Execs,
    /// Volume browses under way, by volume name, for `volume_browse_cancel`.
    pub browses: Mutex<HashMap<String, tokio::task::AbortHandle>>,
    /// Pipeline runs kept per project, in the app's data directory.
    pub runs: Arc<Runs>,
    pub pipeline_runs: Arc<LiveRuns>,
    /// The container list read as the page starts loading, for its first ask.
    pub list_ahead: ListAhead,
}

/// Pipeline runs going on, by run id, for cancel and play.
#[derive(Default)]
pub struct LiveRuns(Mutex<HashMap<String, (PathBuf, RunHandle)>>);

impl LiveRuns {
    pub fn insert(&self, id: &str, folder: &Path, handle: RunHandle) {
        self.0.lock().unwrap().insert(id.to_string(), (folder.to_path_buf(), handle));
    }

    /// Dropping the handle ends a run that only waits for manual jobs.
    pub fn remove(&self, id: &str) {
        let gone = self.0.lock().unwrap().remove(id);
        drop(gone);
    }

    /// Whether the run is going on (and `act` was applied to it).
    pub fn with(&self, id: &str, act: impl FnOnce(&RunHandle)) -> bool {
        self.0.lock().unwrap().get(id).map(|(_, h)| act(h)).is_some()
    }

    /// A new run of the project at `folder` starts: its older runs cancel themselves when all
    /// they started is `interruptible` (GitLab's auto-cancel of redundant pipelines).
    pub fn supersede(&self, folder: &Path) {
        self.0.lock().unwrap().values().filter(|(f, _)| f == folder).for_each(|(_, h)| h.supersede());
    }

    /// The run going on for the project at `folder`.
    pub fn active(&self, folder: &Path) -> Option<String> {
        self.0.lock().unwrap().iter().find(|(_, (f, _))| f == folder).map(|(id, _)| id.clone())
    }
}

impl AppState {
    pub fn new(pump: Pump, history: History, runs: Runs) -> Self {
        AppState {
            pump,
            history: Arc::new(history),
            subscriptions: Subscriptions::default(),
            execs: Execs::default(),
            browses: Mutex::default(),
            runs: Arc::new(runs),
            pipeline_runs: Arc::default(),
            list_ahead: ListAhead::default(),
        }
    }
}
