//! Which waiting job may start, as GitLab decides it: after its `needs` (or every job of the
//! earlier stages), by its `when` and the outcomes before it. Pure logic, no engine.

use super::model::JobStatus;
use crate::pipelines::model::{AllowFailure, Job, When};

/// What the scheduler knows of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub status: JobStatus,
    pub allowed_failure: bool,
}

/// What to do with a job that is `Created`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Wait,
    Run,
    /// `when: delayed`: start after its delay.
    Delay,
    /// `when: manual`: wait for a click.
    Manual,
    Skip(String),
}

/// The jobs `job` waits for (indices into `jobs`): its `needs`, or every job of an earlier
/// stage that is in the pipeline.
pub fn prerequisites(jobs: &[Job], job: &Job) -> Vec<usize> {
    match &job.needs {
        Some(needs) => needs.iter().filter_map(|n| jobs.iter().position(|j| j.name == n.job)).collect(),
        None => jobs.iter().enumerate().filter(|(_, j)| j.stage_index < job.stage_index && j.when != When::Never).map(|(i, _)| i).collect(),
    }
}

pub fn decide(jobs: &[Job], states: &[State], index: usize) -> Decision {
    let job = &jobs[index];
    let pre = prerequisites(jobs, job);
    let blocking = |s: &State, j: &Job| match s.status {
        s if s.is_final() => false,
        // A manual job that may fail does not hold the pipeline up (GitLab's optional manual job).
        JobStatus::Manual => j.allow_failure == AllowFailure::No,
        _ => true,
    };
    if pre.iter().any(|&i| blocking(&states[i], &jobs[i])) {
        return Decision::Wait;
    }
    let failed = pre.iter().any(|&i| states[i].status == JobStatus::Failed && !states[i].allowed_failure);
    let canceled = pre.iter().any(|&i| states[i].status == JobStatus::Canceled);
    // With `needs`, a needed job that did not run means this one does not either.
    let need_skipped = job.needs.is_some() && pre.iter().any(|&i| matches!(states[i].status, JobStatus::Skipped | JobStatus::Manual));
    match job.when {
        When::Never => Decision::Skip("its rules keep it out of the pipeline".into()),
        When::Always => Decision::Run,
        When::OnFailure if failed => Decision::Run,
        When::OnFailure => Decision::Skip("it runs only when an earlier job fails, and none did".into()),
        _ if canceled => Decision::Skip("an earlier job was canceled".into()),
        _ if failed => Decision::Skip("an earlier job failed".into()),
        _ if need_skipped => Decision::Skip("a job it needs did not run".into()),
        When::Manual => Decision::Manual,
        When::Delayed { .. } => Decision::Delay,
        When::OnSuccess => Decision::Run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::model::{Need, Reason, Retry};
    use std::path::PathBuf;

    pub fn job(name: &str, stage: usize, when: When) -> Job {
        Job {
            name: name.into(),
            base_name: name.into(),
            file: PathBuf::from(".gitlab-ci.yml"),
            line: None,
            stage: format!("s{stage}"),
            stage_index: stage,
            image: None,
            services: vec![],
            before_script: vec![],
            script: vec!["true".into()],
            after_script: vec![],
            variables: vec![],
            when,
            reason: Reason::Default,
            allow_failure: AllowFailure::No,
            needs: None,
            dependencies: None,
            artifacts: None,
            caches: vec![],
            retry: Retry { max: 0, when: vec![], exit_codes: vec![] },
            timeout: None,
            interruptible: false,
            resource_group: None,
            coverage: None,
            environment: None,
            ignored: vec![],
        }
    }

    fn st(status: JobStatus) -> State {
        State { status, allowed_failure: false }
    }

    #[test]
    fn stage_order_and_outcomes() {
        let jobs =
            vec![job("a", 0, When::OnSuccess), job("b", 1, When::OnSuccess), job("c", 1, When::OnFailure), job("d", 1, When::Always)];
        let mut s = vec![st(JobStatus::Running), st(JobStatus::Created), st(JobStatus::Created), st(JobStatus::Created)];
        assert_eq!(decide(&jobs, &s, 1), Decision::Wait);
        s[0] = st(JobStatus::Failed);
        assert!(matches!(decide(&jobs, &s, 1), Decision::Skip(_)));
        assert_eq!(decide(&jobs, &s, 2), Decision::Run);
        assert_eq!(decide(&jobs, &s, 3), Decision::Run);
        s[0] = State { status: JobStatus::Failed, allowed_failure: true };
        assert_eq!(decide(&jobs, &s, 1), Decision::Run);
        assert!(matches!(decide(&jobs, &s, 2), Decision::Skip(_)));
    }

    #[test]
    fn needs_start_early_and_manual_jobs_may_block() {
        let mut late = job("late", 2, When::OnSuccess);
        late.needs = Some(vec![Need { job: "a".into(), artifacts: true, optional: false }]);
        let mut gate = job("gate", 1, When::Manual);
        let jobs = vec![job("a", 0, When::OnSuccess), gate.clone(), late, job("after", 2, When::OnSuccess)];
        let s = vec![st(JobStatus::Success), st(JobStatus::Manual), st(JobStatus::Created), st(JobStatus::Created)];
        assert_eq!(decide(&jobs, &s, 2), Decision::Run);
        assert_eq!(decide(&jobs, &s, 3), Decision::Wait, "a manual job that may not fail blocks later stages");
        gate.allow_failure = AllowFailure::Yes;
        let jobs = vec![jobs[0].clone(), gate, jobs[2].clone(), jobs[3].clone()];
        assert_eq!(decide(&jobs, &s, 3), Decision::Run);
        assert_eq!(
            decide(&jobs, &[st(JobStatus::Success), st(JobStatus::Created), st(JobStatus::Created), st(JobStatus::Created)], 1),
            Decision::Manual
        );
    }
}
