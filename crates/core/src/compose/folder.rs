//! A project folder as the app opens it: loaded with the app's own environment, as the Compose
//! CLI would load it there, off the async workers; with its orphans when an engine answers; and
//! the editor's check, read and save of its files.

use super::{editor, load_async, orphans, Options, Problem, Project, ProjectInfo};
use crate::blocking::{self, FOLDER_TIMEOUT};
use crate::error::{Error, Result};
use crate::Engine;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The options to load the project in `dir` with this process's environment; `texts` stand in
/// for files being edited.
pub fn options(dir: &Path, profiles: Vec<String>, texts: Vec<(PathBuf, String)>) -> Options {
    Options {
        project_dir: Some(dir.to_path_buf()),
        env: std::env::vars().collect(),
        profiles,
        texts: texts.into_iter().collect(),
        ..Default::default()
    }
}

/// Load the project in `dir` (off the async workers, with a time limit).
pub async fn load(dir: &Path, profiles: Vec<String>) -> Result<Project> {
    load_async(options(dir, profiles, vec![])).await
}

/// The folder as the UI shows it; its orphans only when an engine answers (a folder opens
/// without one, and then nothing is orphaned).
pub async fn open(engine: Option<&Engine>, dir: &Path, profiles: Vec<String>) -> Result<ProjectInfo> {
    let project = load(dir, profiles).await?;
    let orphans = match engine {
        Some(engine) => orphans::find(engine, &project).await?,
        None => vec![],
    };
    Ok(ProjectInfo::new(project, orphans))
}

/// The editor's view of a file being typed: what is wrong (file, line, field), or the resolved
/// configuration it gives.
#[derive(Debug, Serialize, specta::Type)]
#[serde(rename = "ComposeValidation")]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    pub problem: Option<Problem>,
    pub project: Option<ProjectInfo>,
}

/// Check `text` as the content of `file` in the project in `dir`.
pub async fn validate(dir: &Path, file: &Path, text: String, profiles: Vec<String>) -> Result<Validation> {
    Ok(match load_async(options(dir, profiles, vec![(file.to_path_buf(), text)])).await {
        Ok(p) => Validation { problem: None, project: Some(ProjectInfo::new(p, vec![])) },
        Err(Error::Compose(problem)) => Validation { problem: Some(problem), project: None },
        Err(e) => return Err(e),
    })
}

/// One of the project's own files, for the editor (any other path is refused).
pub async fn read(dir: &Path, file: &Path) -> Result<String> {
    let (opts, file) = (options(dir, vec![], vec![]), file.to_path_buf());
    blocking::run("Reading the compose file", FOLDER_TIMEOUT, move || editor::read(&opts, &file)).await
}

/// Save the editor's text to one of the project's own files; refuses a text that does not load.
pub async fn save(dir: &Path, file: &Path, text: String) -> Result<()> {
    let (opts, file) = (options(dir, vec![], vec![]), file.to_path_buf());
    blocking::run("Saving the compose file", FOLDER_TIMEOUT, move || editor::save(&opts, &file, &text)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("compose.yaml");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn options_carry_the_process_environment_and_the_edited_text() {
        let (dir, file) = folder("services: {}\n");
        let o = options(dir.path(), vec!["debug".into()], vec![(file.clone(), "x".into())]);
        assert_eq!(o.env.get("PATH"), std::env::var("PATH").ok().as_ref());
        assert_eq!((o.profiles, o.texts[&file].as_str()), (vec!["debug".to_string()], "x"));
    }

    #[tokio::test]
    async fn a_folder_opens_without_an_engine() {
        let (dir, _) = folder("services:\n  web:\n    image: nginx\n    profiles: [debug]\n  db:\n    image: postgres\n");
        let info = open(None, dir.path(), vec![]).await.unwrap();
        assert_eq!((info.services, info.disabled, info.orphans.len()), (vec!["db".to_string()], vec!["web".to_string()], 0));
    }

    #[tokio::test]
    async fn validate_says_the_problem_or_the_project() {
        let (dir, file) = folder("services:\n  web:\n    image: nginx\n");
        let bad = validate(dir.path(), &file, "services:\n  web:\n    image: [1]\n".into(), vec![]).await.unwrap();
        assert_eq!(bad.problem.unwrap().field.as_deref(), Some("services.web.image"));
        let good = validate(dir.path(), &file, "services:\n  api:\n    image: nginx\n".into(), vec![]).await.unwrap();
        assert_eq!(good.project.unwrap().services, ["api"]);
    }

    #[tokio::test]
    async fn the_editor_reads_and_saves_only_the_project_files() {
        let (dir, file) = folder("services:\n  web:\n    image: nginx\n");
        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "private").unwrap();
        assert!(read(dir.path(), &other).await.is_err());
        save(dir.path(), &file, "services:\n  web:\n    image: caddy\n".into()).await.unwrap();
        assert!(read(dir.path(), &file).await.unwrap().contains("caddy"));
        assert!(save(dir.path(), &file, "services: [\n".into()).await.is_err());
    }
}
