//! Sending `/build` to the engine. Over a unix socket or plain tcp Berth speaks HTTP itself
//! (hyper, already in the tree through bollard), because bollard only parses BuildKit's
//! progress with its `buildkit` feature, which brings a gRPC stack and a session the build
//! does not need. Other transports (TLS, ssh, named pipes) go through bollard with the
//! classic builder.

use super::progress::Message;
pub(crate) use crate::engine::direct::{Body, Direct};
use crate::error::{Error, Result};
use crate::Engine;
use base64::Engine as _;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use http_body_util::BodyExt;
use std::io;
use std::pin::Pin;

pub(crate) type Messages = Pin<Box<dyn Stream<Item = Result<Message>> + Send>>;

/// Registry logins for the build's base images, keyed as the engine expects (X-Registry-Config).
pub(crate) type Logins = std::collections::HashMap<String, bollard::auth::DockerCredentials>;

impl Direct {
    /// Start a build; the messages stream ends with the build. Dropping it closes the
    /// connection, which stops the build in the engine.
    pub async fn build(&self, engine: &Engine, query: &[(String, String)], logins: &Logins, body: Body) -> Result<Messages> {
        let path = format!("/v{}/build?{}", engine.docker().client_version(), encode(query));
        // The engine reads this header as URL-safe base64 of the JSON map, like the docker CLI sends it.
        let config = (!logins.is_empty())
            .then(|| serde_json::to_vec(logins).map(|json| base64::engine::general_purpose::URL_SAFE.encode(json)))
            .transpose()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let response = self.post(engine, &path, config, body).await?;
        let bytes = response.into_body().into_data_stream().map_err(|e| io::Error::other(e.to_string()));
        Ok(Box::pin(json_lines(engine.host().to_string(), bytes)))
    }

    /// Ask the engine to stop a BuildKit build (its `buildid`).
    pub async fn cancel(&self, engine: &Engine, build_id: &str) -> Result<()> {
        let path = format!("/v{}/build/cancel?{}", engine.docker().client_version(), encode(&[("id".into(), build_id.into())]));
        self.post(engine, &path, None, Box::pin(futures_util::stream::empty())).await.map(drop)
    }
}

/// Split a byte stream into JSON messages, one a line. Lines of unknown shape are skipped.
/// Each byte is scanned for the newline once, and consumed lines are dropped once per chunk,
/// so a long line arriving in many chunks costs linear time.
fn json_lines(host: String, bytes: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> impl Stream<Item = Result<Message>> + Send {
    struct Lines {
        buf: Vec<u8>,
        /// Where the next line starts in `buf`.
        start: usize,
        /// Up to where `buf` holds no newline after `start`.
        scanned: usize,
        ended: bool,
    }
    let state = (Box::pin(bytes), Lines { buf: Vec::new(), start: 0, scanned: 0, ended: false });
    futures_util::stream::unfold(state, move |(mut bytes, mut l)| {
        let host = host.clone();
        async move {
            loop {
                if let Some(pos) = l.buf[l.scanned..].iter().position(|b| *b == b'\n') {
                    let end = l.scanned + pos;
                    let line = &l.buf[l.start..end];
                    let parsed = serde_json::from_slice::<Message>(line);
                    let blank = line.iter().all(u8::is_ascii_whitespace);
                    l.start = end + 1;
                    l.scanned = l.start;
                    match parsed {
                        Ok(msg) => return Some((Ok(msg), (bytes, l))),
                        Err(e) if !blank => tracing::debug!("skipping a build line of unknown shape: {e}"),
                        Err(_) => {}
                    }
                    continue;
                }
                l.scanned = l.buf.len();
                if l.ended {
                    if l.buf[l.start..].iter().all(u8::is_ascii_whitespace) {
                        return None;
                    }
                    l.buf.push(b'\n');
                    continue;
                }
                l.buf.drain(..l.start);
                l.scanned -= l.start;
                l.start = 0;
                match bytes.next().await {
                    Some(Ok(chunk)) => l.buf.extend_from_slice(&chunk),
                    Some(Err(e)) => {
                        tracing::warn!(%e, "the engine's build stream broke off");
                        let err = Error::EngineUnreachable { host: host.clone(), reason: "it went away during the build".into() };
                        return Some((Err(err), (bytes, Lines { buf: Vec::new(), start: 0, scanned: 0, ended: true })));
                    }
                    None => l.ended = true,
                }
            }
        }
    })
}

/// `application/x-www-form-urlencoded` query text.
fn encode(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// The classic builder through bollard, for transports Berth does not speak itself. bollard's
/// stream borrows its client, so a task drives it; dropping the stream aborts the task.
pub(crate) fn bollard_build(
    engine: &Engine,
    options: bollard::query_parameters::BuildImageOptions,
    logins: Logins,
    body: Body,
) -> Messages {
    let engine = engine.clone();
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(engine.docker().build_image(
            options,
            (!logins.is_empty()).then_some(logins),
            Some(bollard::body_try_stream(body))
        ));
        while let Some(item) = stream.next().await {
            let msg = match item {
                Ok(info) => Ok(Message {
                    id: info.id,
                    stream: info.stream,
                    status: info.status,
                    aux: info.aux.and_then(|a| a.id).map(|id| serde_json::json!({ "ID": id })),
                    error: info.error_detail.and_then(|d| d.message),
                    error_detail: None,
                }),
                Err(bollard::errors::Error::DockerStreamError { error }) => Ok(Message { error: Some(error), ..Default::default() }),
                Err(e) => Err(engine.err("Build")(e)),
            };
            if tx.send(msg).await.is_err() {
                break;
            }
        }
    });
    let guard = AbortOnDrop(task);
    Box::pin(futures_util::stream::unfold((rx, guard), |(mut rx, guard)| async move { rx.recv().await.map(|m| (m, (rx, guard))) }))
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_split_across_chunks_and_junk_skipped() {
        let chunks =
            vec![Ok(Bytes::from("{\"stream\":\"a\"}\n{\"str")), Ok(Bytes::from("eam\":\"b\"}\nnot json\n{\"aux\":{\"ID\":\"x\"}}"))];
        let got: Vec<_> = json_lines("unix:///h".into(), futures_util::stream::iter(chunks)).collect().await;
        let streams: Vec<_> = got.iter().map(|m| m.as_ref().unwrap().stream.clone()).collect();
        assert_eq!(streams, [Some("a".into()), Some("b".into()), None]);
    }

    #[tokio::test]
    async fn a_long_message_in_many_chunks_takes_linear_time() {
        // 8 MB of output in one message, then a short one, in 4 KiB chunks: rescanning what is
        // carried on every chunk would take minutes.
        let text = format!("{{\"stream\":\"{}\"}}\n{{\"stream\":\"end\"}}\n", "y".repeat(8 << 20));
        let chunks: Vec<_> = text.as_bytes().chunks(4096).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        let started = std::time::Instant::now();
        let got: Vec<_> = json_lines(String::new(), futures_util::stream::iter(chunks)).collect().await;
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
        let sizes: Vec<_> = got.iter().map(|m| m.as_ref().unwrap().stream.as_ref().unwrap().len()).collect();
        assert_eq!(sizes, [8 << 20, 3]);
    }

    #[test]
    fn query_is_encoded() {
        assert_eq!(
            encode(&[("t".into(), "a/b:1".into()), ("buildargs".into(), "{\"X\":\"y z\"}".into())]),
            "t=a%2Fb%3A1&buildargs=%7B%22X%22%3A%22y%20z%22%7D"
        );
    }
}
