//! One error type for berth-core. Every variant knows its [`ErrorCode`] (what the UI may branch
//! on) and a sentence for the user; `Display` is that sentence, `detail()` is the raw chain.

use serde::Serialize;

/// What a consumer can branch on. Codes exist only where the UI reacts differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub enum ErrorCode {
    EngineUnreachable,
    NotFound,
    Conflict,
    PortInUse,
    PermissionDenied,
    InvalidInput,
    /// A registry refused or could not be reached (login, unknown repository, network).
    Registry,
    /// A build step or the Dockerfile failed; the build event carries the line and output.
    BuildFailed,
    /// The OS keychain is missing or locked: registry logins cannot be kept.
    Keychain,
    Cancelled,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No engine answers at the endpoint (socket missing, refused, timed out).
    #[error("Cannot reach the container engine at {host}: {reason}. Start the engine; Berth reconnects by itself.")]
    EngineUnreachable { host: String, reason: String },

    /// The user gave a value the engine or Berth cannot use; `field` names the form field.
    #[error("{message}")]
    InvalidInput { field: Option<&'static str>, message: String },

    #[error("{what} was not found. It may have been removed meanwhile.")]
    NotFound { what: String, detail: String },

    #[error("{message}")]
    Conflict { message: String },

    #[error("{message}")]
    PortInUse { message: String },

    #[error("Permission denied talking to the engine at {host}. Add your user to the `docker` group (then log in again) or use a rootless engine.")]
    PermissionDenied { host: String },

    /// A registry (or Docker Hub through the engine) failed; the message says what to do.
    #[error("{message}")]
    Registry { message: String, detail: String },

    /// A build failed in the engine (the Dockerfile, a step); the message says where.
    #[error("{message}")]
    Build { message: String, detail: String },
    /// The OS keychain (Secret Service, Keychain, Credential Manager) cannot be used.
    #[error("{message}")]
    Keychain { message: String, detail: String },

    #[error("The operation was cancelled.")]
    Cancelled,

    /// A compose service that could not be brought up, and why.
    #[error("Service \"{service}\" failed: {message}")]
    Service { service: String, message: String },

    /// A compose file that cannot be loaded; says the file, line and field.
    #[error("{0} Fix the file and try again.")]
    Compose(crate::problem::Problem),

    /// A pipeline file (`.gitlab-ci.yml`) GitLab would reject or Berth cannot load; nothing ran.
    #[error("{0} Fix the pipeline file and try again.")]
    Pipeline(crate::problem::PipelineError),

    /// The engine refused with a message of its own; we pass its words on.
    #[error("The engine refused: {message}")]
    Engine { status: u16, message: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("Unexpected error talking to the engine: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::EngineUnreachable { .. } => ErrorCode::EngineUnreachable,
            Error::InvalidInput { .. } | Error::Compose(_) | Error::Pipeline(_) => ErrorCode::InvalidInput,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::PortInUse { .. } => ErrorCode::PortInUse,
            Error::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            Error::Registry { .. } => ErrorCode::Registry,
            Error::Build { .. } => ErrorCode::BuildFailed,
            Error::Keychain { .. } => ErrorCode::Keychain,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Engine { .. } | Error::Io { .. } | Error::Internal(_) | Error::Service { .. } => ErrorCode::Internal,
        }
    }

    /// The form field at fault, for inline messages.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput { field, .. } => *field,
            _ => None,
        }
    }

    /// The raw detail behind the sentence: for "copy details" and logs, never shown alone.
    pub fn detail(&self) -> String {
        match self {
            Error::NotFound { detail, .. }
            | Error::Registry { detail, .. }
            | Error::Build { detail, .. }
            | Error::Keychain { detail, .. } => detail.clone(),
            Error::Engine { status, message } => format!("HTTP {status}: {message}"),
            other => format!("{other:?}"),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: Some(field), message: message.into() }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// Map a bollard error, naming the object the call was about (e.g. "Container web").
    pub fn from_engine(err: bollard::errors::Error, what: &str, host: &str) -> Self {
        use bollard::errors::Error as B;
        match err {
            B::DockerResponseServerError { status_code, message } => {
                let message = message.trim().to_string();
                match status_code {
                    404 => Error::NotFound { what: what.to_string(), detail: message },
                    409 => Error::Conflict { message: sentence(&message) },
                    500 if is_port_in_use(&message) => Error::PortInUse {
                        message: format!("{} Pick another host port or leave it empty for a random one.", port_sentence(&message)),
                    },
                    403 | 401 => Error::Engine { status: status_code, message: sentence(&message) },
                    _ => Error::Engine { status: status_code, message: sentence(&message) },
                }
            }
            B::SocketNotFoundError(path) => Error::EngineUnreachable { host: host.to_string(), reason: format!("no socket at {path}") },
            B::RequestTimeoutError => Error::EngineUnreachable { host: host.to_string(), reason: "it did not answer in time".into() },
            B::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => Error::PermissionDenied { host: host.to_string() },
            B::HyperResponseError { .. } | B::HttpClientError { .. } | B::HyperLegacyError { .. } | B::IOError { .. } => {
                let text = err_chain(&err);
                if text.contains("ermission denied") {
                    Error::PermissionDenied { host: host.to_string() }
                } else {
                    Error::EngineUnreachable { host: host.to_string(), reason: short_reason(&text) }
                }
            }
            other => Error::Internal(err_chain(&other)),
        }
    }
}

