//! The lists the engine's events change are re-read without measuring volumes (a disk walk of
//! every volume), each with a timeout, and a slow one never holds up the others.

use crate::relay::Relay;
use crate::support::{self, docker, enabled, Cleanup, IMAGE};
use berth_core::engine::{Pump, Relisted, Relister};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A pump through `relay` whose events are re-read as the app does; returns what is emitted.
async fn follow(relay: &Relay, home: &std::path::Path) -> (Pump, Arc<Relister>, Arc<Mutex<Vec<Relisted>>>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pump = Pump::start(relay.environment(home), move |e| {
        let _ = tx.send(e);
    });
    let engine = pump.connected(Duration::from_secs(10)).await.expect("connects through the relay");
    let seen: Arc<Mutex<Vec<Relisted>>> = Arc::default();
    let sink = seen.clone();
    let relister = Arc::new(Relister::start(move || Some(engine.clone()), move |r| sink.lock().unwrap().push(r)));
    let forward = relister.clone();
    tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            forward.note(e);
        }
    });
    (pump, relister, seen)
}

fn volumes_relisted(seen: &Mutex<Vec<Relisted>>) -> usize {
    seen.lock().unwrap().iter().filter(|r| matches!(r, Relisted::Volumes(_))).count()
}

fn container_seen(seen: &Mutex<Vec<Relisted>>, id: &str) -> bool {
    seen.lock().unwrap().iter().any(|r| matches!(r, Relisted::Containers(c) if c.upserted.iter().any(|u| u.id == id)))
}

/// How many of stack `name`'s containers run, in the newest stack list pushed.
fn stack_running(seen: &Mutex<Vec<Relisted>>, name: &str) -> Option<usize> {
    let seen = seen.lock().unwrap();
    let stacks = seen.iter().rev().find_map(|r| if let Relisted::Stacks(l) = r { Some(l) } else { None })?;
    stacks.iter().find(|s| s.name == name).map(|s| s.running)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_start_and_stop_never_measure_volumes() {
    if !enabled("container_start_and_stop_never_measure_volumes") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path(), &[]);
    let (_pump, _relister, seen) = follow(&relay, dir.path()).await;
    let (name, volume) = (support::name("relist"), support::name("relist-vol"));
    // Dropped in reverse: the container first, then its volume.
    let _v = VolumeGone(volume.clone());
    let _c = Cleanup(name.clone());
    docker(&["create", "--name", &name, "--label", support::run_label(), "-v", &format!("{volume}:/data"), IMAGE, "sleep", "300"]);
    support::until(30, "the volume list re-read after the create", async || (volumes_relisted(&seen) > 0).then_some(())).await;
    let before = volumes_relisted(&seen);
    docker(&["start", &name]);
    docker(&["stop", "-t", "0", &name]);
    support::until(30, "the volume list re-read after start and stop", async || (volumes_relisted(&seen) > before).then_some(())).await;
    assert_eq!(relay.count("/system/df"), 0, "no disk-usage walk on container events");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_list_does_not_hold_up_containers() {
    if !enabled("a_stuck_list_does_not_hold_up_containers") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The engine never answers the volume list.
    let relay = Relay::start(dir.path(), &["/volumes"]);
    let (_pump, _relister, seen) = follow(&relay, dir.path()).await;
    let (name, volume) = (support::name("relist-stuck"), support::name("relist-stuck-vol"));
    let _v = VolumeGone(volume.clone());
    let _c = Cleanup(name.clone());
    let id = docker(&["create", "--name", &name, "--label", support::run_label(), "-v", &format!("{volume}:/data"), IMAGE, "sleep", "300"]);
    support::until(30, "the volume list asked for", async || (relay.count("/volumes") > 0).then_some(())).await;
    docker(&["start", &name]);
    // The create, then the start: both reach the container list while the volume list hangs.
    support::until(30, "the started container", async || {
        seen.lock().unwrap().iter().any(|r| matches!(r, Relisted::Containers(c) if c.upserted.iter().any(|u| u.id == id && u.state == berth_core::containers::ContainerState::Running))).then_some(())
    })
    .await;
    assert!(container_seen(&seen, &id) && volumes_relisted(&seen) == 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_is_relisted_when_its_containers_change() {
    if !enabled("a_stack_is_relisted_when_its_containers_change") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(dir.path(), &[]);
    let (_pump, _relister, seen) = follow(&relay, dir.path()).await;
    let name = support::name("relist-stack");
    let _c = Cleanup(name.clone());
    let project = format!("--label=com.docker.compose.project={name}");
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        support::run_label(),
        &project,
        "--label=com.docker.compose.service=web",
        IMAGE,
        "sleep",
        "300",
    ]);
    support::until(30, "the stack pushed as running", async || (stack_running(&seen, &name) == Some(1)).then_some(())).await;
    docker(&["stop", "-t", "0", &name]);
    support::until(30, "the stack pushed as stopped", async || (stack_running(&seen, &name) == Some(0)).then_some(())).await;
}

struct VolumeGone(String);

impl Drop for VolumeGone {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker").args(["volume", "rm", "-f", &self.0]).output();
    }
}
