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
    let mut j = job(
        "build-image",
        "build",
        &[
            "for i in $(seq 90); do docker info >/dev/null 2>&1 && break; sleep 1; done",
            "docker version --format 'inner engine {{.Server.Version}}'",
            "mkdir -p ctx && printf 'FROM scratch\\nCOPY hello.txt /\\n' > ctx/Dockerfile && echo hi > ctx/hello.txt",
            "DOCKER_BUILDKIT=0 docker build -q -t inner/app:1 ctx",
            "docker image ls --format 'built {{.Repository}}:{{.Tag}}' inner/app",
        ],
    );
    j.image = Some(Image { name: DIND.into(), entrypoint: Some(vec![]), pull_policy: vec![], user: None });
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

/// The seeds' flow through the host engine's socket (the runner's socket binding): build the
/// project's image, run it, log in to the test registry with masked CI_REGISTRY_* variables and
/// push; afterwards the image is pulled back from the registry.
#[tokio::test]
async fn seed_flow_builds_tests_and_pushes_through_the_host_socket() {
    if !ready("seed_flow_builds_tests_and_pushes_through_the_host_socket") {
        return;
    }
    // Any test registry on 5000 will do: scripts/registry.sh gives every clone the same login.
    if std::net::TcpStream::connect("127.0.0.1:5000").is_err() {
        registry();
    }
    let (user, password) = ("berth", "berth-test-secret");
    let p = Project::new(&[("Dockerfile", &format!("FROM {IMAGE}\nCMD [\"echo\", \"hello from the seed\"]\n"))]);
    let tag = format!("127.0.0.1:5000/berth-pipeline/seed-{}:1", std::process::id());
    let client = |name: &str, stage: &str, script: &[&str]| {
        let mut j = job(name, stage, script);
        j.image = Some(Image { name: DIND.into(), entrypoint: Some(vec![]), pull_policy: vec![], user: None });
        j.variables.extend([var("CI_REGISTRY", "127.0.0.1:5000"), var("CI_REGISTRY_USER", user), var("IMAGE_TAG", &tag)]);
        j.variables.push(berth_core::pipelines::model::Variable {
            name: "CI_REGISTRY_PASSWORD".into(),
            value: password.into(),
            expand: false,
            masked: true,
            origin: berth_core::pipelines::model::VariableOrigin::Run,
        });
        j
    };
    let jobs = vec![
        client("build", "build", &["DOCKER_BUILDKIT=0 docker build -q -t \"$IMAGE_TAG\" ."]),
        client("test", "test", &["docker run --rm \"$IMAGE_TAG\""]),
        client(
            "push",
            "deploy",
            &[
                "echo \"password is $CI_REGISTRY_PASSWORD\"",
                "echo \"$CI_REGISTRY_PASSWORD\" | docker login -u \"$CI_REGISTRY_USER\" --password-stdin \"$CI_REGISTRY\"",
                "docker push \"$IMAGE_TAG\"",
            ],
        ),
    ];
    let _cleanup = ImageCleanup(vec![tag.clone()]);
    let ran = run_pipeline(p.pipeline(&["build", "test", "deploy"], jobs), |o| o.consent.host_engine_socket = true).await;
    for j in ["build", "test", "push"] {
        assert_eq!(ran.status(j), JobStatus::Success, "{j}: {}", ran.log(j));
    }
    assert!(ran.log("test").contains("hello from the seed"), "{}", ran.log("test"));
    assert!(ran.log("push").contains("password is [MASKED]") && !ran.log("push").contains(password), "{}", ran.log("push"));
    docker(&["rmi", &tag]);
    let config = tempfile::tempdir().unwrap();
    let auth = format!("{{\"auths\":{{\"127.0.0.1:5000\":{{\"auth\":\"{}\"}}}}}}", base64_login(user, password));
    std::fs::write(config.path().join("config.json"), auth).unwrap();
    let out = std::process::Command::new("docker").env("DOCKER_CONFIG", config.path()).args(["pull", "-q", &tag]).output().unwrap();
    assert!(out.status.success(), "the pushed image pulls back: {}", String::from_utf8_lossy(&out.stderr));
}

fn base64_login(user: &str, password: &str) -> String {
    let out = std::process::Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(format!("{user}:{password}").as_bytes())?;
            c.wait_with_output()
        });
    String::from_utf8(out.unwrap().stdout).unwrap()
}
