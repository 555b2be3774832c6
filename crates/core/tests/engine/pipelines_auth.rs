//! Job and service images from a private registry, logged in with the job's
//! `DOCKER_AUTH_CONFIG` variable as GitLab Runner does: the variable's login wins over the
//! stored one. The test registry's stored logins (target/registry/docker-config) hold the right
//! password for `127.0.0.1:5000` and a wrong one for `localhost:5000`, the same registry: an
//! image pulled as `localhost:5000/…` comes only with the variable's login.

use super::pipelines::*;
use super::support::*;
use base64::Engine as _;
use berth_core::pipelines::model::{Service, Variable, VariableOrigin};
use berth_core::pipelines::run::JobStatus;

fn auth_config(host: &str, user: &str, password: &str) -> Variable {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    Variable {
        name: "DOCKER_AUTH_CONFIG".into(),
        value: format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#),
        expand: false,
        masked: true,
        origin: VariableOrigin::Job,
    }
}

#[tokio::test]
async fn docker_auth_config_logs_in_to_pull_job_and_service_images() {
    if !enabled("docker_auth_config_logs_in_to_pull_job_and_service_images") {
        return;
    }
    ci_image("debian");
    // Any test registry on 5000 will do: scripts/registry.sh gives every clone the same login.
    if std::net::TcpStream::connect("127.0.0.1:5000").is_err() {
        registry();
    }
    let repo = format!("berth-pipeline/auth-{}", std::process::id());
    let pushed = [format!("127.0.0.1:5000/{repo}:1"), format!("127.0.0.1:5000/{repo}:2")];
    let private = format!("localhost:5000/{repo}:1");
    let docker_config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/registry/docker-config");
    let cli = |args: &[&str]| {
        let out = std::process::Command::new("docker").env("DOCKER_CONFIG", docker_config).args(args).output().expect("docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    for tag in &pushed {
        cli(&["tag", IMAGE, tag]);
        cli(&["push", "-q", tag]);
    }
    let untag = || {
        for tag in pushed.iter().chain([&private]) {
            let _ = std::process::Command::new("docker").args(["image", "rm", tag]).output();
        }
    };
    untag();

    let p = Project::new(&[("README", "x")]);
    let secret = "berth-test-secret";
    let mut as_job = job("job-image", "test", &["echo job image pulled"]);
    as_job.image = Some(image(&private));
    as_job.variables.push(auth_config("localhost:5000", "berth", secret));
    let mut as_service = job("service-image", "test", &["echo service pulled"]);
    as_service.needs = Some(vec![]);
    as_service.services = vec![Service {
        image: image(&private),
        aliases: vec!["private".into()],
        command: Some(vec!["sleep".into(), "30".into()]),
        variables: vec![],
    }];
    as_service.variables.push(auth_config("localhost:5000", "berth", secret));
    // Without the variable the stored (wrong) login for localhost:5000 is used, and fails.
    let mut without = job("without-variable", "test", &["echo must not run"]);
    without.image = Some(image(&format!("localhost:5000/{repo}:2")));
    let ran = run_pipeline(p.pipeline(&["test"], vec![as_job, as_service, without]), |o| o.concurrency = 1).await;
    untag();

    for name in ["job-image", "service-image"] {
        assert_eq!(ran.status(name), JobStatus::Success, "{name}: {}", ran.log(name));
    }
    assert!(ran.log("job-image").contains("job image pulled"));
    let refused = ran.summary.job("without-variable").unwrap();
    assert_eq!(refused.status, JobStatus::Failed);
    assert!(refused.reason.as_deref().unwrap_or_default().contains("could not be pulled"), "{refused:?}");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("berth:{secret}"));
    let streamed = ran.streamed();
    assert!(!streamed.contains(secret) && !streamed.contains(&auth), "the login reached a log: {streamed}");
}
