//! Pipeline runs per project, kept in Berth's data folder (never in the project): each run has
//! a folder (job logs, artifacts, dotenv reports: see [`run::job_dir`]) and one line in the
//! project's `runs.json`, written atomically. A run the app did not see end (it was killed) is
//! marked as interrupted on the next start.

use super::run::{self, JobStatus};
use crate::build::history::now_ms;
use crate::error::{Error, Result};
use crate::fsutil;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Runs kept per project; older ones are removed with their folders.
const KEPT: usize = 30;
/// A job log shown from a finished run is cut past this (the file keeps all of it).
const LOG_CAP: u64 = 32 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: String,
    /// Unix milliseconds.
    pub started_at: u64,
    pub finished_at: Option<u64>,
    /// `Running` until it ends; then `Success`, `Failed` or `Canceled`.
    pub status: JobStatus,
    /// The jobs a partial re-run ran (`None`: the whole pipeline).
    pub only: Option<Vec<String>>,
    pub jobs: Vec<RunJob>,
    /// Keys of a newer Berth, written back as they were.
    #[serde(flatten)]
    #[specta(skip)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// How one job of a kept run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunJob {
    pub name: String,
    pub status: JobStatus,
    pub allowed_failure: bool,
    pub reason: Option<String>,
    pub duration_secs: f64,
}

/// A file a job kept as an artifact, relative to the project dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    pub path: String,
    pub size: u64,
}

/// The runs of every project, under `<data>/pipelines/<project key>/`.
pub struct Runs {
    dir: PathBuf,
    /// One writer of the `runs.json` files at a time.
    lock: Mutex<()>,
}

impl Runs {
    pub fn new(data_dir: &Path) -> Runs {
        Runs { dir: data_dir.join("pipelines"), lock: Mutex::new(()) }
    }

    /// Berth's folder for the project at `root` (its runs and settings).
    pub fn project_dir(&self, root: &Path) -> PathBuf {
        self.dir.join(project_key(root))
    }

    /// Newest first.
    pub fn list(&self, root: &Path) -> Vec<RunRecord> {
        read_index(&self.project_dir(root))
    }

    /// Record a new run and make its folder; returns the record's id and the folder.
    pub fn begin(&self, root: &Path, only: Option<Vec<String>>) -> Result<(String, PathBuf)> {
        let _guard = self.lock.lock().unwrap();
        let project = self.project_dir(root);
        let mut runs = read_index(&project);
        let started_at = now_ms();
        let mut id = started_at.to_string();
        while runs.iter().any(|r| r.id == id) {
            id.push('1');
        }
        let dir = project.join("runs").join(&id);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("Making the run's folder", e))?;
        runs.insert(
            0,
            RunRecord {
                id: id.clone(),
                started_at,
                finished_at: None,
                status: JobStatus::Running,
                only,
                jobs: Vec::new(),
                other: Default::default(),
            },
        );
        for old in runs.drain(KEPT.min(runs.len())..) {
            let _ = std::fs::remove_dir_all(project.join("runs").join(old.id));
        }
        write_index(&project, &runs)?;
        Ok((id, dir))
    }

    /// Keep how the run ended, from the summary the executor left in its folder (none: the
    /// run was stopped before it could write one).
    pub fn finish(&self, root: &Path, id: &str) -> Result<()> {
        #[derive(Deserialize)]
        struct Summary {
            status: JobStatus,
            jobs: Vec<RunJob>,
        }
        let kept = std::fs::read(self.project_dir(root).join("runs").join(id).join("summary.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Summary>(&b).ok());
        let (status, jobs) = kept.map_or((JobStatus::Canceled, Vec::new()), |s| (s.status, s.jobs));
        self.update(&self.project_dir(root), |r| {
            if r.id == id {
                r.finished_at = Some(now_ms());
                r.status = status;
                r.jobs = jobs.clone();
            }
        })
    }

    /// Drop a run that never started (refused before any job ran).
    pub fn forget(&self, root: &Path, id: &str) {
        let project = self.project_dir(root);
        let _ = std::fs::remove_dir_all(project.join("runs").join(id));
        let _guard = self.lock.lock().unwrap();
        let mut runs = read_index(&project);
        runs.retain(|r| r.id != id);
        if let Err(e) = write_index(&project, &runs) {
            tracing::warn!("could not forget a pipeline run that did not start: {e}");
        }
    }

    /// Mark runs of every project that never ended (the app was killed) as canceled.
    pub fn close_interrupted(&self) -> Result<usize> {
        let mut closed = 0;
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            self.update(&entry.path(), |r| {
                if r.status == JobStatus::Running {
                    r.status = JobStatus::Canceled;
                    r.finished_at.get_or_insert(r.started_at);
                    closed += 1;
                }
            })?;
        }
        Ok(closed)
    }

    /// The folder of a kept run; only ids the project's list names (never a path).
    pub fn run_dir(&self, root: &Path, id: &str) -> Result<PathBuf> {
        let project = self.project_dir(root);
        if !read_index(&project).iter().any(|r| r.id == id) {
            return Err(Error::NotFound { what: format!("The pipeline run {id}"), detail: "not in the project's kept runs".into() });
        }
        Ok(project.join("runs").join(id))
    }

    /// A job's whole log as kept (already masked by the executor).
    pub fn log(&self, root: &Path, id: &str, job: &str) -> Result<Vec<u8>> {
        let file = run::job_dir(&self.run_dir(root, id)?, job).join("log.txt");
        if !file.exists() {
            return Ok(Vec::new());
        }
        fsutil::read_capped(&file, LOG_CAP, "The job log")
    }

    /// The files a job kept, by path.
    pub fn artifacts(&self, root: &Path, id: &str, job: &str) -> Result<Vec<Artifact>> {
        let base = run::job_dir(&self.run_dir(root, id)?, job).join("artifacts");
        let mut found = Vec::new();
        walk(&base, &base, &mut found);
        found.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(found)
    }

    /// The kept file of an artifact `path` (as [`Self::artifacts`] lists it); nothing outside.
    pub fn artifact_file(&self, root: &Path, id: &str, job: &str, path: &str) -> Result<PathBuf> {
        let listed = self.artifacts(root, id, job)?;
        if !listed.iter().any(|a| a.path == path) {
            return Err(Error::NotFound { what: format!("The artifact {path} of job {job}"), detail: String::new() });
        }
        Ok(run::job_dir(&self.run_dir(root, id)?, job).join("artifacts").join(path))
    }

    fn update(&self, project: &Path, mut change: impl FnMut(&mut RunRecord)) -> Result<()> {
        let _guard = self.lock.lock().unwrap();
        let mut runs = read_index(project);
        let before = runs.clone();
        runs.iter_mut().for_each(&mut change);
        if runs != before {
            write_index(project, &runs)?;
        }
        Ok(())
    }
}

