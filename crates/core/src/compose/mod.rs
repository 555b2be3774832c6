//! Compose stacks: load a project exactly as the Compose CLI does, and run it through the
//! Engine API with the same labels and names, so Berth and `docker compose` share stacks.

mod build;
mod checks;
mod create;
pub mod dotenv;
pub mod editor;
pub mod emit;
pub mod folder;
mod info;
pub mod interpolate;
pub mod labels;
mod load;
pub mod logs;
mod merge;
mod normalize;
pub mod orphans;
mod plan;
mod progress;
mod pull;
pub mod refs;
pub mod schema;
mod secrets;
pub mod stack;
pub mod up;
pub mod yaml;

pub use crate::problem::Problem;
pub use build::build;
pub use info::ProjectInfo;
pub use load::{config_files, find_files, load, load_async, normalize_name, Options, Project, DEFAULT_FILES};
pub use plan::UpOptions;
pub use progress::Progress;
pub use pull::pull;
pub use stack::{DownOptions, Stack};
pub use up::{undo, up, up_cancellable, CancellationToken, Created, UpEvent, UpOutcome};
