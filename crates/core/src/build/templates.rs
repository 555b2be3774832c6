//! Starter Dockerfiles for a folder that has none, one per detected language. The UI shows
//! the text for review (and editing) before [`write`] puts it on disk; nothing is overwritten.

use super::project::Language;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Starter {
    pub language: Language,
    pub dockerfile: String,
    pub dockerignore: String,
}

pub fn starter(language: Language) -> Starter {
    let (dockerfile, dockerignore) = match language {
        Language::Rust => (RUST, "target\n.git\n"),
        Language::Go => (GO, ".git\nbin\n"),
        Language::Node => (NODE, "node_modules\n.git\nnpm-debug.log\n"),
        Language::Python => (PYTHON, ".git\n__pycache__\n*.pyc\n.venv\nvenv\n"),
        Language::Static => (STATIC, ".git\nDockerfile\n.dockerignore\n"),
    };
    Starter { language, dockerfile: dockerfile.into(), dockerignore: dockerignore.into() }
}

/// Write the reviewed starter: `Dockerfile`, and `.dockerignore` unless one exists.
pub fn write(folder: &Path, starter: &Starter) -> Result<()> {
    let create = |name: &str, text: &str| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(folder.join(name))?;
        f.write_all(text.as_bytes())
    };
    create("Dockerfile", &starter.dockerfile).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::Conflict {
            message: "The folder already has a Dockerfile; Berth leaves it as it is. Open the folder again to build it.".into(),
        },
        _ => Error::io(format!("Writing the Dockerfile in {}", folder.display()), e),
    })?;
    match create(".dockerignore", &starter.dockerignore) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(Error::io("Writing .dockerignore", e)),
        _ => Ok(()),
    }
}

const RUST: &str = r#"# Build in the full toolchain image, run in a small one.
FROM rust:1 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release && cp target/release/$(cargo metadata --no-deps --format-version 1 | sed -n 's/.*"targets":\[{[^}]*"name":"\([^"]*\)".*/\1/p' | head -n1) /app

FROM debian:bookworm-slim
COPY --from=build /app /usr/local/bin/app
CMD ["app"]
"#;

const GO: &str = r#"FROM golang:1 AS build
WORKDIR /src
COPY go.* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM gcr.io/distroless/static
COPY --from=build /app /app
ENTRYPOINT ["/app"]
"#;

const NODE: &str = r#"FROM node:lts-slim
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
EXPOSE 3000
CMD ["npm", "start"]
"#;

const PYTHON: &str = r#"FROM python:3-slim
WORKDIR /app
COPY requirements*.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["python", "main.py"]
"#;

const STATIC: &str = r#"FROM nginx:alpine
COPY . /usr/share/nginx/html
EXPOSE 80
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "mine\n").unwrap();
        let s = starter(Language::Node);
        write(dir.path(), &s).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), s.dockerfile);
        assert_eq!(std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap(), "mine\n");
        assert_eq!(write(dir.path(), &s).unwrap_err().code(), crate::ErrorCode::Conflict);
    }

    #[test]
    fn every_starter_parses_with_a_stage() {
        for l in [Language::Rust, Language::Go, Language::Node, Language::Python, Language::Static] {
            assert!(!super::super::dockerfile::Dockerfile::parse(&starter(l).dockerfile).stages.is_empty());
        }
    }
}
