//! Labels on everything a pipeline run creates, so an interrupted run is found and removed.

use std::collections::HashMap;

/// The run id; every container, network and per-run volume carries it.
pub const RUN: &str = "dev.berth.pipeline";
/// The job (final name) a container belongs to.
pub const JOB: &str = "dev.berth.pipeline.job";
/// Cache volumes: the project they belong to (kept between runs, not removed with a run).
pub const CACHE: &str = "dev.berth.pipeline.cache";

pub fn for_job(run: &str, job: &str) -> HashMap<String, String> {
    HashMap::from([(RUN.into(), run.into()), (JOB.into(), job.into())])
}
