//! Services as the runner names and starts them: host names derived from the image, and
//! Docker-in-Docker, which needs privileges this kind of host may not grant.

use super::container::api_entrypoint;
use super::engine_ops as ops;
use super::job::{human, Made, RunContext, DOCKER_AUTH_CONFIG};
use super::model::Consent;
use crate::error::{Error, Result};
use crate::pipelines::model::{Job, Service};
use bollard::models::{ContainerCreateBody, HostConfig};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The runner's host names for a service image: the name without tag or digest, with `/`
/// turned into `__` and, as a second name, into `-` (`group/tomcat:8` → `group__tomcat`,
/// `group-tomcat`).
pub fn derived_names(image: &str) -> Vec<String> {
    let name = image.split('@').next().unwrap_or(image);
    let name = match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => &name[..i],
        _ => name,
    };
    let mut names = vec![name.replace('/', "__")];
    let dashed = name.replace('/', "-");
    if dashed != names[0] {
        names.push(dashed);
    }
    names
}

/// Every network alias a service gets: derived names, then its `alias:` list, each once.
pub fn aliases(service: &Service) -> Vec<String> {
    let mut all = derived_names(&service.image.name);
    for a in &service.aliases {
        if !all.contains(a) {
            all.push(a.clone());
        }
    }
    all
}

/// A Docker-in-Docker service: the image's name says so (`docker:dind`, `docker:27-dind`,
/// `docker:27-dind-rootless`, a local `…/dind` stand-in).
pub fn is_dind(service: &Service) -> bool {
    let name = service.image.name.split('@').next().unwrap_or_default();
    let last = name.rsplit('/').next().unwrap_or(name);
    last.contains("dind")
}

/// Refuse a run that would start a privileged service without the user's consent.
pub fn check_consent(services: &[&Service], consent: Consent) -> Result<()> {
    if let Some(s) = services.iter().find(|s| is_dind(s)) {
        if !consent.privileged_services {
            return Err(Error::invalid(
                "consent",
                format!(
                    "This pipeline starts a privileged Docker-in-Docker service ({}). Allow it for this project to run the pipeline.",
                    s.image.name
                ),
            ));
        }
    }
    Ok(())
}

/// How privileged containers are made on this engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// `--privileged` works.
    Full,
    /// The host's capability bounding set lacks one (as in some CI sandboxes): every other
    /// capability, with seccomp, AppArmor and the masked /proc and /sys paths lifted.
    AllButMissingCaps,
}

impl Privilege {
    pub fn apply(self, host: &mut bollard::models::HostConfig) {
        match self {
            Privilege::Full => host.privileged = Some(true),
            Privilege::AllButMissingCaps => {
                host.cap_add = Some(vec!["ALL".into()]);
                host.cap_drop = Some(vec!["SYS_RESOURCE".into()]);
                host.security_opt = Some(vec!["seccomp=unconfined".into(), "apparmor=unconfined".into()]);
                // The CLI's `--security-opt systempaths=unconfined`: nothing masked or read-only.
                host.masked_paths = Some(vec![]);
                host.readonly_paths = Some(vec![]);
            }
        }
    }

    /// The sentence shown in the job log when the equivalent is used.
    pub const FALLBACK_NOTICE: &'static str = "This engine cannot start privileged containers (its host lacks a capability, \
        CAP_SYS_RESOURCE). Berth started the service with every other capability and without seccomp, AppArmor \
        and masked paths instead, which is enough for Docker-in-Docker.";
}

