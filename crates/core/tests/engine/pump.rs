//! The supervised pump against a real engine reached through a socket we can cut: a small
//! unix-socket relay in front of the real engine. Cutting it is the engine going away.

use super::support::*;
use berth_core::engine::{EngineEvent, EngineStatus, Environment, Pump};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_changes_loses_the_engine_and_reconnects() {
    if !enabled("pump_reconnects") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("engine.sock");
    let mut relay_task = relay(sock.clone());

    let events: Arc<Mutex<Vec<EngineEvent>>> = Arc::default();
    let seen = events.clone();
    let env = Environment {
        vars: HashMap::from([("DOCKER_HOST".to_string(), format!("unix://{}", sock.display()))]),
        home: Some(dir.path().to_path_buf()),
        root: dir.path().to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    };
    let pump = Pump::start(env, move |e| seen.lock().unwrap().push(e));
    pump.connected(Duration::from_secs(10)).await.expect("connects through the relay");
    assert!(matches!(pump.status(), EngineStatus::Connected { .. }));

    // A container made by the CLI is reported by the event stream, without polling.
    let name = name("pump");
    let id = run_sh(&name, "sleep 300");
    let _c = Cleanup(id.clone());
    until(10, "a change for the new container", async || {
        events.lock().unwrap().iter().any(|e| matches!(e, EngineEvent::ContainersChanged(ids) if ids.contains(&id))).then_some(())
    })
    .await;

    // The engine goes away: the status says so at once, naming what was lost.
    relay_task.abort();
    let _ = relay_task.await;
    let _ = std::fs::remove_file(&sock);
    until(5, "disconnected", async || match pump.status() {
        EngineStatus::Disconnected { lost: Some(_), tried, .. } => Some(tried),
        _ => None,
    })
    .await;
    assert!(pump.engine().is_err());

    // It comes back just after a failed attempt, after a while down (a growing retry delay would
    // have grown by then): the worst case.
    // A listener that hangs up on every connection stands in for the engine still being down and
    // says when the pump tried; the pump must answer within 2 s of the engine answering again.
    let (tried_tx, mut tried_rx) = tokio::sync::mpsc::unbounded_channel();
    let dead = hang_up(sock.clone(), tried_tx);
    tokio::time::sleep(Duration::from_secs(6)).await;
    while tried_rx.try_recv().is_ok() {}
    tried_rx.recv().await.expect("the pump keeps trying");
    dead.abort();
    let _ = dead.await;
    relay_task = relay(sock.clone());
    let start = std::time::Instant::now();
    pump.connected(Duration::from_secs(10)).await.expect("reconnects");
    let took = start.elapsed();
    eprintln!("reconnected {took:?} after the engine answered again");
    assert!(took <= Duration::from_secs(2), "reconnected only {took:?} after the engine answered again");
    let mut statuses: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Status(s) => Some(match s.as_ref() {
                EngineStatus::Connecting { .. } => "connecting",
                EngineStatus::Connected { .. } => "connected",
                EngineStatus::Disconnected { .. } => "disconnected",
            }),
            _ => None,
        })
        .collect();
    // While down, each new reason is reported; it stays one outage.
    statuses.dedup();
    assert_eq!(statuses, ["connected", "disconnected", "connected"]);
    relay_task.abort();
}

#[tokio::test]
async fn no_engine_lists_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let env = Environment {
        vars: HashMap::from([("DOCKER_HOST".to_string(), "unix:///nowhere/docker.sock".to_string())]),
        home: Some(dir.path().to_path_buf()),
        root: dir.path().to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    };
    let pump = Pump::start(env, |_| {});
    let status = until(5, "disconnected", async || match pump.status() {
        s @ EngineStatus::Disconnected { .. } => Some(s),
        _ => None,
    })
    .await;
    let EngineStatus::Disconnected { tried, lost, .. } = status else { unreachable!() };
    assert!(lost.is_none());
    assert!(tried.iter().any(|t| t.host == "unix:///nowhere/docker.sock" && t.error.as_deref().unwrap().contains("no socket")));
    let err = pump.engine().unwrap_err();
    assert_eq!(err.code(), berth_core::ErrorCode::EngineUnreachable);
}

/// An engine that answers the version probe but never `/info` (a daemon stuck halfway): the pump
/// must say so in bounded time rather than wait out the 120 s request timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_that_stops_answering_halfway_is_reported_in_bounded_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("stuck.sock");
    let listener = tokio::net::UnixListener::bind(&sock).unwrap();
    let server = tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match conn.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    buf.drain(..end + 4);
                    if !head.split_whitespace().nth(1).unwrap_or_default().ends_with("/version") {
                        std::future::pending::<()>().await;
                    }
                    let body = r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#;
                    let reply =
                        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len());
                    if conn.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let env = Environment {
        vars: HashMap::from([("DOCKER_HOST".to_string(), format!("unix://{}", sock.display()))]),
        home: Some(dir.path().to_path_buf()),
        root: dir.path().to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    };
    let pump = Pump::start(env, |_| {});
    let reason = until(30, "disconnected", async || match pump.status() {
        EngineStatus::Disconnected { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert!(reason.contains("did not answer"), "{reason}");
    server.abort();
}

/// Only a container that ends on its own with a failure is reported as died: not one stopped
/// (docker stop sends kill first), nor one whose process finished with 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_only_unexpected_deaths() {
    if !enabled("pump_deaths") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let events: Arc<Mutex<Vec<EngineEvent>>> = Arc::default();
    let seen = events.clone();
    let env = Environment {
        vars: HashMap::from([("DOCKER_HOST".to_string(), format!("unix://{}", socket()))]),
        home: Some(dir.path().to_path_buf()),
        root: dir.path().to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    };
    let pump = Pump::start(env, move |e| seen.lock().unwrap().push(e));
    pump.connected(Duration::from_secs(10)).await.expect("connects");
    let died = |id: &str| events.lock().unwrap().iter().any(|e| matches!(e, EngineEvent::ContainerDied(d) if d.id == id));

    let stopped = run_sh(&name("stopped"), "sleep 300");
    let _s = Cleanup(stopped.clone());
    let finished = run_sh(&name("finished"), "exit 0");
    let _f = Cleanup(finished.clone());
    docker(&["stop", "-t", "1", &stopped]);
    let crashed = run_sh(&name("crashed"), "sleep 1; exit 3");
    let _c = Cleanup(crashed.clone());
    until(15, "the crash reported", async || died(&crashed).then_some(())).await;
    let death = events.lock().unwrap().iter().find_map(|e| match e {
        EngineEvent::ContainerDied(d) if d.id == crashed => Some(d.clone()),
        _ => None,
    });
    assert_eq!(death.map(|d| d.exit_code), Some(3));
    // The crash came after both others ended: had they been reported, they would be by now.
    assert!(!died(&stopped) && !died(&finished));
}
