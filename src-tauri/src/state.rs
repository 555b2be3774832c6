//! What the app manages: the engine pump and the live streams the UI holds.

use crate::streams::{Execs, Subscriptions};
use berth_core::build::history::History;
use berth_core::engine::Pump;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct AppState {
    pub pump: Pump,
    /// Build history and recent project folders, in the app's data directory.
    pub history: Arc<History>,
    pub subscriptions: Subscriptions,
    pub execs: Execs,
    /// Volume browses under way, by volume name, for `volume_browse_cancel`.
    pub browses: Mutex<HashMap<String, tokio::task::AbortHandle>>,
}

impl AppState {
    pub fn new(pump: Pump, history: History) -> Self {
        AppState { pump, history: Arc::new(history), subscriptions: Subscriptions::default(), execs: Execs::default(), browses: Mutex::default() }
    }
}
