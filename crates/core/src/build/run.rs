//! Running a build: pick the builder, stream the context, fold the progress, tag the image.
//! Dropping the future cancels: the connection closes and, for BuildKit, Berth also asks the
//! engine to cancel the build by its id, so nothing keeps running in the engine.

use super::context::Context;
use super::model::{BuildEvent, BuildRequest, BuildResult, Builder};
use super::progress::{Failure, Fold};
use super::transport::{bollard_build, Direct, Messages};
use crate::error::{Error, ErrorPayload, Result};
use crate::images;
use crate::Engine;
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Upload progress is reported at most this often.
const UPLOAD_EVERY: Duration = Duration::from_millis(100);

/// Build `request`. Always ends with [`BuildEvent::Done`] or [`BuildEvent::Failed`] unless the
/// future is dropped (cancelled). Returns the result for the caller's history.
pub async fn build(engine: &Engine, request: &BuildRequest, mut emit: impl FnMut(BuildEvent)) -> Result<BuildResult> {
    let started = Instant::now();
    match run(engine, request, started, &mut emit).await {
        Ok(result) => {
            emit(BuildEvent::Done { result: result.clone() });
            Ok(result)
        }
        Err(failure) => {
            emit(BuildEvent::Failed {
                error: ErrorPayload::from(&failure.error),
                step_id: failure.step_id,
                line: failure.line,
                output: failure.output,
            });
            Err(failure.error)
        }
    }
}

fn plain(error: Error) -> Failure {
    Failure { error, step_id: None, line: None, output: Vec::new() }
}

async fn run(engine: &Engine, request: &BuildRequest, started: Instant, emit: &mut impl FnMut(BuildEvent)) -> Result<BuildResult, Failure> {
    let tags = request
        .tags
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| images::normalize(t.trim()).map(|r| r.familiar()))
        .collect::<Result<Vec<_>>>()
        .map_err(plain)?;
    // Reading the folder blocks (and may be slow): off the async workers.
    let (folder, inline, dockerfile) = (request.folder.clone(), request.dockerfile_inline.clone(), request.dockerfile.clone());
    let (ctx, dockerfile_text, summary, ignores_dockerfile) =
        crate::blocking::run("Reading the build context", crate::blocking::FOLDER_TIMEOUT, move || {
            let ctx = match &inline {
                Some(text) => Context::inline(&folder, text),
                None => Context::new(&folder, &dockerfile),
            }?;
            let text = ctx.dockerfile_text()?;
            let summary = ctx.summarize()?;
            let ignores = ctx.ignores_dockerfile();
            Ok((ctx, text, summary, ignores))
        })
        .await
        .map_err(plain)?;
    let (builder, note) = match request.builder {
        Some(Builder::Classic) => (Builder::Classic, Some("The classic builder was chosen for this build.".into())),
        _ => choose(engine).await,
    };
    let note = note.or_else(|| {
        (builder == Builder::BuildKit && ignores_dockerfile).then(|| {
            format!("{} leaves out the Dockerfile; BuildKit still finds “{}” in the context Berth uploads, so a COPY of the whole folder includes it.", summary.ignore_file.as_deref().unwrap_or(".dockerignore"), ctx.dockerfile)
        })
    });
    emit(BuildEvent::Started { builder, note, context: summary.clone() });
    if builder == Builder::BuildKit {
        super::bases::fetch(engine, &super::dockerfile::Dockerfile::parse(&dockerfile_text), request, started, emit).await?;
    }

    let mut packing = ctx.pack(builder == Builder::Classic).map_err(plain)?;
    let sent = packing.sent();
    let build_id = format!("berth-{}", started.elapsed().as_nanos() ^ std::process::id() as u128 ^ now_nanos());
    let mut options = bollard::query_parameters::BuildImageOptions {
        dockerfile: ctx.dockerfile.clone(),
        t: tags.first().cloned(),
        nocache: request.no_cache,
        // BuildKit would resolve a pull through the session it lacks; its bases were pulled above.
        pull: (request.pull && builder == Builder::Classic).then(|| "1".to_string()),
        rm: true,
        forcerm: true,
        buildargs: Some(request.args.clone().into_iter().collect()),
        target: request.target.clone().unwrap_or_default(),
        ..Default::default()
    };
    // The logins for the base images' registries, so private ones pull (X-Registry-Config, as the CLI
    // sends); no other stored login goes to the engine.
    let registries = super::bases::registries(&super::dockerfile::Dockerfile::parse(&dockerfile_text), &request.args);
    let logins = crate::registry::registry_config(&crate::registry::Places::from_process(), &registries).await;
    let direct = Direct::of(engine);
    let body = Box::pin(packing.body());
    let messages: Messages = match &direct {
        Some(direct) => {
            let query = query(&options, builder, &build_id);
            match direct.build(engine, &query, &logins, body).await {
                Ok(messages) => messages,
                Err(e) => return Err(packing.failure().map(plain).unwrap_or_else(|| refused(e, &dockerfile_text))),
            }
        }
        None => {
            options.version = bollard::query_parameters::BuilderVersion::BuilderV1;
            bollard_build(engine, options, logins, body)
        }
    };
    let mut cancel =
        CancelOnDrop { engine: engine.clone(), direct: direct.filter(|_| builder == Builder::BuildKit), build_id, armed: true };

    let mut fold = Fold::new(&dockerfile_text);
    let mut events = Vec::new();
    let mut messages = messages;
    let mut last_upload = Instant::now();
    let mut reported = 0;
    let total = summary.bytes;
    let mut announced = false;
    let outcome: Result<(), Error> = loop {
        let next = tokio::time::timeout(UPLOAD_EVERY, messages.next()).await;
        let now_sent = sent.load(Ordering::Relaxed);
        if now_sent != reported && last_upload.elapsed() >= UPLOAD_EVERY {
            emit(BuildEvent::Uploading { sent_bytes: now_sent, total_bytes: total.max(now_sent) });
            last_upload = Instant::now();
            reported = now_sent;
        }
        match next {
            Err(_) => continue,
            Ok(None) => break Ok(()),
            Ok(Some(Err(e))) => break Err(e),
            Ok(Some(Ok(msg))) => {
                fold.apply(msg, &mut events);
                if !announced {
                    if let Some(seen) = fold.builder.filter(|b| *b != builder) {
                        let note = Some("The engine did not take the BuildKit request and built with its classic builder, so BuildKit-only syntax is not available.".into());
                        emit(BuildEvent::Builder { builder: seen, note });
                    }
                    announced = fold.builder.is_some();
                }
                for event in events.drain(..) {
                    emit(event);
                }
                if fold.failure.is_some() {
                    break Ok(());
                }
            }
        }
    };
    // The engine went away mid-build: the running step failed, not finished.
    let outcome = match outcome {
        Err(e @ Error::EngineUnreachable { .. }) => Err(fold.interrupt(e, &mut events)),
        other => other.map_err(|e| refused(e, &dockerfile_text)),
    };
    fold.finish(&mut events);
    events.drain(..).for_each(&mut *emit);
    drop(messages);
    cancel.armed = false;
    // A context that failed to pack (a file changed) explains the failure better than the
    // engine's "unexpected EOF".
    if let Err(e) = packing.finish().await {
        return Err(plain(e));
    }
    outcome?;
    if let Some(failure) = fold.failure.take() {
        return Err(failure);
    }
    let image_id =
        fold.image_id.clone().ok_or_else(|| plain(Error::Internal("the engine finished the build without naming an image".into())))?;
    for extra in tags.iter().skip(1) {
        images::tag(engine, &image_id, extra).await.map_err(plain)?;
    }
    let exposed_ports =
        engine.docker().inspect_image(&image_id).await.ok().and_then(|i| i.config).and_then(|c| c.exposed_ports).unwrap_or_default();
    Ok(BuildResult {
        image_id,
        tags,
        exposed_ports,
        builder: fold.builder.unwrap_or(builder),
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// The engine refused the build request itself (the classic builder does so for a Dockerfile
/// it cannot parse): explain it like a failure in the stream, with its line.
fn refused(error: Error, dockerfile_text: &str) -> Failure {
    match error {
        Error::Engine { message, .. } => {
            let mut fold = Fold::new(dockerfile_text);
            fold.apply(super::progress::Message { error: Some(message), ..Default::default() }, &mut Vec::new());
            fold.failure.take().unwrap_or_else(|| plain(Error::Internal("the build failed".into())))
        }
        other => plain(other),
    }
}

fn now_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default()
}

/// BuildKit when the engine has it and Berth talks to it directly; otherwise classic, and why.
async fn choose(engine: &Engine) -> (Builder, Option<String>) {
    if std::env::var("DOCKER_BUILDKIT").is_ok_and(|v| v == "0" || v.eq_ignore_ascii_case("false")) {
        return (Builder::Classic, Some("DOCKER_BUILDKIT=0 is set, so the classic builder ran.".into()));
    }
    if Direct::of(engine).is_none() {
        return (Builder::Classic, Some("Over this connection (TLS, ssh or a named pipe) Berth builds with the classic builder; BuildKit-only syntax is not available.".into()));
    }
    let version = engine.docker().version().await.ok();
    let linux = version.as_ref().and_then(|v| v.os.as_deref()).is_none_or(|os| os == "linux");
    let api_ok = version
        .as_ref()
        .and_then(|v| v.api_version.as_deref())
        .and_then(|v| v.split_once('.'))
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)))
        .is_some_and(|v| v >= (1, 39));
    if linux && api_ok {
        (Builder::BuildKit, None)
    } else {
        (
            Builder::Classic,
            Some(
                "This engine has no BuildKit, so the classic builder ran; BuildKit-only syntax (RUN --mount, heredocs) is not available."
                    .into(),
            ),
        )
    }
}

