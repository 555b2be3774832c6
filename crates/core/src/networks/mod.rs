//! Networks: list (with their subnets and containers), create, inspect, connect and disconnect
//! containers, remove and prune.

mod address;
mod list;
mod manage;
mod model;

pub use list::{list, names};
pub use manage::{connect, create, disconnect, inspect, prune, prune_estimate, remove};
pub use model::*;

/// The networks every engine makes itself and never removes.
pub const PREDEFINED: [&str; 3] = ["bridge", "host", "none"];
