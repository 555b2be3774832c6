//! A unix-socket relay in front of the real engine that records every request line and can hold
//! back requests (a slow or stuck engine call) without touching the shared engine.

use super::support::socket;
use berth_core::engine::{Endpoint, EngineSource, Environment};
use berth_core::Engine;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

pub struct Relay {
    pub path: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Relay {
    /// Relay `dir`/engine.sock to the engine; a request whose line contains one of `hold` is
    /// never forwarded (its caller waits until it gives up).
    pub fn start(dir: &Path, hold: &[&str]) -> Relay {
        let path = dir.join("engine.sock");
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (seen, hold) = (requests.clone(), hold.iter().map(|h| h.to_string()).collect::<Vec<_>>());
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let (seen, hold) = (seen.clone(), hold.clone());
                conns.spawn(async move {
                    let engine = UnixStream::connect(socket()).await.unwrap();
                    let (mut client_rx, mut client_tx) = client.into_split();
                    let (mut engine_rx, mut engine_tx) = engine.into_split();
                    let up = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = match client_rx.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                            let lines: Vec<String> = text.lines().filter(|l| l.ends_with(" HTTP/1.1")).map(str::to_string).collect();
                            let held = lines.iter().any(|l| hold.iter().any(|h| l.contains(h.as_str())));
                            seen.lock().unwrap().extend(lines);
                            if held {
                                std::future::pending::<()>().await;
                            }
                            if engine_tx.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    };
                    let down = async move {
                        let _ = tokio::io::copy(&mut engine_rx, &mut client_tx).await;
                    };
                    tokio::join!(up, down);
                });
            }
        });
        Relay { path, requests, task }
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    /// How many requests so far had a line containing `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.requests.lock().unwrap().iter().filter(|l| l.contains(needle)).count()
    }

    pub async fn engine(&self) -> Engine {
        let endpoint = Endpoint { name: "relay".into(), host: self.host(), source: EngineSource::WellKnown, tls: None };
        Engine::connect(&endpoint).await.expect("the engine answers through the relay")
    }

    /// Discovery finds only this relay.
    pub fn environment(&self, home: &Path) -> Environment {
        Environment {
            vars: HashMap::from([("DOCKER_HOST".to_string(), self.host())]),
            home: Some(home.to_path_buf()),
            root: home.to_path_buf(),
            os: berth_core::platform::Os::CURRENT,
        }
    }
}
