//! GitLab CI pipelines: load `.gitlab-ci.yml` exactly as GitLab does (`load/`) into the
//! resolved [`model::Pipeline`], and run its jobs with the Docker executor's semantics (`run/`).
//!
//! The contract between the two halves is `model.rs`: the loader applies every YAML and rule
//! feature; the executor reads only the model, builds each job's environment with
//! [`expand::environment`] and resolves caches with [`model::CacheKey::resolve`].

mod cache_key;
pub mod expand;
mod git;
pub mod load;
pub mod model;
pub mod run;
// Berth's own keeping of runs and per-project answers (not GitLab semantics).
pub mod history;
pub mod settings;

pub use load::{load, preview, LoadOptions};
pub use model::{Job, Pipeline, PipelineError};
