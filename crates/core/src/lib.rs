//! berth-core: all of Berth's Docker logic, with no Tauri dependency. One module per domain;
//! each exposes plain async functions taking `&Engine` and returning its own model types,
//! which are what the UI sees (bollard's types never cross the IPC boundary).

pub mod about;
pub mod blocking;
pub mod build;
pub mod compose;
pub mod containers;
pub mod engine;
pub mod error;
pub mod fsutil;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod images;
pub mod logging;
pub mod networks;
pub mod objects;
pub mod pipelines;
pub mod platform;
pub mod problem;
pub mod prune;
pub mod reference;
pub mod registry;
pub mod settings;
mod stream;
pub mod volumes;

pub use engine::Engine;
pub use error::{Error, ErrorCode, Result};

#[cfg(test)]
mod layers_tests;
#[cfg(test)]
mod untrusted_tests;
