//! Base images for BuildKit builds. Over the bare Engine API there is no BuildKit session, and
//! the engine's BuildKit asks the session for registry credentials whenever a registry
//! challenges it (Docker Hub always does), failing with "no active sessions". So Berth pulls the
//! missing base images itself (all of them when the user asked to pull), with the stored logins
//! as for any pull, and BuildKit then finds them on the engine. The classic builder needs none of
//! this: it takes the logins in X-Registry-Config.

use super::dockerfile::Dockerfile;
use super::model::{BuildEvent, BuildRequest, BuildStep, StepState};
use super::progress::Failure;
use crate::error::Error;
use crate::images;
use crate::registry::Host;
use crate::Engine;
use std::collections::BTreeMap;
use std::time::Instant;

/// The registries the Dockerfile's base images come from (`args` expanding its meta-`ARG`s), so a
/// build is sent only their logins, not every stored one. A `FROM` still holding an unknown
/// variable names no registry.
pub(super) fn registries(dockerfile: &Dockerfile, args: &BTreeMap<String, String>) -> Vec<Host> {
    let mut out: Vec<Host> = Vec::new();
    for (image, _) in dockerfile.base_images(args) {
        let Ok(reference) = images::normalize(&image) else { continue };
        let Ok(host) = Host::parse(reference.registry()) else { continue };
        if !out.contains(&host) {
            out.push(host);
        }
    }
    out
}

/// Pull what the Dockerfile starts from and the engine lacks, each shown as a step.
pub(super) async fn fetch(
    engine: &Engine,
    dockerfile: &Dockerfile,
    request: &BuildRequest,
    started: Instant,
    emit: &mut impl FnMut(BuildEvent),
) -> Result<(), Failure> {
    for (image, line) in dockerfile.base_images(&request.args) {
        // A malformed name is left to BuildKit, which reports it at its line.
        let Ok(reference) = images::normalize(&image) else { continue };
        if !request.pull && engine.docker().inspect_image(&reference.to_string()).await.is_ok() {
            continue;
        }
        let at = started.elapsed().as_millis() as u64;
        let step = |state, duration_ms| BuildStep {
            id: format!("pull {image}"),
            name: format!("pull {image}"),
            line: Some(line),
            state,
            internal: false,
            started_ms: Some(at),
            duration_ms,
        };
        emit(BuildEvent::Step { step: step(StepState::Running, None) });
        let failed = images::pull_quietly(engine, &reference).await.err();
        let took = Some(started.elapsed().as_millis() as u64 - at);
        if let Some(error) = failed {
            emit(BuildEvent::Step { step: step(StepState::Failed, took) });
            let message = format!("The base image “{image}” (line {line}) could not be pulled. {}", error.message);
            let error = Error::Registry { message, detail: error.detail };
            return Err(Failure { error, step_id: Some(format!("pull {image}")), line: Some(line), output: Vec::new() });
        }
        emit(BuildEvent::Step { step: step(StepState::Done, took) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_base_images_registries_get_logins() {
        let dockerfile = Dockerfile::parse(
            "ARG REG=127.0.0.1:5000\nARG TAG\nFROM ${REG}/team/base:1 AS deps\nFROM ghcr.io/o/tool:${TAG} AS tool\n\
             FROM deps\nFROM busybox\nFROM ${UNKNOWN}/x/y\nFROM scratch\nFROM 127.0.0.1:5000/team/other\n",
        );
        let names = |args: &[(&str, &str)]| {
            let args = args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            registries(&dockerfile, &args).iter().map(|h| h.name().to_string()).collect::<Vec<_>>()
        };
        assert_eq!(names(&[("TAG", "2")]), ["127.0.0.1:5000", "ghcr.io", "docker.io"]);
        assert_eq!(names(&[("TAG", "2"), ("REG", "quay.io")]), ["quay.io", "ghcr.io", "docker.io", "127.0.0.1:5000"]);
        assert_eq!(names(&[]), ["127.0.0.1:5000", "docker.io"], "a FROM with an unknown variable names no registry");
        assert!(registries(&Dockerfile::parse("FROM scratch\n"), &BTreeMap::new()).is_empty());
    }
}
