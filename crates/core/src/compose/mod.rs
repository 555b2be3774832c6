//! Compose stacks: load a project exactly as the Compose CLI does, and run it through the
//! Engine API with the same labels and names, so Berth and `docker compose` share stacks.

mod checks;
pub mod dotenv;
pub mod interpolate;
mod load;
mod merge;
mod normalize;
mod problem;
pub mod schema;
pub mod yaml;

pub use load::{find_files, load, normalize_name, Loaded, Options, DEFAULT_FILES};
pub use problem::Problem;
