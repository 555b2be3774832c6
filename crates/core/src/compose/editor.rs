//! The compose editor's reads and saves. The path comes over IPC, so it is trusted only when it
//! is one of the project's own files (its compose files, their includes and extends, as the
//! loader reads them), compared by canonical path: never `../../.bashrc`, nor a symlink out of
//! the project that the project does not itself load.

use super::{config_files, load, Options};
use crate::error::{Error, Result};
use crate::fsutil;
use std::path::{Path, PathBuf};

/// The text of `file`, one of the project's files.
pub fn read(opts: &Options, file: &Path) -> Result<String> {
    // A project that does not load still opens its top-level files, so they can be fixed.
    let members = match load(opts) {
        Ok(p) => p.sources,
        Err(problem) => config_files(opts).unwrap_or_default().into_iter().chain(problem.file.map(PathBuf::from)).collect(),
    };
    let own = member(file, &members)?;
    fsutil::read_text_capped(&own, super::load::MAX_FILE, "compose file")
}

/// Replace `file`, one of the project's files, with `text` (atomically, through a symlink, keeping
/// its mode); refused when the project would no longer load, so a save never breaks the stack.
pub fn save(opts: &Options, file: &Path, text: &str) -> Result<()> {
    let own = canonical(file)?;
    let with = |path: &Path| Options { texts: [(path.to_path_buf(), text.to_string())].into(), ..opts.clone() };
    let mut project = load(&with(file)).map_err(Error::Compose)?;
    // The loader may spell the path differently (through a symlinked folder): give it the text
    // under its own spelling, or the check above validated the file on disk instead.
    if let Some(spelled) = project.sources.iter().find(|s| s.as_path() != file && canonical(s).ok().as_ref() == Some(&own)).cloned() {
        project = load(&with(&spelled)).map_err(Error::Compose)?;
    }
    member(file, &project.sources)?;
    fsutil::write_atomic(&own, text.as_bytes(), 0o644)
}

/// `file`'s canonical path when it is one of `members`, else a sentence refusing it.
fn member(file: &Path, members: &[PathBuf]) -> Result<PathBuf> {
    let own = canonical(file)?;
    if members.iter().any(|m| canonical(m).ok().as_ref() == Some(&own)) {
        return Ok(own);
    }
    Err(Error::InvalidInput {
        field: Some("file"),
        message: format!(
            "{} is not one of this project's compose files (its compose files, includes and extends); \
             the editor opens and saves only those.",
            file.display()
        ),
    })
}

fn canonical(file: &Path) -> Result<PathBuf> {
    file.canonicalize().map_err(|e| Error::io(format!("Opening {}", file.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path) -> Options {
        std::fs::write(dir.join("compose.yaml"), "include: [inc.yaml]\nservices:\n  web:\n    image: busybox\n").unwrap();
        std::fs::write(dir.join("inc.yaml"), "services:\n  db:\n    image: busybox\n").unwrap();
        Options { project_dir: Some(dir.to_path_buf()), ..Default::default() }
    }

    #[test]
    fn reads_and_saves_only_the_projects_own_files() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("p");
        std::fs::create_dir(&dir).unwrap();
        let opts = project(&dir);
        std::fs::write(root.path().join(".bashrc"), "secret\n").unwrap();
        for outside in [dir.join("../.bashrc"), root.path().join(".bashrc")] {
            let err = read(&opts, &outside).unwrap_err().to_string();
            assert!(err.contains("is not one of this project's compose files"), "{err}");
            let err = save(&opts, &outside, "services: {}\n").unwrap_err().to_string();
            assert!(err.contains("is not one of this project's compose files"), "{err}");
        }
        // A symlink in the project pointing out is refused too: the project does not load it.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../.bashrc", dir.join("link.yaml")).unwrap();
            assert!(save(&opts, &dir.join("link.yaml"), "services: {}\n").is_err());
        }
        assert_eq!(std::fs::read_to_string(root.path().join(".bashrc")).unwrap(), "secret\n");
        // The included file is the project's own: read and saved (through `..` spellings too).
        assert!(read(&opts, &dir.join("inc.yaml")).unwrap().contains("db:"));
        save(&opts, &dir.join("../p/inc.yaml"), "services:\n  cache:\n    image: busybox\n").unwrap();
        assert!(std::fs::read_to_string(dir.join("inc.yaml")).unwrap().contains("cache:"));
    }

    #[test]
    fn a_save_that_would_break_the_project_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let opts = project(dir.path());
        let file = dir.path().join("compose.yaml");
        assert!(save(&opts, &file, "services:\n  web: [\n").is_err());
        assert!(std::fs::read_to_string(&file).unwrap().contains("web:"));
        // A file broken on disk still opens, to be fixed.
        std::fs::write(&file, "services: [\n").unwrap();
        assert_eq!(read(&opts, &file).unwrap(), "services: [\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_project_file_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let opts = project(dir.path());
        let real = dir.path().join("real.yaml");
        std::fs::rename(dir.path().join("inc.yaml"), &real).unwrap();
        std::os::unix::fs::symlink("real.yaml", dir.path().join("inc.yaml")).unwrap();
        save(&opts, &dir.path().join("inc.yaml"), "services:\n  cache:\n    image: busybox\n").unwrap();
        assert!(std::fs::symlink_metadata(dir.path().join("inc.yaml")).unwrap().file_type().is_symlink());
        assert!(std::fs::read_to_string(&real).unwrap().contains("cache:"));
    }
}
