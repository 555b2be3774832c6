//! The container list read ahead of the window's first ask (issue 15): the app starts the read
//! as soon as the engine answers, so the list is in by the time the page loads. The page's HTML
//! carries it ([`ListAhead::take`]: the app draws the first screen from it), or the page's first
//! ask is answered from it ([`ListAhead::list`]), instead of an engine round trip of its own.
//!
//! A read ahead is only served when nothing could have changed unseen since it began: no change
//! notice went to the window in between (the window had no listener yet, so it would have missed
//! it), and the engine is the one asked. Otherwise the engine is listed again, as without it.

use super::{list, ContainerSummary};
use crate::error::Result;
use crate::Engine;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
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
        let read = Self::read(engine, self.notices.load(Ordering::SeqCst));
        if let Some(old) = self.read.lock().unwrap().replace(read) {
            old.task.abort();
        }
    }

    /// Starts reading `engine`'s list unless a read is waiting to be taken (it stays good until a
    /// notice, which `take` and `list` check).
    pub fn ensure(&self, engine: &Engine) {
        let mut slot = self.read.lock().unwrap();
        if slot.is_none() {
            *slot = Some(Self::read(engine, self.notices.load(Ordering::SeqCst)));
        }
    }

    fn read(engine: &Engine, notices: u64) -> Read {
        let task = tokio::spawn({
            let engine = engine.clone();
            async move { list(&engine).await }
        });
        Read { notices, host: engine.host().to_string(), task }
    }

    /// The read ahead for a page that loads now, when it is still good and in within `wait`
    /// (else it stays for [`ListAhead::list`]). The page lists again once it listens for changes.
    pub async fn take(&self, engine: &Engine, wait: Duration) -> Option<Vec<ContainerSummary>> {
        let mut read = self.read.lock().unwrap().take()?;
        if read.host != engine.host() || read.notices != self.notices.load(Ordering::SeqCst) {
            read.task.abort();
            return None;
        }
        match tokio::time::timeout(wait, &mut read.task).await {
            Ok(Ok(Ok(found))) => Some(found),
            Ok(_) => None,
            Err(_) => {
                // Slow engine: the page asks for it instead, unless a newer read began meanwhile.
                let mut slot = self.read.lock().unwrap();
                match *slot {
                    None => *slot = Some(read),
                    Some(_) => read.task.abort(),
                }
                None
            }
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
