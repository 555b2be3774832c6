//! What the app manages: the engine pump and the live streams the UI holds.

use crate::streams::{Execs, Subscriptions};
use berth_core::build::history::History;
use berth_core::engine::Pump;
use std::sync::Arc;

pub struct AppState {
    pub pump: Pump,
    /// Build history and recent project folders, in the app's data directory.
    pub history: Arc<History>,
    pub subscriptions: Subscriptions,
    pub execs: Execs,
}

impl AppState {
    pub fn new(pump: Pump, history: History) -> Self {
        AppState { pump, history: Arc::new(history), subscriptions: Subscriptions::default(), execs: Execs::default() }
    }
}
