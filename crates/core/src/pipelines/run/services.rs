//! Services as the runner names and starts them: host names derived from the image, and
//! Docker-in-Docker, which needs privileges this kind of host may not grant.

use super::model::Consent;
use crate::error::{Error, Result};
use crate::pipelines::model::Service;

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
