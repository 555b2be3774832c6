//! The GitLab CI pipeline loader on one `.gitlab-ci.yml` text: YAML with anchors and
//! `!reference`, includes, extends, rules expressions and regexes, parallel, needs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = berth_core::fuzzing::pipeline(text) {
        for job in &p.jobs {
            assert!(p.stages.get(job.stage_index) == Some(&job.stage), "{} in stage {}", job.name, job.stage);
            for need in job.needs.iter().flatten() {
                assert!(p.jobs.iter().any(|j| j.name == need.job), "{} needs missing {}", job.name, need.job);
            }
        }
    }
});
