//! Live streams held for the UI: log subscriptions and terminal sessions. Each runs as a task
//! that is aborted when the UI cancels it or the app drops it (or, for work that must report what
//! it did, such as a compose up, asked to stop).

use berth_core::compose::CancellationToken;
use berth_core::containers::exec::Input;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::async_runtime::JoinHandle;

/// Aborts its task when dropped, or asks it to stop when it has a stop token.
struct Task(JoinHandle<()>, Option<CancellationToken>);

impl Drop for Task {
    fn drop(&mut self) {
        match &self.1 {
            Some(stop) => stop.cancel(),
            None => self.0.abort(),
        }
    }
}

#[derive(Default)]
pub struct Subscriptions {
    next: AtomicU64,
    tasks: Arc<Mutex<HashMap<String, Task>>>,
}

impl Subscriptions {
    /// Run `work` as a subscription; it forgets itself when done.
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) -> String {
        self.start(work, None)
    }

    /// Like [`Subscriptions::spawn`], but cancelling fires the token `work` gets instead of
    /// aborting it, so it can end on its own and report what it did.
    pub fn spawn_stoppable<F: std::future::Future<Output = ()> + Send + 'static>(&self, work: impl FnOnce(CancellationToken) -> F) -> String {
        let stop = CancellationToken::new();
        self.start(work(stop.clone()), Some(stop))
    }

    fn start(&self, work: impl std::future::Future<Output = ()> + Send + 'static, stop: Option<CancellationToken>) -> String {
        let id = format!("sub-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let tasks = self.tasks.clone();
        let key = id.clone();
        // Hold the lock while spawning so a task that ends at once cannot remove itself first.
        let mut map = self.tasks.lock().unwrap();
        let handle = tauri::async_runtime::spawn(async move {
            work.await;
            // Aborting a task from inside itself after its last await is harmless.
            let finished = tasks.lock().unwrap().remove(&key);
            drop(finished);
        });
        map.insert(id.clone(), Task(handle, stop));
        id
    }

    pub fn cancel(&self, id: &str) {
        self.tasks.lock().unwrap().remove(id);
    }
}

/// Open terminal sessions by exec id: the stdin writer and the task pumping output.
#[derive(Default)]
pub struct Execs {
    sessions: Mutex<HashMap<String, Exec>>,
}

struct Exec {
    input: Arc<tokio::sync::Mutex<Input>>,
    _output: Task,
}

impl Execs {
    pub fn insert(&self, exec_id: String, input: Input, output: JoinHandle<()>) {
        let exec = Exec { input: Arc::new(tokio::sync::Mutex::new(input)), _output: Task(output, None) };
        self.sessions.lock().unwrap().insert(exec_id, exec);
    }

    pub fn input(&self, exec_id: &str) -> Option<Arc<tokio::sync::Mutex<Input>>> {
        self.sessions.lock().unwrap().get(exec_id).map(|e| e.input.clone())
    }

    /// Closing drops stdin (the shell sees EOF) and stops the output task.
    pub fn close(&self, exec_id: &str) {
        self.sessions.lock().unwrap().remove(exec_id);
    }
}
