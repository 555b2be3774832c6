//! Labels on everything a pipeline run creates, so an interrupted run is found and removed.

use std::collections::HashMap;

/// The run id; every container, network and per-run volume carries it.
pub const RUN: &str = "dev.berth.pipeline";
/// The job (final name) a container belongs to.
pub const JOB: &str = "dev.berth.pipeline.job";
/// Cache volumes: the project they belong to (kept between runs, not removed with a run).
pub const CACHE: &str = "dev.berth.pipeline.cache";
/// The process that runs the pipeline (`<host>:<pid>`), so a cleanup never removes the runs of
/// another live Berth (or test) process on the same engine.
pub const OWNER: &str = "dev.berth.pipeline.owner";

pub fn for_job(run: &str, job: &str) -> HashMap<String, String> {
    let mut labels = for_run(run);
    labels.insert(JOB.into(), job.into());
    labels
}

/// What the run itself makes (the volumes that hand artifacts on).
pub fn for_run(run: &str) -> HashMap<String, String> {
    HashMap::from([(RUN.into(), run.into()), (OWNER.into(), owner())])
}

pub fn owner() -> String {
    format!("{}:{}", host(), std::process::id())
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "local".into())
}

/// Whether the process that labelled a run is gone: another process on this host that has
/// ended (Linux tells through /proc; elsewhere an owner that is not this process counts as
/// gone, since a run only outlives its app when the app was killed).
pub fn owner_gone(owner: Option<&String>) -> bool {
    let Some((h, pid)) = owner.and_then(|o| o.rsplit_once(':')) else {
        return true;
    };
    if h != host() {
        // Another machine's run on a shared engine: not ours to judge.
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) if pid == std::process::id() => false,
        Ok(pid) if std::path::Path::new("/proc/self").exists() => !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        _ => true,
    }
}
