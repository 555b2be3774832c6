//! The container list read ahead of the window's first ask (issue 15): the app starts the read
//! when its page starts loading, so the list is in by the time the page's script asks, about
//! 40 ms later, instead of taking an engine round trip of its own.
//!
//! A read ahead is only served when nothing could have changed unseen since it began: no change
//! notice went to the window in between (the window had no listener yet, so it would have missed
//! it), and the engine is the one asked. Otherwise the engine is listed again, as without it.

use super::{list, ContainerSummary};
use crate::error::Result;
use crate::Engine;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::task::JoinHandle;

#[derive(Default)]
pub struct ListAhead {
    /// Change notices sent to the window so far.
    notices: AtomicU64,
    read: Mutex<Option<Read>>,
}

struct Read {
    /// `notices` when the read began.
    notices: u64,
    host: String,
    task: JoinHandle<Result<Vec<ContainerSummary>>>,
}

impl ListAhead {
    /// Starts reading `engine`'s list, replacing (and stopping) any read not taken yet.
    pub fn start(&self, engine: &Engine) {
        let notices = self.notices.load(Ordering::SeqCst);
        let task = tokio::spawn({
            let engine = engine.clone();
            async move { list(&engine).await }
        });
        let old = self.read.lock().unwrap().replace(Read { notices, host: engine.host().to_string(), task });
        if let Some(old) = old {
            old.task.abort();
        }
    }

    /// Says that a change notice (`containers://changed`) is about to go to the window.
    pub fn notice(&self) {
        self.notices.fetch_add(1, Ordering::SeqCst);
    }

    /// Every container of `engine`: the read ahead when it is still good, else a new list. A
    /// notice sent after this call began reaches the window's listener, which it set up before
    /// asking, and is applied on top of the answer: only those sent before count against it.
    pub async fn list(&self, engine: &Engine) -> Result<Vec<ContainerSummary>> {
        let read = self.read.lock().unwrap().take();
        if let Some(read) = read {
            if read.host != engine.host() || read.notices != self.notices.load(Ordering::SeqCst) {
                read.task.abort();
            } else if let Ok(Ok(found)) = read.task.await {
                return Ok(found);
            }
        }
        list(engine).await
    }
}
