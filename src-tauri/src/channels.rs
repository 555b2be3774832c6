//! Channel messages that the page takes, instead of scripts that carry them (issue 15).
//!
//! Tauri hands a small Channel message (under 8 kB of JSON) to the page by evaluating a script
//! with the message written into it. WebKit compiles every script it is given, and a followed
//! busy log sends a dozen a second: their code piled up in the JavaScript heap's old generation,
//! which a page kept busy seldom collects in full, and the web process grew by about 15 MB a
//! minute. Here a JSON message waits in its page's queue instead; the page is woken by one script
//! that never changes (compiled once, then found in WebKit's code cache) and takes everything
//! queued with `channel_take`, whose answer comes back as a fetch response, as every command's
//! does. The page's Channel objects get the same `{message, index}` calls as before, so nothing
//! above them changes. Raw (byte) messages, a terminal's output, are queued too while Tauri
//! would write them into a script (under 1 kB); larger ones already take Tauri's fetch.

use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::sync::Mutex;
use tauri::ipc::{CallbackFn, InvokeResponseBody};
use tauri::{Manager, Runtime, Webview};

/// Evaluated in the page when its queue stops being empty; `ui/src/lib/ipc/channelTake.ts`
/// defines the function.
const WAKE: &str = "window.__BERTH_TAKE__&&window.__BERTH_TAKE__()";

/// A page that stops taking (hung, or between loads) leaves its messages here; past this many
/// bytes the rest take Tauri's own way, so this queue stays bounded and nothing is lost.
const MAX_QUEUED_BYTES: usize = 32 << 20;

/// Raw messages this long or longer go by fetch in Tauri itself (its `channel.rs`).
const RAW_BY_FETCH: usize = 1024;

/// One queued message, as the page's Channel callback `callback` expects it.
#[derive(Serialize, specta::Type)]
pub struct Queued {
    callback: u32,
    index: usize,
    #[specta(type = serde_json::Value)]
    message: Box<RawValue>,
    /// `message` is an array of bytes, to hand over as an ArrayBuffer.
    raw: bool,
}

/// Each webview's waiting messages, by label.
#[derive(Default)]
pub struct ChannelQueues(Mutex<HashMap<String, Queue>>);

#[derive(Default)]
struct Queue {
    messages: Vec<Queued>,
    bytes: usize,
    /// The page was woken and has not taken since: no second wake is needed.
    woken: bool,
}

impl ChannelQueues {
    /// Queues `message`; true when the page must be woken to take it. None when the queue is
    /// full.
    fn push(&self, label: &str, message: Queued) -> Option<bool> {
        let mut queues = self.0.lock().unwrap();
        let queue = queues.entry(label.to_owned()).or_default();
        let size = message.message.get().len();
        if queue.bytes + size > MAX_QUEUED_BYTES {
            return None;
        }
        queue.bytes += size;
        queue.messages.push(message);
        Some(!std::mem::replace(&mut queue.woken, true))
    }

    /// Everything queued for `label`, oldest first; the next message wakes the page again.
    pub fn take(&self, label: &str) -> Vec<Queued> {
        let mut queues = self.0.lock().unwrap();
        queues.remove(label).map(|q| q.messages).unwrap_or_default()
    }

    /// Drops what `label`'s page never took: it reloaded or its window closed.
    pub fn forget(&self, label: &str) {
        drop(self.take(label));
    }
}

/// Tauri's channel interceptor: true when the message was queued for the page to take.
pub fn intercept<R: Runtime>(webview: &Webview<R>, callback: CallbackFn, index: usize, body: &InvokeResponseBody) -> bool {
    let (json, raw) = match body {
        InvokeResponseBody::Json(json) => (json.clone(), false),
        InvokeResponseBody::Raw(bytes) if bytes.len() < RAW_BY_FETCH => (serde_json::to_string(bytes).unwrap_or_default(), true),
        InvokeResponseBody::Raw(_) => return false,
    };
    let (Some(queues), Ok(message)) = (webview.try_state::<ChannelQueues>(), RawValue::from_string(json)) else {
        return false;
    };
    match queues.push(webview.label(), Queued { callback: callback.0, index, message, raw }) {
        Some(true) => {
            // A page that is gone takes nothing: forget its queue and let Tauri's own send fail,
            // which ends the stream feeding it.
            if webview.eval(WAKE).is_err() {
                queues.forget(webview.label());
                return false;
            }
            true
        }
        Some(false) => true,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(index: usize, json: &str) -> Queued {
        Queued { callback: 7, index, message: RawValue::from_string(json.into()).unwrap(), raw: false }
    }

    #[test]
    fn the_first_message_wakes_the_page_and_the_rest_wait_for_its_take() {
        let queues = ChannelQueues::default();
        assert_eq!(queues.push("main", message(0, r#"{"a":1}"#)), Some(true));
        assert_eq!(queues.push("main", message(1, "[2]")), Some(false));
        assert_eq!(queues.push("other", message(0, "3")), Some(true), "each page is woken on its own");
        let taken = serde_json::to_string(&queues.take("main")).unwrap();
        assert_eq!(taken, r#"[{"callback":7,"index":0,"message":{"a":1},"raw":false},{"callback":7,"index":1,"message":[2],"raw":false}]"#);
        assert!(queues.take("main").is_empty());
        assert_eq!(queues.push("main", message(2, "4")), Some(true), "after a take, the next message wakes it again");
    }

    #[test]
    fn a_page_that_does_not_take_holds_a_bounded_queue() {
        let queues = ChannelQueues::default();
        let big = format!("\"{}\"", "x".repeat(1 << 20));
        let mut queued = 0;
        while queues.push("main", message(queued, &big)).is_some() {
            queued += 1;
        }
        assert_eq!(queued, 31, "32 MB of messages at most");
        queues.forget("main");
        assert_eq!(queues.push("main", message(0, "1")), Some(true), "a reloaded page starts afresh");
    }
}
