//! What the app manages: the engine pump and the live streams the UI holds.

use crate::streams::{Execs, Subscriptions};
use berth_core::engine::Pump;

pub struct AppState {
    pub pump: Pump,
    pub subscriptions: Subscriptions,
    pub execs: Execs,
}

impl AppState {
    pub fn new(pump: Pump) -> Self {
        AppState { pump, subscriptions: Subscriptions::default(), execs: Execs::default() }
    }
}
