//! Opening a project folder: what it holds that Berth can act on (Dockerfiles, compose
//! files, a GitLab pipeline) and which language it is written in, for a starter Dockerfile.
//! The UI offers actions from these facts; features that act on compose files or pipelines
//! read `compose_files` / `pipeline` and need nothing else from here.

use crate::error::{Error, Result};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};

/// How deep sub-folders are searched for Dockerfiles and compose files.
const MAX_DEPTH: usize = 4;
/// Folders that hold dependencies or build output, never a project's own Dockerfile.
const SKIPPED: &[&str] = &["node_modules", "target", "vendor", "dist", "build", "__pycache__", "venv", ".venv"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    Rust,
    Go,
    Node,
    Python,
    Static,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub folder: PathBuf,
    /// The folder's own name.
    pub name: String,
    /// Slash paths relative to the folder, shallowest first, then by name.
    pub dockerfiles: Vec<String>,
    /// compose.yaml, docker-compose.yml and their overrides.
    pub compose_files: Vec<String>,
    /// `.gitlab-ci.yml`, when present at the top.
    pub pipeline: Option<String>,
    pub language: Option<Language>,
}

/// Look at `folder`. A file or a missing path is refused with a sentence.
pub fn open(folder: &Path) -> Result<Project> {
    let meta = fs::metadata(folder).map_err(|_| Error::invalid("folder", format!("{} does not exist.", folder.display())))?;
    if !meta.is_dir() {
        return Err(Error::invalid("folder", format!("{} is a file. Drop or choose the project's folder instead.", folder.display())));
    }
    let folder = fs::canonicalize(folder).map_err(|e| Error::io("Opening the folder", e))?;
    let mut found = Vec::new();
    scan(&folder, "", 0, &mut found);
    found.sort_by_key(|p: &String| (p.matches('/').count(), p.clone()));
    let dockerfiles = found.iter().filter(|p| is_dockerfile(base(p))).cloned().collect();
    let compose_files = found.iter().filter(|p| is_compose(base(p))).cloned().collect();
    let pipeline = folder.join(".gitlab-ci.yml").is_file().then(|| ".gitlab-ci.yml".to_string());
    Ok(Project {
        name: folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        language: detect_language(&folder),
        folder,
        dockerfiles,
        compose_files,
        pipeline,
    })
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn scan(root: &Path, rel: &str, depth: usize, found: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(rel)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if depth < MAX_DEPTH && !name.starts_with('.') && !SKIPPED.contains(&name.as_str()) {
                scan(root, &path, depth + 1, found);
            }
        } else if is_dockerfile(&name) || is_compose(&name) {
            found.push(path);
        }
    }
}

/// Dockerfile, Containerfile, `*.Dockerfile`, `Dockerfile.*` (not their ignore files).
pub fn is_dockerfile(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    matches!(name, "Dockerfile" | "Containerfile")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
}

/// `compose.yaml`, `docker-compose.yml`, `compose.override.yaml`, `docker-compose.prod.yml`, …
pub fn is_compose(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else { return false };
    ["compose", "docker-compose"].iter().any(|p| stem == *p || stem.strip_prefix(p).is_some_and(|rest| rest.starts_with('.')))
}

fn detect_language(folder: &Path) -> Option<Language> {
    let has = |name: &str| folder.join(name).exists();
    if has("Cargo.toml") {
        Some(Language::Rust)
    } else if has("go.mod") {
        Some(Language::Go)
    } else if has("package.json") {
        Some(Language::Node)
    } else if ["pyproject.toml", "requirements.txt", "setup.py", "Pipfile"].iter().any(|f| has(f)) {
        Some(Language::Python)
    } else if has("index.html") || has("public/index.html") {
        Some(Language::Static)
    } else {
        None
    }
}

/// The folder name as an image name: lower case, `[a-z0-9._-]`, starting with a letter or digit.
pub fn default_tag(folder: &Path) -> String {
    let name = folder.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let trimmed = cleaned.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if trimmed.is_empty() {
        "app".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_folder_holds() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "Dockerfile",
            "api/Containerfile",
            "web/prod.Dockerfile",
            "Dockerfile.dev",
            "Dockerfile.dockerignore",
            "compose.yaml",
            "compose.override.yml",
            "docker-compose.prod.yml",
            "node_modules/x/Dockerfile",
            ".gitlab-ci.yml",
            "go.mod",
            "composer.json",
        ] {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "").unwrap();
        }
        let p = open(dir.path()).unwrap();
        assert_eq!(p.dockerfiles, ["Dockerfile", "Dockerfile.dev", "api/Containerfile", "web/prod.Dockerfile"]);
        assert_eq!(p.compose_files, ["compose.override.yml", "compose.yaml", "docker-compose.prod.yml"]);
        assert_eq!(p.pipeline.as_deref(), Some(".gitlab-ci.yml"));
        assert_eq!(p.language, Some(Language::Go));
    }

    #[test]
    fn a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Dockerfile");
        fs::write(&file, "").unwrap();
        assert!(open(&file).unwrap_err().to_string().contains("is a file"));
    }

    #[test]
    fn tags_from_folder_names() {
        assert_eq!(default_tag(Path::new("/x/My Project")), "my-project");
        assert_eq!(default_tag(Path::new("/x/_web_")), "web");
        assert_eq!(default_tag(Path::new("/x/___")), "app");
    }
}
