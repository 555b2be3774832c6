//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): untrusted bytes through the
//! code the app runs on them, with no engine, keychain or helper process. Each returns what it
//! decoded so a target can check invariants.

use crate::build::progress::Fold;
use crate::build::BuildEvent;
use crate::containers::logs::{LogLine, Splitter};
use crate::containers::stats::{sample, StatsSample};
use crate::registry::helper;
use bollard::container::LogOutput;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// The editor's validation (`compose_validate`): `text` as the project's only compose file, in a
/// folder that does not exist (no `.env`; relative `include`/`extends`/`env_file` fail to read).
pub fn compose(text: &str) -> Result<crate::compose::Project, crate::compose::Problem> {
    let dir = PathBuf::from("/nonexistent/berth-fuzz");
    let file = dir.join("compose.yaml");
    let opts = crate::compose::Options {
        project_dir: Some(dir),
        files: vec![file.clone()],
        env: BTreeMap::from([("USER".into(), "fuzz".into())]),
        texts: HashMap::from([(file, text.to_string())]),
        ..Default::default()
    };
    crate::compose::load(&opts)
}

/// The pipeline loader on one `.gitlab-ci.yml` text, in a scratch folder of this process that is
/// not a git repository (so the loader's fallbacks apply), as a dropped folder's file is read.
pub fn pipeline(text: &str) -> Result<crate::pipelines::Pipeline, crate::pipelines::PipelineError> {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("berth-fuzz-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    });
    std::fs::write(dir.join(".gitlab-ci.yml"), text).expect("scratch file");
    crate::pipelines::load(&crate::pipelines::LoadOptions { root: dir.clone(), pipeline_id: 1, ..Default::default() })
}

/// A log stream's chunks, `(stderr, bytes)` each, split into lines as the log viewer does.
pub fn log_lines(chunks: Vec<(bool, Vec<u8>)>) -> Vec<LogLine> {
    let mut splitter = Splitter::default();
    let mut lines = Vec::new();
    for (err, bytes) in chunks {
        let message = bytes.into();
        splitter.push(if err { LogOutput::StdErr { message } } else { LogOutput::StdOut { message } }, &mut lines);
    }
    splitter.finish(&mut lines);
    lines
}

/// One JSON document of the engine's stats stream, decoded as bollard does, then folded into
/// what the stats view shows.
pub fn stats(json: &[u8]) -> Option<StatsSample> {
    serde_json::from_slice(json).ok().map(|raw| sample(&raw))
}

/// A credential helper's standard output for `get`, `list`, and a failed call.
pub fn helper_answer(out: &[u8]) {
    let _ = helper::read_get("fuzz", out);
    let _ = helper::read_list("fuzz", out);
    let _ = helper::failed("docker-credential-fuzz", "get", &"exit status: 1", out, b"");
}

/// The engine's `/build` stream, one JSON message a line (BuildKit's progress inside them as
/// base64 protobuf), folded into steps as the build view shows them; and `bytes` decoded as
/// one BuildKit `StatusResponse` themselves.
pub fn build_stream(bytes: &[u8]) -> Vec<BuildEvent> {
    let _ = crate::build::status::decode(bytes);
    let mut fold = Fold::new("FROM busybox AS base\nRUN make\nFROM base\nCOPY . /app\nRUN <<EOF\necho\nEOF\n");
    let mut events = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        if let Ok(message) = serde_json::from_slice(line) {
            fold.apply(message, &mut events);
        }
    }
    fold.finish(&mut events);
    events
}
