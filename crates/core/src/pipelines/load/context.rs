//! What every loading step reads: the project, its repository facts, the caller's options,
//! the files read so far (for lines in errors), and, computed once on demand, the project's
//! files and the changes against a base.

use super::repo::{self, Repo};
use super::LoadOptions;
use crate::compose::yaml::Doc;
use crate::pipelines::model::PipelineError;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Ctx<'a> {
    /// The project folder, canonical.
    pub root: PathBuf,
    pub repo: Repo,
    pub options: &'a LoadOptions,
    /// Every file read, the root pipeline file first, with its parsed lines.
    pub sources: Vec<(PathBuf, Doc)>,
    files: OnceCell<Vec<String>>,
    changes: RefCell<HashMap<String, Option<Vec<String>>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(root: PathBuf, repo: Repo, options: &'a LoadOptions) -> Self {
        Ctx { root, repo, options, sources: Vec::new(), files: OnceCell::new(), changes: RefCell::default() }
    }

    pub fn files(&self) -> &[String] {
        self.files.get_or_init(|| repo::files(&self.root, self.repo.is_git))
    }

    /// Files changed against `compare_to` (default: the default branch); `None` = unknown
    /// base, every `changes` matches. [`LoadOptions::changed_files`] replaces the default.
    pub fn changed(&self, compare_to: Option<&str>) -> Option<Vec<String>> {
        if compare_to.is_none() {
            if let Some(given) = &self.options.changed_files {
                return Some(given.clone());
            }
        }
        let base = compare_to.unwrap_or(&self.repo.default_branch).to_string();
        self.changes.borrow_mut().entry(base.clone()).or_insert_with(|| repo::changed_files(&self.root, &base)).clone()
    }

    /// The file and line of dotted `key` (`test-job.script.0`): the root file wins, then the
    /// included files, last read first (as their values override).
    pub fn locate(&self, key: &str) -> (Option<PathBuf>, Option<usize>) {
        let order = self.sources.first().into_iter().chain(self.sources.iter().skip(1).rev());
        for (path, doc) in order {
            if let Some(line) = doc.lines.get(key) {
                return (Some(path.clone()), Some(*line));
            }
        }
        let parent = key.rfind('.').map(|i| &key[..i]).filter(|p| !p.is_empty());
        match parent {
            Some(p) => self.locate(p),
            None => (self.sources.first().map(|s| s.0.clone()), None),
        }
    }

    /// An error at dotted `key`, naming `job` when there is one.
    pub fn error(&self, job: Option<&str>, key: &str, message: impl Into<String>) -> PipelineError {
        let (file, line) = self.locate(key);
        PipelineError { file, line, job: job.map(str::to_string), message: message.into() }
    }

    /// An error about a file as a whole (or a place in it).
    pub fn file_error(path: &Path, line: Option<usize>, message: impl Into<String>) -> PipelineError {
        PipelineError { file: Some(path.to_path_buf()), line, job: None, message: message.into() }
    }
}

impl Ctx<'_> {
    /// The keys of the mapping at dotted `path` in file order. A mapping reached another way
    /// (through `extends` or an alias) is found by a path ending in `suffix` with the same
    /// keys; otherwise the keys stay sorted.
    pub fn key_order(&self, path: &str, suffix: &str, map: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
        let same = |keys: &Vec<String>| keys.len() == map.len() && keys.iter().all(|k| map.contains_key(k));
        let docs = || self.sources.iter().map(|(_, d)| d);
        let exact = docs().find_map(|d| d.order.get(path).filter(|k| same(k)));
        let found = exact.or_else(|| docs().find_map(|d| d.order.iter().find(|(p, k)| p.ends_with(suffix) && same(k)).map(|(_, k)| k)));
        found.cloned().unwrap_or_else(|| map.keys().cloned().collect())
    }
}
