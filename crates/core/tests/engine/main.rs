//! berth-core against a real engine. One test binary, a module per topic.
//! Runs when BERTH_TEST_ENGINE=1 (`make test` sets it); otherwise each test says it skipped.

mod support;

mod build;
mod compose;
mod compose_conformance;
mod compose_files;
mod compose_refs;
mod compose_undo;
mod conformance;
mod containers;
mod discovery;
mod exec_logs;
mod faults;
mod gitlab_ci_conformance;
mod gitlab_ci_run_conformance;
mod images;
mod networks;
mod pipelines;
mod pipelines_auth;
mod pipelines_dind;
mod pump;
mod registry;
mod relay;
mod relists;
mod run;
mod volumes;
