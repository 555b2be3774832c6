//! What is wrong with a user's file, said so they can find and fix it: the file, the line, the
//! field or job, and a sentence; for a compose file ([`Problem`]) and a pipeline file
//! ([`PipelineError`]). It sits below `error`, which carries both.

use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "ComposeProblem")]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub file: Option<String>,
    pub line: Option<usize>,
    /// Dotted path of the field (`services.web.ports`), when one is at fault.
    pub field: Option<String>,
    /// What is wrong, in Compose's words (`services.web.image must be a string`).
    pub message: String,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem { file: None, line: None, field: None, message: message.into() }
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file.get_or_insert_with(|| file.to_string_lossy().into_owned());
        self
    }

    pub fn at(mut self, field: impl Into<String>, line: Option<usize>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self.line = self.line.or(line);
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.as_deref().map(|p| Path::new(p).file_name().map_or(p.into(), |n| n.to_string_lossy()));
        match (file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}, line {line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            _ => {}
        }
        f.write_str(&self.message)?;
        if !self.message.ends_with('.') {
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// A pipeline file GitLab would reject, or one Berth cannot load: the file, line and job,
/// and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub job: Option<String>,
    /// GitLab's words where it has them (`jobs:build config contains unknown keys: foo`).
    pub message: String,
}

impl std::fmt::Display for PipelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let file = self.file.as_deref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy());
        match (file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}, line {line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            _ => {}
        }
        if let Some(job) = &self.job {
            if !self.message.contains(job.as_str()) {
                write!(f, "job \"{job}\": ")?;
            }
        }
        f.write_str(&self.message)?;
        if !self.message.ends_with(['.', '!', '?']) {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl std::error::Error for PipelineError {}