/// The engine's refusal of `--privileged` on such a host.
pub fn refuses_privileged(e: &Error) -> bool {
    let text = format!("{e} {}", e.detail());
    text.contains("unable to apply caps") || text.contains("apply caps: operation not permitted")
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn start_service(
    ctx: &Arc<RunContext>,
    job: &Job,
    service: &Service,
    cname: &str,
    network: Option<&str>,
    job_env: &[String],
    certs: Option<&String>,
    labels: &HashMap<String, String>,
    made: &mut Made,
) -> Result<()> {
    let engine = &ctx.engine;
    let aliases = aliases(service);
    ctx.say(&job.name, &format!("Starting service {} as {}", service.image.name, aliases.join(", ")));
    let auth_config = job_env.iter().find_map(|e| e.strip_prefix(DOCKER_AUTH_CONFIG)?.strip_prefix('='));
    if let (Some(warning), _) = ops::ensure_image(engine, &service.image.name, &service.image.pull_policy, auth_config).await? {
        ctx.say(&job.name, &warning);
    }
    let mut env = job_env.to_vec();
    env.extend(crate::pipelines::expand::environment(&service.variables).into_iter().map(|(k, v)| format!("{k}={v}")));
    let dind = is_dind(service);
    let mut host = HostConfig::default();
    if let Some(certs) = certs.filter(|_| dind) {
        host.binds = Some(vec![format!("{certs}:/certs/client")]);
    }
    let body = |host: HostConfig| ContainerCreateBody {
        image: Some(service.image.name.clone()),
        user: service.image.user.clone(),
        entrypoint: api_entrypoint(&service.image),
        cmd: service.command.clone(),
        env: Some(env.clone()),
        labels: Some(labels.clone()),
        host_config: Some(host),
        ..Default::default()
    };
    if !dind {
        let id = ops::create_container(engine, cname, body(host), network, aliases.clone()).await?;
        made.containers.push(id.clone());
        ops::start(engine, &id).await?;
        wait_for_ports(ctx, job, service, &id).await;
        return Ok(());
    }
    let known = *ctx.privilege.lock().expect("privilege lock");
    let mut privilege = known.unwrap_or(Privilege::Full);
    loop {
        let mut h = host.clone();
        privilege.apply(&mut h);
        let id = ops::create_container(engine, cname, body(h), network, aliases.clone()).await?;
        made.containers.push(id.clone());
        match ops::start(engine, &id).await {
            Ok(()) => {
                *ctx.privilege.lock().expect("privilege lock") = Some(privilege);
                if privilege == Privilege::AllButMissingCaps {
                    ctx.say(&job.name, Privilege::FALLBACK_NOTICE);
                }
                wait_for_ports(ctx, job, service, &id).await;
                return Ok(());
            }
            Err(e) if privilege == Privilege::Full && refuses_privileged(&e) => {
                ops::remove_container(engine, &id).await;
                made.containers.retain(|c| c != &id);
                privilege = Privilege::AllButMissingCaps;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Wait until the service accepts connections on one of its exposed TCP ports (from the host,
/// on the container's address: `docker:dind` exposes 2375 and 2376 but serves one); a service
/// that does not is reported and the job goes on, as after the runner's health check.
pub(super) async fn wait_for_ports(ctx: &Arc<RunContext>, job: &Job, service: &Service, id: &str) {
    let Ok(info) = ctx.engine.docker().inspect_container(id, None::<bollard::query_parameters::InspectContainerOptions>).await else {
        return;
    };
    let ports: Vec<u16> = info
        .config
        .as_ref()
        .and_then(|c| c.exposed_ports.as_ref())
        .map(|p| p.iter().filter_map(|k| k.strip_suffix("/tcp").and_then(|n| n.parse().ok())).collect())
        .unwrap_or_default();
    let ip =
        info.network_settings.and_then(|n| n.networks).and_then(|n| n.into_values().find_map(|e| e.ip_address.filter(|a| !a.is_empty())));
    let (Some(ip), false) = (ip, ports.is_empty()) else {
        return;
    };
    let deadline = tokio::time::Instant::now() + ctx.service_wait;
    loop {
        for &port in &ports {
            let attempt = tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect((ip.as_str(), port))).await;
            if matches!(attempt, Ok(Ok(_))) {
                return;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
            ctx.say(
                &job.name,
                &format!(
                    "WARNING: Service {} did not open port {} within {}; the job goes on without waiting.",
                    service.image.name,
                    list.join(" or "),
                    human(ctx.service_wait)
                ),
            );
            return;
        }
        // A refused connection answers at once: polling often costs nothing and starts the
        // job as soon as the service listens.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::model::Image;

    fn service(name: &str, aliases: &[&str]) -> Service {
        Service {
            image: Image { name: name.into(), entrypoint: None, pull_policy: vec![], user: None },
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            command: None,
            variables: vec![],
        }
    }

    #[test]
    fn names_as_the_runner_derives_them() {
        assert_eq!(derived_names("docker:dind"), vec!["docker"]);
        assert_eq!(derived_names("postgres"), vec!["postgres"]);
        assert_eq!(
            derived_names("registry.example.com:5000/group/tomcat:8@sha256:ab"),
            vec!["registry.example.com:5000__group__tomcat", "registry.example.com:5000-group-tomcat"]
        );
        assert_eq!(
            aliases(&service("berth-test/busybox:1", &["web", "berth-test__busybox"])),
            vec!["berth-test__busybox", "berth-test-busybox", "web"]
        );
    }

    #[test]
    fn dind_needs_consent() {
        let dind = service("docker:27-dind", &[]);
        let web = service("httpd", &[]);
        assert!(is_dind(&dind) && !is_dind(&web) && is_dind(&service("berth-test/dind", &[])));
        let err = check_consent(&[&web, &dind], Consent::default()).unwrap_err();
        assert!(err.to_string().contains("privileged Docker-in-Docker service (docker:27-dind)"), "{err}");
        check_consent(&[&dind], Consent { privileged_services: true, ..Default::default() }).unwrap();
    }
}