/// An error and its sources, joined with ": ".
pub(crate) fn err_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The last, most specific part of a connection error chain ("Connection refused (os error 111)").
fn short_reason(chain: &str) -> String {
    let last = chain.rsplit(": ").next().unwrap_or(chain);
    if last.contains("refused") {
        "the connection was refused".into()
    } else if last.contains("No such file") {
        "the socket does not exist".into()
    } else if chain.contains("connection closed before message completed") || chain.contains("error reading a body") {
        // hyper's words for an answer cut off midway: the engine went away during the call.
        "it went away in the middle of the answer".into()
    } else {
        last.to_string()
    }
}

/// Engine messages start lower-case and lack a full stop; make them read as sentences.
fn sentence(message: &str) -> String {
    let mut s = message.trim().to_string();
    if let Some(first) = s.get(0..1) {
        s.replace_range(0..1, &first.to_uppercase());
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

fn is_port_in_use(message: &str) -> bool {
    message.contains("port is already allocated") || message.contains("address already in use")
}

fn port_sentence(message: &str) -> String {
    // "... Bind for 0.0.0.0:8080 failed: port is already allocated"
    let port = message
        .split("Bind for ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|addr| addr.rsplit(':').next())
        .map(str::to_string);
    match port {
        Some(p) => format!("Host port {p} is already in use."),
        None => "A host port you asked for is already in use.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status_code: u16, message: &str) -> bollard::errors::Error {
        bollard::errors::Error::DockerResponseServerError { status_code, message: message.into() }
    }

    #[test]
    fn maps_status_codes() {
        let e = Error::from_engine(server(404, "No such container: web"), "Container web", "h");
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert_eq!(e.to_string(), "Container web was not found. It may have been removed meanwhile.");

        let e = Error::from_engine(server(409, "conflict: name in use"), "x", "h");
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert_eq!(e.to_string(), "Conflict: name in use.");
    }

    #[test]
    fn port_in_use_names_the_port() {
        let msg = "driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:8080 failed: port is already allocated";
        let e = Error::from_engine(server(500, msg), "x", "h");
        assert_eq!(e.code(), ErrorCode::PortInUse);
        assert!(e.to_string().starts_with("Host port 8080 is already in use."), "{e}");
    }

    #[test]
    fn missing_socket_is_unreachable() {
        let e = Error::from_engine(bollard::errors::Error::SocketNotFoundError("/nope.sock".into()), "x", "unix:///nope.sock");
        assert_eq!(e.code(), ErrorCode::EngineUnreachable);
        assert!(e.to_string().contains("no socket at /nope.sock"));
    }
}

/// An error as it crosses to the UI: `{code, message, detail, field}`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename = "IpcErrorPayload")]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    pub detail: String,
    pub field: Option<&'static str>,
}

impl From<&Error> for ErrorPayload {
    fn from(e: &Error) -> Self {
        ErrorPayload { code: e.code(), message: e.to_string(), detail: e.detail(), field: e.field() }
    }
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        ErrorPayload::from(&e)
    }
}

impl From<crate::problem::PipelineError> for Error {
    fn from(e: crate::problem::PipelineError) -> Self {
        Error::Pipeline(e)
    }
}
