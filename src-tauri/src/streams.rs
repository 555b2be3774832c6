//! Live streams held for the UI: log subscriptions and terminal sessions. Each runs as a task
//! that is aborted when the UI cancels it or the app drops it (or, for work that must report what
//! it did, such as a compose up, asked to stop); the streams a window watches (logs, stats,
//! builds, terminals) also end when its page reloads or it closes, and when a send on their
//! Channel fails.

use berth_core::compose::CancellationToken;
use berth_core::containers::exec::{self, ExecSession, Input};
use berth_core::Engine;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::async_runtime::JoinHandle;
use tauri::ipc::{Channel, IpcResponse};
use tokio::sync::Notify;

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

struct Subscription {
    /// The webview whose page it feeds; None for operations that must finish (compose up, pulls).
    window: Option<String>,
    _task: Task,
}

#[derive(Default)]
pub struct Subscriptions {
    next: AtomicU64,
    tasks: Arc<Mutex<HashMap<String, Subscription>>>,
}

impl Subscriptions {
    /// Run `work` as a subscription that goes on whatever the window does; it forgets itself
    /// when done.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) -> String {
        self.start(None, work, None)
    }

    /// Run `work` for the page of `window`: it ends with that page (see [`Self::end_window`]).
    pub fn spawn_for(&self, window: &str, work: impl Future<Output = ()> + Send + 'static) -> String {
        self.start(Some(window.to_string()), work, None)
    }

    /// Like [`Subscriptions::spawn`], but cancelling fires the token `work` gets instead of
    /// aborting it, so it can end on its own and report what it did.
    pub fn spawn_stoppable<F: Future<Output = ()> + Send + 'static>(&self, work: impl FnOnce(CancellationToken) -> F) -> String {
        let stop = CancellationToken::new();
        self.start(None, work(stop.clone()), Some(stop))
    }

    fn start(&self, window: Option<String>, work: impl Future<Output = ()> + Send + 'static, stop: Option<CancellationToken>) -> String {
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
        map.insert(id.clone(), Subscription { window, _task: Task(handle, stop) });
        id
    }

    pub fn cancel(&self, id: &str) {
        self.tasks.lock().unwrap().remove(id);
    }

    /// End every stream `window`'s page asked for: the page reloaded or the window closed.
    pub fn end_window(&self, window: &str) {
        let ended: Vec<Subscription> = {
            let mut map = self.tasks.lock().unwrap();
            let ids: Vec<String> = map.iter().filter(|(_, s)| s.window.as_deref() == Some(window)).map(|(id, _)| id.clone()).collect();
            ids.iter().filter_map(|id| map.remove(id)).collect()
        };
        // Dropped (aborted) outside the lock: a task's own clean-up may take it.
        drop(ended);
    }
}

/// End the streams and terminals of `window`'s page.
pub fn end_window<R: tauri::Runtime>(app: &impl tauri::Manager<R>, window: &str) {
    if let Some(state) = app.try_state::<crate::state::AppState>() {
        state.subscriptions.end_window(window);
        state.execs.end_window(window);
    }
    if let Some(queues) = app.try_state::<crate::channels::ChannelQueues>() {
        queues.forget(window);
    }
}

/// A Channel whose failed send (its webview is gone) ends the work feeding it.
pub struct Sink<T> {
    channel: Channel<T>,
    closed: Notify,
}

impl<T: IpcResponse> Sink<T> {
    pub fn new(channel: Channel<T>) -> Self {
        Sink { channel, closed: Notify::new() }
    }

    pub fn send(&self, event: T) {
        if self.channel.send(event).is_err() {
            self.closed.notify_one();
        }
    }

    /// `work`'s outcome, or None when a send failed first (`work` is dropped then).
    pub async fn run<R>(&self, work: impl Future<Output = R>) -> Option<R> {
        tokio::select! {
            outcome = work => Some(outcome),
            _ = self.closed.notified() => None,
        }
    }
}

/// Open terminal sessions by exec id: the stdin writer and the task pumping output.
#[derive(Default)]
pub struct Execs {
    sessions: Mutex<HashMap<String, Exec>>,
}

struct Exec {
    /// The webview whose page shows the terminal.
    window: String,
    engine: Engine,
    container: String,
    session: ExecSession,
    input: Arc<tokio::sync::Mutex<Input>>,
    _output: Task,
}

impl Drop for Exec {
    /// The shell is hung up as a closed terminal window would (the engine would keep it).
    fn drop(&mut self) {
        let (engine, container, session) = (self.engine.clone(), self.container.clone(), self.session.clone());
        tauri::async_runtime::spawn(async move {
            if let Err(e) = exec::hang_up(&engine, &container, &session).await {
                tracing::warn!("could not end the terminal session's shell: {e}");
            }
        });
    }
}

impl Execs {
    pub fn insert(&self, window: &str, engine: Engine, container: String, session: ExecSession, input: Input, output: JoinHandle<()>) {
        let exec = Exec {
            window: window.to_string(),
            engine,
            container,
            session: session.clone(),
            input: Arc::new(tokio::sync::Mutex::new(input)),
            _output: Task(output, None),
        };
        self.sessions.lock().unwrap().insert(session.exec_id, exec);
    }

    pub fn input(&self, exec_id: &str) -> Option<Arc<tokio::sync::Mutex<Input>>> {
        self.sessions.lock().unwrap().get(exec_id).map(|e| e.input.clone())
    }

    /// Closing drops stdin, stops the output task and hangs up the shell.
    pub fn close(&self, exec_id: &str) {
        let closed = self.sessions.lock().unwrap().remove(exec_id);
        drop(closed);
    }

    /// Close every terminal of `window`'s page: it reloaded or the window closed.
    pub fn end_window(&self, window: &str) {
        let closed: Vec<Exec> = {
            let mut map = self.sessions.lock().unwrap();
            let ids: Vec<String> = map.iter().filter(|(_, e)| e.window == window).map(|(id, _)| id.clone()).collect();
            ids.iter().filter_map(|id| map.remove(id)).collect()
        };
        drop(closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    /// Sets its flag when the stream holding it is dropped (aborted).
    struct Ended(Arc<AtomicBool>);
    impl Drop for Ended {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// A stream that never ends by itself (a stats or log follow), and its "ended" flag.
    fn endless() -> (impl Future<Output = ()> + Send + 'static, Arc<AtomicBool>) {
        let flag = Arc::new(AtomicBool::new(false));
        let guard = Ended(flag.clone());
        (
            async move {
                let _guard = guard;
                std::future::pending::<()>().await
            },
            flag,
        )
    }

    #[test]
    fn a_windows_streams_end_with_its_page_and_no_others() {
        let subs = Subscriptions::default();
        let (stats, stats_ended) = endless();
        let (other_window, other_ended) = endless();
        let (operation, operation_ended) = endless();
        subs.spawn_for("main", stats);
        subs.spawn_for("second", other_window);
        subs.spawn(operation);
        std::thread::sleep(Duration::from_millis(100));
        subs.end_window("main");
        let started = std::time::Instant::now();
        while !stats_ended.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(stats_ended.load(Ordering::SeqCst), "the page's stream still runs");
        assert!(!other_ended.load(Ordering::SeqCst) && !operation_ended.load(Ordering::SeqCst));
    }
}
