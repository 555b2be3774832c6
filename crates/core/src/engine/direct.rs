//! Speaking HTTP to the engine directly, over a unix socket or plain tcp, for the calls
//! bollard does not model as Berth needs them: a build's BuildKit progress (see
//! `build::transport`) and JSON answers whose shape bollard no longer describes.

use crate::error::{Error, Result};
use crate::Engine;
use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::TokioIo;
use std::io;
use std::pin::Pin;

/// A request body streamed to the engine (a build context).
pub(crate) type Body = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Where Berth can speak HTTP to the engine itself.
#[derive(Debug, Clone)]
pub(crate) enum Direct {
    Unix(String),
    Tcp(String),
}

impl Direct {
    pub fn of(engine: &Engine) -> Option<Direct> {
        let ep = engine.endpoint();
        if ep.tls.is_some() {
            return None;
        }
        if let Some(path) = ep.host.strip_prefix("unix://") {
            return Some(Direct::Unix(path.to_string()));
        }
        ep.host.strip_prefix("tcp://").or_else(|| ep.host.strip_prefix("http://")).map(|h| Direct::Tcp(h.trim_end_matches('/').to_string()))
    }

    /// POST `path_and_query` with `body`; a non-2xx answer becomes the engine's own message.
    pub(crate) async fn post(
        &self,
        engine: &Engine,
        path_and_query: &str,
        registry_config: Option<String>,
        body: Body,
    ) -> Result<hyper::Response<hyper::body::Incoming>> {
        let body = StreamBody::new(body.map_ok(Frame::data));
        let mut request = hyper::Request::post(path_and_query)
            .header(hyper::header::HOST, "docker")
            .header(hyper::header::CONTENT_TYPE, "application/x-tar");
        if let Some(config) = registry_config {
            request = request.header("X-Registry-Config", config);
        }
        let request = request.body(body).map_err(|e| Error::Internal(e.to_string()))?;
        self.send(engine, request).await
    }

    /// GET `path_and_query` (without the version prefix) as JSON, for answers whose shape
    /// bollard's models no longer describe (the volumes of /system/df before API 1.52).
    pub async fn get_json(&self, engine: &Engine, path_and_query: &str) -> Result<serde_json::Value> {
        let path = format!("/v{}{path_and_query}", engine.docker().client_version());
        let request = hyper::Request::get(path)
            .header(hyper::header::HOST, "docker")
            .body(http_body_util::Empty::<Bytes>::new())
            .map_err(|e| Error::Internal(e.to_string()))?;
        let response = self.send(engine, request).await?;
        let bytes = response.into_body().collect().await.map_err(|e| Error::Internal(e.to_string()))?.to_bytes();
        serde_json::from_slice(&bytes).map_err(|e| Error::Internal(format!("The engine's answer to {path_and_query} is not JSON: {e}")))
    }

    async fn send<B>(&self, engine: &Engine, request: hyper::Request<B>) -> Result<hyper::Response<hyper::body::Incoming>>
    where
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let unreachable = |e: io::Error| Error::EngineUnreachable { host: engine.host().to_string(), reason: e.to_string() };
        macro_rules! send {
            ($stream:expr) => {{
                let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new($stream))
                    .await
                    .map_err(|e| Error::Internal(format!("HTTP handshake with the engine: {e}")))?;
                // The connection task ends when the response body is dropped or done.
                tokio::spawn(conn);
                sender.send_request(request).await
            }};
        }
        let response = match self {
            #[cfg(unix)]
            Direct::Unix(path) => send!(tokio::net::UnixStream::connect(path).await.map_err(unreachable)?),
            #[cfg(not(unix))]
            Direct::Unix(_) => return Err(Error::Internal("unix sockets are not available here".into())),
            Direct::Tcp(addr) => send!(tokio::net::TcpStream::connect(addr).await.map_err(unreachable)?),
        }
        .map_err(|e| Error::EngineUnreachable { host: engine.host().to_string(), reason: crate::error::err_chain(&e) })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let bytes = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
        Err(Error::Engine { status: status.as_u16(), message: message.trim().to_string() })
    }
}
