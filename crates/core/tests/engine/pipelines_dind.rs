//! Docker-in-Docker as GitLab pipelines use it, with the offline `berth-test/dind` stand-in for
//! `docker:dind`: refused without consent, then TLS off (2375) and on (2376, `/certs/client`
//! shared), the inner engine building an image. On hosts that refuse `--privileged` the run
//! uses the working equivalent and says so.

use super::pipelines::*;
use super::support::*;
use berth_core::pipelines::model::{Image, Job, Service};
use berth_core::pipelines::run::{self, JobStatus};

const DIND: &str = "berth-test/dind";

fn dind_job(tls: bool) -> Job {
    let mut j = job("build-image", "build", &[
        "for i in $(seq 90); do docker info >/dev/null 2>&1 && break; sleep 1; done",
        "docker version --format 'inner engine {{.Server.Version}}'",
        "mkdir -p ctx && printf 'FROM scratch\\nCOPY hello.txt /\\n' > ctx/Dockerfile && echo hi > ctx/hello.txt",
        "DOCKER_BUILDKIT=0 docker build -q -t inner/app:1 ctx",
        "docker image ls --format 'built {{.Repository}}:{{.Tag}}' inner/app",
    ]);
    j.image = Some(Image { name: DIND.into(), entrypoint: Some(vec![]), pull_policy: vec![] });
    j.services = vec![Service { image: image(DIND), aliases: vec!["docker".into()], command: None, variables: vec![] }];
    if tls {
        j.variables.extend([
            var("DOCKER_TLS_CERTDIR", "/certs"),
            var("DOCKER_HOST", "tcp://docker:2376"),
            var("DOCKER_TLS_VERIFY", "1"),
            var("DOCKER_CERT_PATH", "$DOCKER_TLS_CERTDIR/client"),
        ]);
    } else {
        j.variables.extend([var("DOCKER_TLS_CERTDIR", ""), var("DOCKER_HOST", "tcp://docker:2375")]);
    }
    j
}

fn ready(test: &str) -> bool {
    if !enabled(test) {
        return false;
    }
    ci_image("debian");
    ci_image("dind");
    true
}

#[tokio::test]
async fn dind_is_refused_without_consent() {
    if !ready("dind_is_refused_without_consent") {
        return;
    }
    let engine = engine().await;
    let p = Project::new(&[("README", "x")]);
    let dir = tempfile::tempdir().unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let err = run::start(&engine, p.pipeline(&["build"], vec![dind_job(false)]), options(dir.path()), tx).await.err().expect("refused");
    assert!(err.to_string().contains("privileged Docker-in-Docker service"), "{err}");
}

async fn dind_builds(tls: bool) {
    let p = Project::new(&[("README", "x")]);
    let ran = run_pipeline(p.pipeline(&["build"], vec![dind_job(tls)]), |o| o.consent.privileged_services = true).await;
    let log = ran.log("build-image");
    assert_eq!(ran.status("build-image"), JobStatus::Success, "{log}");
    assert!(log.contains("inner engine ") && log.contains("built inner/app:1"), "{log}");
    // Privileged mode is refused on hosts like these CI machines; the log says what was used.
    let privileged_works = !std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("CapBnd:") && !l.ends_with("ffffffffff"));
    if !privileged_works {
        assert!(log.contains("cannot start privileged containers"), "{log}");
    }
    // The inner image lives in the service, never on the host engine.
    assert!(docker(&["image", "ls", "-q", "inner/app"]).is_empty());
}

#[tokio::test]
async fn dind_without_tls_builds_an_image() {
    if !ready("dind_without_tls_builds_an_image") {
        return;
    }
    dind_builds(false).await;
}

#[tokio::test]
async fn dind_with_tls_builds_an_image() {
    if !ready("dind_with_tls_builds_an_image") {
        return;
    }
    dind_builds(true).await;
}
