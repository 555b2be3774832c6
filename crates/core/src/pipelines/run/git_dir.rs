//! The `.git` a job finds in its folder, as a runner's shallow fetch leaves one: the pipeline's
//! commit and its tree only (depth 1), HEAD detached at `CI_COMMIT_SHA`, the branch as
//! `origin/<branch>` (a tag as the tag), `origin` at `CI_REPOSITORY_URL`, and an index of the
//! commit. So `git rev-parse HEAD`, `git log -1`, `git describe --tags` on a tag pipeline,
//! `git status` and `git diff` work in a job. It is made once per run in a temporary repository
//! from the project's objects, read through [`git_with_input`]'s guards (bounded time and size);
//! the project's own `.git` (its config, hooks, other history) never reaches a job.

use super::files::tar_of;
use crate::pipelines::git::{git, git_with_input};
use std::path::Path;

/// A larger pack (a project whose commit holds that much, compressed) is not copied: the job
/// gets no `.git`, and the run's log says so.
const MAX_PACK: usize = 256 << 20;

/// The commit a run is for, as the pipeline's predefined variables name it.
pub struct Commit<'a> {
    pub sha: &'a str,
    pub branch: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub url: &'a str,
}

/// A tar placing the `.git` under `dest` (the job's project folder), or why there is none.
/// `scratch` (a folder that does not exist yet) holds the repository it is made in, and is
/// removed again.
pub fn tar(root: &Path, commit: &Commit, dest: &str, scratch: &Path) -> Result<Vec<u8>, String> {
    let made = tar_in(root, commit, dest, scratch);
    let _ = std::fs::remove_dir_all(scratch);
    made
}

fn tar_in(root: &Path, commit: &Commit, dest: &str, scratch: &Path) -> Result<Vec<u8>, String> {
    let no_commit = || "the folder has no commit".to_string();
    let tree = git(root, &["rev-parse", "--verify", "--quiet", &format!("{}^{{tree}}", commit.sha)]).ok_or_else(no_commit)?;
    let format = git(root, &["rev-parse", "--show-object-format"]).unwrap_or_else(|| "sha1".into());
    let listing = git_with_input(root, &["ls-tree", "-r", "-t", "-z", "--full-tree", commit.sha], Vec::new(), 64 << 20)
        .ok_or_else(|| "its commit's files could not be listed".to_string())?;
    // "<mode> <type> <object>\t<path>": trees and blobs (a submodule's commit is not here).
    let mut objects = format!("{}\n{tree}\n", commit.sha);
    for entry in listing.split(|&b| b == 0) {
        let head = entry.split(|&b| b == b'\t').next().unwrap_or_default();
        let mut fields = std::str::from_utf8(head).unwrap_or_default().split(' ');
        if let (Some(_), Some("tree" | "blob"), Some(object)) = (fields.next(), fields.next(), fields.next()) {
            objects.push_str(object);
            objects.push('\n');
        }
    }
    let pack = git_with_input(root, &["pack-objects", "--stdout", "-q"], objects.into_bytes(), MAX_PACK)
        .ok_or_else(|| format!("its commit's files could not be packed within the limits ({} MiB, 10 s)", MAX_PACK >> 20))?;

    std::fs::create_dir_all(scratch).map_err(|e| format!("{} could not be made: {e}", scratch.display()))?;
    let repo = scratch.join("r");
    let made = || format!("git could not set it up in {}", scratch.display());
    let fmt = format!("--object-format={format}");
    git(scratch, &["init", "-q", &fmt, "r"]).ok_or_else(made)?;
    git_with_input(&repo, &["index-pack", "--stdin"], pack, 1 << 10).ok_or_else(made)?;
    std::fs::write(repo.join(".git/shallow"), format!("{}\n", commit.sha)).map_err(|_| made())?;
    git(&repo, &["update-ref", "--no-deref", "HEAD", commit.sha]).ok_or_else(made)?;
    if let Some(branch) = commit.branch {
        git(&repo, &["update-ref", &format!("refs/remotes/origin/{branch}"), commit.sha]).ok_or_else(made)?;
    }
    if let Some(tag) = commit.tag {
        git(&repo, &["update-ref", &format!("refs/tags/{tag}"), commit.sha]).ok_or_else(made)?;
    }
    git(&repo, &["config", "remote.origin.url", commit.url]).ok_or_else(made)?;
    git(&repo, &["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"]).ok_or_else(made)?;
    git(&repo, &["read-tree", commit.sha]).ok_or_else(made)?;
    // git's sample hooks and description: nothing a job needs.
    let _ = std::fs::remove_dir_all(repo.join(".git/hooks"));
    let _ = std::fs::remove_file(repo.join(".git/description"));

    let mut files = vec![".git/".to_string()];
    list(&repo, &repo.join(".git"), &mut files).map_err(|_| made())?;
    tar_of(&repo, &files, dest).map_err(|e| e.to_string())
}

fn list(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let rel = path.strip_prefix(root).map_err(std::io::Error::other)?.to_string_lossy().into_owned();
        if path.is_dir() {
            out.push(format!("{rel}/"));
            list(root, &path, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}
