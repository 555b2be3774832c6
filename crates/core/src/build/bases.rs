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
use crate::images::{self, TransferEvent};
use crate::Engine;
use std::time::Instant;

/// Pull what the Dockerfile starts from and the engine lacks, each shown as a step.
pub(super) async fn fetch(engine: &Engine, dockerfile: &Dockerfile, request: &BuildRequest, started: Instant, emit: &mut impl FnMut(BuildEvent)) -> Result<(), Failure> {
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
        let mut failed = None;
        images::pull(engine, &reference, |e| {
            if let TransferEvent::Failed { error } = e {
                failed = Some(error);
            }
        })
        .await;
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
