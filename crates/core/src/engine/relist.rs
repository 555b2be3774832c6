//! Re-reading what the engine's events changed, for the UI: containers by id, and the whole
//! image, volume, network and compose stack lists (a stack's list follows its containers). Each kind runs on its own task with a timeout, so one slow
//! list never holds up the others; changes that arrive while a kind is being read are gathered
//! into its next read. Volume sizes are not measured here (see `volumes::measure`).

use super::{Engine, EngineEvent};
use crate::compose::{stack, Stack};
use crate::containers::{self, ContainersChanged};
use crate::images::{self, ImageSummary};
use crate::networks::{self, NetworkSummary};
use crate::volumes::{self, VolumeSummary};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// A read that takes longer is given up (and said so in the log); the next change reads again.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq)]
pub enum Relisted {
    Containers(ContainersChanged),
    Images(Vec<ImageSummary>),
    Volumes(Vec<VolumeSummary>),
    Networks(Vec<NetworkSummary>),
    Stacks(Vec<Stack>),
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Containers,
    Images,
    Volumes,
    Networks,
    Stacks,
}

/// One kind's pending work: the container ids to read (containers only) and a wake-up, which
/// keeps at most one permit, so any number of changes during a read cause one more read.
#[derive(Default)]
struct Lane {
    ids: Mutex<HashSet<String>>,
    wake: Notify,
}

/// The running readers; dropping it stops them.
pub struct Relister {
    lanes: [Arc<Lane>; 5],
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Relister {
    fn drop(&mut self) {
        self.tasks.iter().for_each(|t| t.abort());
    }
}

impl Relister {
    /// Start on the current tokio runtime; `engine` gives the connected engine, if any.
    pub fn start(engine: impl Fn() -> Option<Engine> + Send + Sync + 'static, emit: impl Fn(Relisted) + Send + Sync + 'static) -> Relister {
        let engine: Arc<dyn Fn() -> Option<Engine> + Send + Sync> = Arc::new(engine);
        let emit: Arc<dyn Fn(Relisted) + Send + Sync> = Arc::new(emit);
        let lanes: [Arc<Lane>; 5] = Default::default();
        let kinds = [Kind::Containers, Kind::Images, Kind::Volumes, Kind::Networks, Kind::Stacks];
        let tasks =
            kinds.iter().map(|&kind| tokio::spawn(read(kind, lanes[kind as usize].clone(), engine.clone(), emit.clone()))).collect();
        Relister { lanes, tasks }
    }

    /// Queue the reads `event` calls for; a status needs none.
    pub fn note(&self, event: EngineEvent) {
        let kind = match event {
            EngineEvent::Status(_) | EngineEvent::ContainerDied(_) => return,
            EngineEvent::ContainersChanged(ids) => {
                self.lanes[Kind::Containers as usize].ids.lock().unwrap().extend(ids);
                // Any container may be a stack's: its state, health and ports are the stack's.
                self.lanes[Kind::Stacks as usize].wake.notify_one();
                Kind::Containers
            }
            EngineEvent::ImagesChanged => Kind::Images,
            EngineEvent::VolumesChanged => Kind::Volumes,
            EngineEvent::NetworksChanged => Kind::Networks,
        };
        self.lanes[kind as usize].wake.notify_one();
    }
}

async fn read(
    kind: Kind,
    lane: Arc<Lane>,
    engine: Arc<dyn Fn() -> Option<Engine> + Send + Sync>,
    emit: Arc<dyn Fn(Relisted) + Send + Sync>,
) {
    loop {
        lane.wake.notified().await;
        let Some(engine) = engine() else { continue };
        let ids: Vec<String> = lane.ids.lock().unwrap().drain().collect();
        let work = async {
            match kind {
                Kind::Containers if ids.is_empty() => Ok(None),
                Kind::Containers => containers::changes(&engine, ids.clone()).await.map(|c| Some(Relisted::Containers(c))),
                Kind::Images => images::list(&engine).await.map(|l| Some(Relisted::Images(l))),
                Kind::Volumes => volumes::list(&engine).await.map(|l| Some(Relisted::Volumes(l))),
                Kind::Networks => networks::list(&engine).await.map(|l| Some(Relisted::Networks(l))),
                Kind::Stacks => stack::list(&engine).await.map(|l| Some(Relisted::Stacks(l))),
            }
        };
        let failure = match tokio::time::timeout(TIMEOUT, work).await {
            Ok(Ok(found)) => {
                found.into_iter().for_each(|r| emit(r));
                continue;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {} seconds", TIMEOUT.as_secs()),
        };
        tracing::warn!(?kind, %failure, "could not re-read a list after a change");
        // Those containers are read again with the next change.
        lane.ids.lock().unwrap().extend(ids);
    }
}
