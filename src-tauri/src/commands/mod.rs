//! Thin `#[tauri::command]` adapters over berth-core, one file per domain. Each is a few lines:
//! fetch the engine, call core, let `?` turn core's error into the `{code, message, detail,
//! field}` payload the UI expects.

pub mod app;
pub mod build;
pub mod compose;
pub mod containers;
pub mod desktop;
pub mod engine;
pub mod exec;
pub mod images;
pub mod logs;
pub mod networks;
pub mod pipelines;
pub mod registry;
pub mod volumes;

/// Every command's error type.
pub type Res<T> = Result<T, berth_core::error::ErrorPayload>;
