//! Pull and push with progress. Each runs until done, failed or dropped (dropping the future
//! closes the engine stream, which makes the engine abandon the transfer; a pull only tags the
//! image once it is complete, so a cancelled pull leaves nothing half-tagged).

use super::explain::explain;
use super::model::TransferEvent;
use super::progress::{Fold, Kind, Step};
use crate::error::{Error, ErrorPayload};
use crate::reference::Reference;
use crate::registry::{credentials_for_registry, Credentials, Host};
use crate::Engine;
use bollard::models::ProgressDetail;
use bollard::query_parameters::{CreateImageOptions, PushImageOptions};
use futures_util::{Stream, StreamExt};
use tokio::time::Instant;

/// Progress is sent at most this often per transfer (25 updates a second), however many
/// layers report.
pub const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(40);

/// Pull `reference` (already normalised, see [`super::normalize`]). Always ends with
/// [`TransferEvent::Done`] or [`TransferEvent::Failed`].
pub async fn pull(engine: &Engine, reference: &Reference, emit: impl FnMut(TransferEvent)) {
    pull_as(engine, reference, credentials_for_registry(reference.registry()).await, emit).await
}

/// [`pull`] with the given login (or none) instead of the stored one for its registry.
pub async fn pull_as(engine: &Engine, reference: &Reference, credentials: Option<Credentials>, emit: impl FnMut(TransferEvent)) {
    let options = CreateImageOptions {
        from_image: Some(reference.name()),
        tag: reference.digest.clone().or_else(|| reference.tag.clone()),
        ..Default::default()
    };
    let auth = credentials.as_ref().map(|c| c.docker(&server_address(reference)));
    let stream = engine
        .docker()
        .create_image(Some(options), None, auth)
        .map(|item| item.map(|i| Step { id: i.id, status: i.status.unwrap_or_default(), ..detail(i.progress_detail) }));
    run(engine, reference, Fold::new(Kind::Pull), credentials.is_some(), stream, emit).await
}

/// [`pull`] for a caller that shows no layer progress: whether it worked, and why not.
pub async fn pull_quietly(engine: &Engine, reference: &Reference) -> std::result::Result<(), ErrorPayload> {
    let mut failure = None;
    pull(engine, reference, |e| {
        if let TransferEvent::Failed { error } = e {
            failure = Some(error);
        }
    })
    .await;
    failure.map_or(Ok(()), Err)
}

/// Push a local image named `reference` (tag it first, see [`super::tag`]).
pub async fn push(engine: &Engine, reference: &Reference, mut emit: impl FnMut(TransferEvent)) {
    let credentials = credentials_for_registry(reference.registry()).await;
    let options = PushImageOptions { tag: reference.tag.clone(), platform: None };
    let auth = credentials.as_ref().map(|c| c.docker(&server_address(reference)));
    // The layer count lets progress number the layers, which the push stream does not name.
    let layers = match engine.docker().inspect_image(&reference.to_string()).await {
        Ok(image) => image.root_fs.and_then(|fs| fs.layers).map_or(0, |l| l.len()),
        Err(e) => {
            let error = failure(engine, reference, credentials.is_some(), e);
            return emit(TransferEvent::Failed { error: ErrorPayload::from(error) });
        }
    };
    let stream = engine
        .docker()
        .push_image(&reference.name(), Some(options), auth)
        .map(|item| item.map(|i| Step { id: None, status: i.status.unwrap_or_default(), ..detail(i.progress_detail) }));
    run(engine, reference, Fold::push(layers), credentials.is_some(), stream, emit).await
}

fn server_address(reference: &Reference) -> String {
    Host::parse(reference.registry()).map_or_else(|_| reference.registry().into(), |h| h.server_address().into())
}

fn detail(d: Option<ProgressDetail>) -> Step {
    let d = d.unwrap_or_default();
    Step { current: d.current.map(|c| c.max(0) as u64), total: d.total.map(|t| t.max(0) as u64), ..Default::default() }
}

async fn run(
    engine: &Engine,
    reference: &Reference,
    mut fold: Fold,
    had_credentials: bool,
    stream: impl Stream<Item = Result<Step, bollard::errors::Error>>,
    mut emit: impl FnMut(TransferEvent),
) {
    let mut stream = std::pin::pin!(stream);
    let mut last_sent: Option<Instant> = None;
    let mut flush_at: Option<Instant> = None;
    let result = loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(step)) => {
                    if !fold.apply(step) { continue; }
                    let now = Instant::now();
                    match last_sent {
                        Some(at) if now < at + PROGRESS_EVERY => { flush_at.get_or_insert(at + PROGRESS_EVERY); }
                        _ => {
                            emit(TransferEvent::Progress(fold.snapshot(now.into_std())));
                            last_sent = Some(now);
                            // This update carries what a pending flush would have sent.
                            flush_at = None;
                        }
                    }
                }
                Some(Err(e)) => break Err(failure(engine, reference, had_credentials, e)),
                None => break Ok(()),
            },
            _ = crate::stream::flush_timer(flush_at) => {
                let now = Instant::now();
                emit(TransferEvent::Progress(fold.snapshot(now.into_std())));
                last_sent = Some(now);
                flush_at = None;
            }
        }
    };
    let mut last = fold.snapshot(Instant::now().into_std());
    if result.is_ok() {
        // Nothing left to move (also when every layer was already here and none reported).
        last.fraction = 1.0;
        last.remaining_bytes = 0;
    }
    emit(TransferEvent::Progress(last));
    emit(match result {
        Ok(()) => TransferEvent::Done { reference: reference.familiar() },
        Err(e) => TransferEvent::Failed { error: ErrorPayload::from(e) },
    });
}

fn failure(engine: &Engine, reference: &Reference, had_credentials: bool, e: bollard::errors::Error) -> Error {
    use bollard::errors::Error as B;
    let registry = reference.registry();
    let familiar = reference.familiar();
    match e {
        B::DockerStreamError { error } => explain(&error, registry, &familiar, had_credentials),
        B::DockerResponseServerError { status_code, message } if status_code != 409 => {
            explain(&message, registry, &familiar, had_credentials)
        }
        other => engine.err(&format!("Image {familiar}"))(other),
    }
}
