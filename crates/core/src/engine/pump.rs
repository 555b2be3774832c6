//! The supervised connection: one task per app that connects to the engine the docker CLI would
//! use (or the one the user picked), keeps the connection, follows the engine's event stream and
//! reconnects by itself when that engine comes back. It never switches engines by itself.
//!
//! It reports through a plain callback ([`EngineEvent`]) and knows nothing of Tauri.

use super::deaths::{ContainerDeath, Deaths};
use super::discovery::{self, Environment};
use super::facts;
use super::{Endpoint, Engine, EngineCandidate, EngineInfo, EngineSource};
use crate::error::{Error, Result};
use bollard::models::EventMessageTypeEnum;
use bollard::query_parameters::EventsOptions;
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// Changes to containers are gathered for this long before they are reported together.
const COALESCE: Duration = Duration::from_millis(100);
/// Retry delay while the engine does not answer: twice a second, so the window is back well
/// within 2 s of the engine answering again, even on a loaded machine (a failed attempt on a
/// missing socket or a refused port costs next to nothing).
const RETRY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EngineStatus {
    Connecting {
        host: Option<String>,
    },
    Connected {
        engine: EngineInfo,
    },
    /// The engine does not answer (`tried` holds it with its error), or none can be chosen
    /// (`tried` is empty, `reason` says why). The pump keeps retrying.
    Disconnected {
        reason: String,
        tried: Vec<EngineCandidate>,
        lost: Option<EngineInfo>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// Boxed: the status is large and rare, the change notices small and frequent.
    Status(Box<EngineStatus>),
    /// Containers created, changed or removed, by id (coalesced).
    ContainersChanged(Vec<String>),
    /// Images pulled, tagged, untagged, loaded or removed, or a container made from one came or
    /// went (its count changed); coalesced like containers.
    ImagesChanged,
    /// Volumes created, removed, or mounted by a container that came, went, started or stopped.
    VolumesChanged,
    /// Networks created or removed, containers connected or disconnected, started or stopped.
    NetworksChanged,
    /// A container ended on its own with a failure (no stop or kill asked for it).
    ContainerDied(ContainerDeath),
}

type Sink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

struct Shared {
    env: Environment,
    engine: RwLock<Option<Engine>>,
    status: Mutex<EngineStatus>,
    /// The endpoint to reconnect to: the one the user picked, else the chosen one once it has
    /// answered. None = the one the docker CLI would use, decided again on each attempt.
    preferred: Mutex<Option<Endpoint>>,
    /// Wakes the pump to reconnect now (after a switch, or to end a backoff early).
    reconnect: Notify,
    sink: Sink,
    /// Where the engine's facts are kept for the next start (see `facts`); None: not kept.
    facts: Option<PathBuf>,
}

/// The running pump; dropping it stops the task.
pub struct Pump {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Pump {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Pump {
    /// Start on the current tokio runtime.
    pub fn start(env: Environment, sink: impl Fn(EngineEvent) + Send + Sync + 'static) -> Pump {
        Pump::remembering(env, None, sink)
    }

    /// [`Pump::start`], keeping the engine's facts in the file `facts` for the next start, which
    /// then shows them as soon as the engine answers.
    pub fn remembering(env: Environment, facts: Option<PathBuf>, sink: impl Fn(EngineEvent) + Send + Sync + 'static) -> Pump {
        let shared = Arc::new(Shared {
            env,
            engine: RwLock::new(None),
            status: Mutex::new(EngineStatus::Connecting { host: None }),
            preferred: Mutex::new(None),
            reconnect: Notify::new(),
            sink: Arc::new(sink),
            facts,
        });
        let task = tokio::spawn(run(shared.clone()));
        Pump { shared, task }
    }

    /// The connected engine, or a sentence saying there is none.
    pub fn engine(&self) -> Result<Engine> {
        self.shared.engine.read().unwrap().clone().ok_or_else(|| match self.status() {
            EngineStatus::Disconnected { reason, tried, .. } => {
                let host = tried.first().map_or_else(|| "the chosen endpoint".into(), |t| t.host.clone());
                Error::EngineUnreachable { host, reason }
            }
            _ => Error::EngineUnreachable { host: "the chosen endpoint".into(), reason: "Berth is still connecting".into() },
        })
    }

    pub fn status(&self) -> EngineStatus {
        self.shared.status.lock().unwrap().clone()
    }

    pub fn environment(&self) -> &Environment {
        &self.shared.env
    }

    /// Switch to the endpoint with this host, for the rest of the session. Fails (keeping the
    /// current engine) when it does not answer.
    pub async fn select(&self, host: &str) -> Result<EngineStatus> {
        let endpoint = discovery::discover(&self.shared.env)
            .into_iter()
            .find(|e| e.host == host)
            .ok_or_else(|| Error::invalid("host", format!("{host} is not one of the engines Berth found.")))?;
        let engine = Engine::connect(&endpoint).await?;
        let info = describe(&self.shared, &engine).await?;
        facts::remember(self.shared.facts.as_deref(), &info);
        *self.shared.preferred.lock().unwrap() = Some(endpoint);
        *self.shared.engine.write().unwrap() = Some(engine);
        publish(&self.shared, EngineStatus::Connected { engine: info });
        self.shared.reconnect.notify_one();
        Ok(self.status())
    }

    /// Wait until connected (tests and start-up); None on timeout.
    pub async fn connected(&self, timeout: Duration) -> Option<Engine> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(engine) = self.engine() {
                return Some(engine);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

fn publish(shared: &Shared, status: EngineStatus) {
    let mut current = shared.status.lock().unwrap();
    if *current != status {
        *current = status.clone();
        drop(current);
        (shared.sink)(EngineEvent::Status(Box::new(status)));
    }
}

/// Not connected (any more): says why, then waits a little before the next attempt.
async fn disconnected(shared: &Shared, reason: String, tried: Vec<EngineCandidate>) {
    *shared.engine.write().unwrap() = None;
    // What was lost is what the window showed last.
    let lost = match &*shared.status.lock().unwrap() {
        EngineStatus::Connected { engine } => Some(engine.clone()),
        EngineStatus::Disconnected { lost, .. } => lost.clone(),
        EngineStatus::Connecting { .. } => None,
    };
    publish(shared, EngineStatus::Disconnected { reason, tried, lost });
    tokio::select! {
        _ = tokio::time::sleep(RETRY) => {}
        _ = shared.reconnect.notified() => {}
    }
}

async fn run(shared: Arc<Shared>) {
    loop {
        let engine = match connect_chosen(&shared).await {
            Ok(found) => found,
            Err((reason, tried)) => {
                disconnected(&shared, reason, tried).await;
                continue;
            }
        };
        // Stick to this engine: when it goes away, wait for it rather than silently switching.
        shared.preferred.lock().unwrap().get_or_insert_with(|| engine.endpoint().clone());
        tracing::info!(host = engine.host(), api = %engine.docker().client_version(), "connected to engine");
        *shared.engine.write().unwrap() = Some(engine.clone());
        // Connected as soon as the version check answers, so the first lists do not wait for
        // /info: with the facts of the last run meanwhile, replaced once /info is back.
        let known = facts::recall(shared.facts.as_deref(), engine.endpoint(), engine.docker().client_version().to_string());
        publish(&shared, EngineStatus::Connected { engine: known });
        // An engine that answers the version check but not /info is stuck halfway: not connected.
        let described = async {
            match describe(&shared, &engine).await {
                Ok(info) => {
                    facts::remember(shared.facts.as_deref(), &info);
                    publish(&shared, EngineStatus::Connected { engine: info });
                    std::future::pending().await
                }
                Err(e) => e,
            }
        };
        // A crash in the middle of a volume browse leaves its helper container behind.
        tokio::spawn({
            let engine = engine.clone();
            async move { crate::volumes::remove_stale_helpers(&engine).await }
        });
        // Likewise a killed app's pipeline runs (containers, networks, volumes; caches stay).
        tokio::spawn({
            let engine = engine.clone();
            async move {
                let live = crate::pipelines::run::live_runs();
                if let Err(e) = crate::pipelines::run::cleanup_interrupted(&engine, &live).await {
                    tracing::warn!(%e, "could not remove an interrupted pipeline run");
                }
            }
        });

        tokio::select! {
            reason = follow_events(&engine, &shared.sink) => {
                tracing::warn!(host = engine.host(), %reason, "lost the engine");
            }
            e = described => {
                let reason = e.to_string();
                let tried = vec![engine.endpoint().candidate(Some(reason.clone()))];
                disconnected(&shared, reason, tried).await;
            }
            _ = shared.reconnect.notified() => {}
        }
    }
}

/// Connect to the preferred endpoint, else the one the docker CLI would use: that one only.
async fn connect_chosen(shared: &Shared) -> std::result::Result<Engine, (String, Vec<EngineCandidate>)> {
    let preferred = shared.preferred.lock().unwrap().clone();
    let endpoint = match preferred.map_or_else(|| discovery::chosen(&shared.env), Ok) {
        Ok(endpoint) => endpoint,
        Err(reason) => return Err((reason, Vec::new())),
    };
    Engine::connect(&endpoint).await.map_err(|e| {
        let reason = e.to_string();
        (reason.clone(), vec![endpoint.candidate(Some(reason))])
    })
}

/// The engine's facts, with the docker CLI's warning when DOCKER_HOST hides a context.
async fn describe(shared: &Shared, engine: &Engine) -> Result<EngineInfo> {
    let mut info = engine.info().await?;
    if engine.endpoint().source == EngineSource::DockerHost {
        info.warning = discovery::host_overrides_context(&shared.env);
    }
    Ok(info)
}

/// Follow /events until the engine goes away; resumes with `since` after a dropped stream.
/// Returns why it stopped.
async fn follow_events(engine: &Engine, sink: &Sink) -> String {
    let mut since: Option<i64> = None;
    let mut deaths = Deaths::default();
    loop {
        let options =
            EventsOptions { since: since.map(|t| format!("{}.{:09}", t / 1_000_000_000, t % 1_000_000_000)), ..Default::default() };
        let mut stream = engine.docker().events(Some(options));
        let mut pending: HashSet<String> = HashSet::new();
        let mut lists = Lists::default();
        let mut flush_at: Option<Instant> = None;
        let ended = loop {
            tokio::select! {
                item = stream.next() => match item {
                    Some(Ok(msg)) => {
                        if let Some(t) = msg.time_nano { since = Some(t + 1); }
                        if let Some(death) = deaths.note(&msg) {
                            sink(EngineEvent::ContainerDied(death));
                        }
                        if let Some(id) = container_change(&msg) {
                            pending.insert(id);
                            flush_at.get_or_insert_with(|| Instant::now() + COALESCE);
                        }
                        if lists.note(&msg) {
                            flush_at.get_or_insert_with(|| Instant::now() + COALESCE);
                        }
                    }
                    Some(Err(e)) => break e.to_string(),
                    None => break "the event stream ended".to_string(),
                },
                _ = crate::stream::flush_timer(flush_at) => {
                    flush(sink, &mut pending, &mut lists);
                    flush_at = None;
                }
            }
        };
        flush(sink, &mut pending, &mut lists);
        if let Err(e) = engine.ping().await {
            return format!("{ended}; {e}");
        }
        tracing::debug!(%ended, "event stream dropped; resuming");
    }
}

fn flush(sink: &Sink, containers: &mut HashSet<String>, lists: &mut Lists) {
    if !containers.is_empty() {
        sink(EngineEvent::ContainersChanged(containers.drain().collect()));
    }
    let Lists { images, volumes, networks } = std::mem::take(lists);
    if images {
        sink(EngineEvent::ImagesChanged);
    }
    if volumes {
        sink(EngineEvent::VolumesChanged);
    }
    if networks {
        sink(EngineEvent::NetworksChanged);
    }
}

/// The lists (re-read whole, they are short) that events since the last flush changed.
#[derive(Default)]
struct Lists {
    images: bool,
    volumes: bool,
    networks: bool,
}

impl Lists {
    /// Mark what `msg` changes; true when it changes any list.
    fn note(&mut self, msg: &bollard::models::EventMessage) -> bool {
        let (images, volumes, networks) = (image_change(msg), volume_change(msg), network_change(msg));
        self.images |= images;
        self.volumes |= volumes;
        self.networks |= networks;
        images || volumes || networks
    }
}

/// Does the event change the volume list (a volume, or which containers use one)?
fn volume_change(msg: &bollard::models::EventMessage) -> bool {
    let action = msg.action.as_deref().unwrap_or_default();
    match msg.typ {
        Some(EventMessageTypeEnum::VOLUME) => matches!(action, "create" | "destroy" | "mount" | "unmount" | "prune"),
        Some(EventMessageTypeEnum::CONTAINER) => matches!(action, "create" | "destroy"),
        _ => false,
    }
}

/// Does the event change the network list (a network, or its containers and their state)?
fn network_change(msg: &bollard::models::EventMessage) -> bool {
    let action = msg.action.as_deref().unwrap_or_default();
    match msg.typ {
        Some(EventMessageTypeEnum::NETWORK) => matches!(action, "create" | "destroy" | "connect" | "disconnect" | "prune"),
        Some(EventMessageTypeEnum::CONTAINER) => matches!(action, "create" | "destroy" | "start" | "die"),
        _ => false,
    }
}

/// Does the event change the image list (an image's names, or its containers count)?
fn image_change(msg: &bollard::models::EventMessage) -> bool {
    let action = msg.action.as_deref().unwrap_or_default();
    match msg.typ {
        Some(EventMessageTypeEnum::IMAGE) => matches!(action, "pull" | "tag" | "untag" | "delete" | "import" | "load" | "prune"),
        Some(EventMessageTypeEnum::CONTAINER) => matches!(action, "create" | "destroy" | "commit"),
        _ => false,
    }
}

/// The container id an event changes, ignoring actions that change nothing the list shows.
fn container_change(msg: &bollard::models::EventMessage) -> Option<String> {
    if msg.typ != Some(EventMessageTypeEnum::CONTAINER) {
        return None;
    }
    let action = msg.action.as_deref().unwrap_or_default();
    let quiet = ["exec_", "attach", "resize", "top", "archive-path", "extract-to-dir", "export", "commit", "copy"];
    if quiet.iter().any(|q| action.starts_with(q)) {
        return None;
    }
    msg.actor.as_ref()?.id.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{EventActor, EventMessage};

    fn event(typ: EventMessageTypeEnum, action: &str) -> EventMessage {
        EventMessage {
            typ: Some(typ),
            action: Some(action.into()),
            actor: Some(EventActor { id: Some("abc".into()), attributes: None }),
            ..Default::default()
        }
    }

    #[test]
    fn container_lifecycle_events_count_exec_does_not() {
        assert_eq!(container_change(&event(EventMessageTypeEnum::CONTAINER, "start")), Some("abc".into()));
        assert_eq!(container_change(&event(EventMessageTypeEnum::CONTAINER, "health_status: healthy")), Some("abc".into()));
        assert_eq!(container_change(&event(EventMessageTypeEnum::CONTAINER, "exec_start: sh")), None);
        assert_eq!(container_change(&event(EventMessageTypeEnum::IMAGE, "pull")), None);
    }

    #[test]
    fn image_events_and_container_counts_change_images() {
        assert!(image_change(&event(EventMessageTypeEnum::IMAGE, "pull")));
        assert!(image_change(&event(EventMessageTypeEnum::IMAGE, "untag")));
        assert!(!image_change(&event(EventMessageTypeEnum::IMAGE, "push")));
        assert!(image_change(&event(EventMessageTypeEnum::CONTAINER, "destroy")));
        assert!(!image_change(&event(EventMessageTypeEnum::CONTAINER, "start")));
    }

    #[test]
    fn volume_and_network_changes() {
        assert!(volume_change(&event(EventMessageTypeEnum::VOLUME, "mount")));
        assert!(volume_change(&event(EventMessageTypeEnum::CONTAINER, "destroy")));
        assert!(!volume_change(&event(EventMessageTypeEnum::CONTAINER, "start")));
        assert!(network_change(&event(EventMessageTypeEnum::NETWORK, "disconnect")));
        assert!(network_change(&event(EventMessageTypeEnum::CONTAINER, "die")));
        assert!(!network_change(&event(EventMessageTypeEnum::VOLUME, "create")));
    }
}