fn query(o: &bollard::query_parameters::BuildImageOptions, builder: Builder, build_id: &str) -> Vec<(String, String)> {
    let mut q = vec![("dockerfile".to_string(), o.dockerfile.clone())];
    if let Some(t) = &o.t {
        q.push(("t".into(), t.clone()));
    }
    if o.nocache {
        q.push(("nocache".into(), "1".into()));
    }
    if o.pull.is_some() {
        q.push(("pull".into(), "1".into()));
    }
    q.push(("rm".into(), "1".into()));
    q.push(("forcerm".into(), "1".into()));
    if let Some(args) = o.buildargs.as_ref().filter(|a| !a.is_empty()) {
        q.push(("buildargs".into(), serde_json::to_string(args).unwrap_or_default()));
    }
    if !o.target.is_empty() {
        q.push(("target".into(), o.target.clone()));
    }
    q.push(("version".into(), if builder == Builder::BuildKit { "2" } else { "1" }.into()));
    q.push(("buildid".into(), build_id.into()));
    q
}

/// Asks the engine to cancel a BuildKit build when the build is dropped before it ended.
struct CancelOnDrop {
    engine: Engine,
    direct: Option<Direct>,
    build_id: String,
    armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let (true, Some(direct)) = (self.armed, self.direct.take()) else { return };
        let (engine, id) = (self.engine.clone(), std::mem::take(&mut self.build_id));
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                if let Err(e) = direct.cancel(&engine, &id).await {
                    tracing::debug!("cancelling build {id}: {e}");
                }
            });
        }
    }
}
