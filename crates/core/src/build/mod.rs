//! Build: open a project folder, see what it holds, and build an image from one of its
//! Dockerfiles with live progress, as `docker build` would.
//!
//! - [`project`]: what a folder holds (Dockerfiles, compose files, a pipeline, its language).
//! - [`dockerfile`]: ARGs, stages and line numbers, for the form and for pointing at errors.
//! - [`ignore`]: `.dockerignore` with moby/patternmatcher's exact semantics.
//! - [`context`]: the files sent, their summary, and the tar streamed while it is read.
//! - [`run`](build()): the build itself, BuildKit or classic, cancelled by dropping it.
//! - [`templates`], [`history`]: starter Dockerfiles; build history and recent folders.

mod bases;
mod context;
pub mod dockerfile;
pub mod history;
pub mod ignore;
mod model;
pub(crate) mod progress;
pub mod project;
mod run;
pub(crate) mod status;
pub mod templates;
pub(crate) mod transport;

pub use context::{listing, Context, ContextSummary};
pub use model::*;
pub use project::{open, Language, Project};
pub use run::build;

use crate::error::Result;
use std::path::Path;

/// The build form's starting point for `dockerfile` in `folder`: ARGs, stages, what the
/// context holds after `.dockerignore`, and a default tag.
pub fn plan(folder: &Path, dockerfile: &str) -> Result<BuildPlan> {
    let ctx = Context::new(folder, dockerfile)?;
    let text = ctx.dockerfile_text()?;
    let parsed = dockerfile::Dockerfile::parse(&text);
    Ok(BuildPlan {
        dockerfile: ctx.dockerfile.clone(),
        args: parsed.args(),
        stages: parsed.stages,
        context: ctx.summarize()?,
        default_tag: project::default_tag(&ctx.root),
    })
}