/// Stable per canonical folder, so a moved project starts a new history.
fn project_key(root: &Path) -> String {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(24).collect())
        .unwrap_or_default();
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(root.to_string_lossy().as_bytes()));
    format!("{name}-{}", &hash[..12])
}

fn read_index(project: &Path) -> Vec<RunRecord> {
    std::fs::read(project.join("runs.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// A `runs.json` that cannot be read is kept as `runs.json.unreadable`, not overwritten.
fn write_index(project: &Path, runs: &[RunRecord]) -> Result<()> {
    fsutil::write_json(&project.join("runs.json"), &runs.to_vec(), 0o600)
}

/// A kept log as plain text for saving: ANSI escapes and GitLab's section markers removed.
pub fn plain_log(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
        } else {
            out.push(c);
        }
    }
    out.lines()
        .map(|l| {
            if l.starts_with("section_start:") || l.starts_with("section_end:") {
                l.split_once('\r').map_or("", |(_, rest)| rest)
            } else {
                l
            }
        })
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<Artifact>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = entry.path().symlink_metadata() else { continue };
        if meta.is_dir() {
            walk(base, &entry.path(), out);
        } else if let Ok(rel) = entry.path().strip_prefix(base) {
            out.push(Artifact { path: rel.to_string_lossy().replace('\\', "/"), size: meta.len() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_recorded_finished_listed_and_closed_when_interrupted() {
        let data = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let runs = Runs::new(data.path());
        let (id, dir) = runs.begin(project.path(), None).unwrap();
        assert!(dir.is_dir() && !dir.starts_with(project.path()));
        let job = run::job_dir(&dir, "build");
        std::fs::create_dir_all(job.join("artifacts/out")).unwrap();
        std::fs::write(job.join("artifacts/out/a.txt"), b"hi").unwrap();
        std::fs::write(job.join("log.txt"), b"line\n").unwrap();
        let summary = r#"{"id":"x","status":"success","jobs":[{"name":"build","status":"success","allowedFailure":false,"exitCode":0,"attempts":1,"reason":null,"durationSecs":1.5}]}"#;
        std::fs::write(dir.join("summary.json"), summary).unwrap();
        runs.finish(project.path(), &id).unwrap();
        let listed = runs.list(project.path());
        assert_eq!(listed[0].status, JobStatus::Success);
        assert_eq!(listed[0].jobs[0].duration_secs, 1.5);
        assert_eq!(runs.artifacts(project.path(), &id, "build").unwrap(), vec![Artifact { path: "out/a.txt".into(), size: 2 }]);
        assert_eq!(runs.log(project.path(), &id, "build").unwrap(), b"line\n");
        assert!(runs.artifact_file(project.path(), &id, "build", "../log.txt").is_err());
        assert!(runs.run_dir(project.path(), "../../etc").is_err());

        let (second, _) = runs.begin(project.path(), Some(vec!["build".into()])).unwrap();
        assert_ne!(second, id);
        assert_eq!(runs.close_interrupted().unwrap(), 1);
        assert_eq!(runs.list(project.path())[0].status, JobStatus::Canceled);
        runs.forget(project.path(), &second);
        assert_eq!(runs.list(project.path()).len(), 1);
    }

    #[test]
    fn keys_of_a_newer_berth_are_kept_and_an_unreadable_index_is_set_aside() {
        let data = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let runs = Runs::new(data.path());
        let (id, _) = runs.begin(project.path(), None).unwrap();
        let index = runs.project_dir(project.path()).join("runs.json");
        let mut kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
        kept[0]["fromNewer"] = serde_json::json!({"a": 1});
        std::fs::write(&index, kept.to_string()).unwrap();
        runs.finish(project.path(), &id).unwrap();
        runs.begin(project.path(), None).unwrap();
        let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
        assert_eq!(written[1]["fromNewer"]["a"], 1, "{written}");
        assert_eq!(written[1]["status"], "canceled");
        // A damaged index is kept aside, not replaced by a list of one run.
        std::fs::write(&index, b"[{\"id\": ").unwrap();
        runs.begin(project.path(), None).unwrap();
        assert_eq!(std::fs::read(index.with_extension("json.unreadable")).unwrap(), b"[{\"id\": ");
        assert_eq!(runs.list(project.path()).len(), 1);
    }

    #[test]
    fn a_saved_log_has_no_escapes_or_section_markers() {
        let log = b"\x1b[0Ksection_start:1700000000:step_script\r\x1b[0K\x1b[36;1mExecuting step\x1b[0;m\nhello\r\n\x1b[0Ksection_end:1700000001:step_script\r\x1b[0K\n";
        assert_eq!(plain_log(log), "Executing step\nhello\n");
    }
}
