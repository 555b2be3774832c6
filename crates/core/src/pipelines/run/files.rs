//! Files into and out of job containers: the project's git-tracked files as a tar (what a
//! runner's clone holds), artifacts picked from the container's project folder after a job and
//! kept on the host, and the tar that hands them to later jobs.

use crate::build::ignore::PatternMatcher;
use crate::error::{Error, Result};
use crate::pipelines::git::git_bytes;
use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// At most this much of `git ls-files` is read (some 200 000 paths).
const MAX_LISTING: usize = 16 << 20;

/// The files a job sees: `git ls-files` (tracked, as a clone has them); a folder that is not a
/// git repository gives all its files but `.git`.
pub fn tracked_files(root: &Path) -> Result<Vec<String>> {
    let Some(out) = git_bytes(root, &["ls-files", "-z", "--cached"], MAX_LISTING) else {
        let mut files = Vec::new();
        walk(root, root, &mut files)?;
        return Ok(files.into_iter().filter(|f| !f.ends_with('/')).collect());
    };
    Ok(out.split(|&b| b == 0).filter(|f| !f.is_empty()).map(|f| String::from_utf8_lossy(f).into_owned()).collect())
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(format!("Reading {}", dir.display()), e))? {
        let entry = entry.map_err(|e| Error::io(format!("Reading {}", dir.display()), e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(format!("Reading {}", path.display()), e))?;
        if kind.is_dir() {
            if entry.file_name() != ".git" {
                if let Ok(rel) = path.strip_prefix(root) {
                    files.push(format!("{}/", rel.to_string_lossy().replace('\\', "/")));
                }
                walk(root, &path, files)?;
            }
        } else if let Ok(rel) = path.strip_prefix(root) {
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// A tar placing `files` (relative to `root`; a trailing `/` marks a folder) under `dest`
/// (absolute, e.g. `/builds/ns/name`); uploaded at `/`. Files git lists but the worktree lacks
/// (deleted, not committed) are left out, and so is any path that is not plainly below `root`
/// (`..`, absolute, or through a symlinked folder: the index is the repository's word, not the
/// work tree's); a symlink is sent as a symlink, never followed. Modes are a runner's clone's (umask 0: 0666 files,
/// 0777 folders and executables), not the host's.
pub fn tar_of(root: &Path, files: &[String], dest: &str) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    let prefix = dest.trim_start_matches('/');
    // The folder itself first, so it exists (owned by root, 0777 as a runner's clone) even
    // for a project with no files.
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o777);
    dir.set_size(0);
    tar.append_data(&mut dir, format!("{prefix}/"), std::io::empty()).map_err(|e| Error::io("Packing the project", e))?;
    let real_root = fs::canonicalize(root).map_err(|e| Error::io("Reading the project", e))?;
    for file in files {
        if !below(&real_root, file) {
            continue;
        }
        let path = root.join(file);
        let name = format!("{prefix}/{file}");
        let packed = match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o777);
                h.set_size(0);
                tar.append_data(&mut h, &name, std::io::empty())
            }
            Ok(meta) if meta.is_file() => {
                use std::os::unix::fs::PermissionsExt;
                let mut h = tar::Header::new_gnu();
                h.set_metadata(&meta);
                h.set_uid(0);
                h.set_gid(0);
                h.set_mode(if meta.permissions().mode() & 0o111 != 0 { 0o777 } else { 0o666 });
                let body = fs::File::open(&path).map_err(|e| Error::io(format!("Reading {file}"), e))?;
                tar.append_data(&mut h, &name, body)
            }
            Ok(meta) if meta.file_type().is_symlink() => tar.append_path_with_name(&path, &name),
            _ => continue,
        };
        packed.map_err(|e| Error::io(format!("Packing {file}"), e))?;
    }
    tar.into_inner().map_err(|e| Error::io("Packing the project", e))
}

/// One tar of `parts` in order, as pieces to send one after the other, not copied (an entry
/// of a later part replaces the same path of an earlier one on extraction). Each part is a tar
/// as [`tar::Builder`] ends it: two zero blocks, which all but the last part lose.
pub fn chain_tars(parts: Vec<bytes::Bytes>) -> Vec<bytes::Bytes> {
    let last = parts.len().saturating_sub(1);
    parts.into_iter().enumerate().map(|(i, part)| part.slice(..kept_len(&part, i == last))).collect()
}

/// How much of a tar part goes into a chained tar: all of the last, the others without the two
/// zero blocks that end them.
fn kept_len(part: &[u8], last: bool) -> usize {
    const END: usize = 1024;
    let keep = if last { part.len() } else { part.len().saturating_sub(END) };
    debug_assert!(last || part[keep..].iter().all(|&b| b == 0), "a tar part that does not end in two zero blocks");
    keep
}

/// Whether `file` (relative) names an entry inside `root` (canonical) without passing through a
/// symlink or leaving by `..`.
fn below(root: &Path, file: &str) -> bool {
    let rel = Path::new(file.trim_end_matches('/'));
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return false;
    }
    match rel.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => fs::canonicalize(root.join(parent)).is_ok_and(|p| p == root.join(parent)),
        _ => true,
    }
}

/// What a job's `artifacts:` asks for, with `$VARS` already expanded.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub paths: Vec<String>,
    pub exclude: Vec<String>,
    /// Also every file that was not among the files the job started with.
    pub untracked: bool,
}

/// Extract the files of `selection` from `archive` (the engine's tar of the project folder,
/// whose entries start with the folder's own name) into `dest`; returns the paths kept.
/// Entries are untrusted: anything that would land outside `dest`, and links, are skipped.
pub fn extract_selected(archive: impl Read, selection: &Selection, started_with: &HashSet<String>, dest: &Path) -> Result<Vec<String>> {
    each_selected(archive, selection, started_with, |rel, entry| {
        let target = dest.join(rel);
        let kept = |e| Error::io(format!("Keeping {rel}"), e);
        if entry.header().entry_type() == tar::EntryType::Directory {
            // Kept so a folder whose files were all excluded (or that was empty) still exists.
            return fs::create_dir_all(&target).map_err(kept);
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(kept)?;
        }
        entry.unpack(&target).map(|_| ()).map_err(kept)
    })
}

/// The files of `selection` in `archive` (as for [`extract_selected`]) as a tar whose entries
/// are under `prefix` (relative, e.g. a cache volume's mount point), written to `out`; returns
/// the paths.
pub fn select_into_tar(
    archive: impl Read,
    selection: &Selection,
    started_with: &HashSet<String>,
    prefix: &str,
    out: impl std::io::Write,
) -> Result<Vec<String>> {
    let mut tar = tar::Builder::new(out);
    let kept = each_selected(archive, selection, started_with, |rel, entry| {
        let mut header = entry.header().clone();
        tar.append_data(&mut header, format!("{prefix}/{rel}"), entry).map_err(|e| Error::io(format!("Packing {rel}"), e))
    })?;
    tar.into_inner().and_then(|mut out| out.flush()).map_err(|e| Error::io("Packing the cache", e))?;
    Ok(kept)
}

/// Calls `take` with each regular file and folder of `archive` that `selection` picks (paths
/// matched as the runner matches them, `**` included; folders with all they hold; `untracked`:
/// files not in `started_with`; `exclude` last); returns their paths, folders ending in `/`.
fn each_selected<R: Read>(
    archive: R,
    selection: &Selection,
    started_with: &HashSet<String>,
    mut take: impl FnMut(&str, &mut tar::Entry<'_, R>) -> Result<()>,
) -> Result<Vec<String>> {
    let bad =
        |e: crate::build::ignore::PatternError| Error::invalid("artifacts", format!("An artifacts or cache path cannot be used: {e}."));
    let paths = PatternMatcher::new(&runner_patterns(&selection.paths)).map_err(bad)?;
    let exclude = PatternMatcher::new(&runner_patterns(&selection.exclude)).map_err(bad)?;
    let mut kept = Vec::new();
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().map_err(|e| Error::io("Reading the job's files", e))? {
        let mut entry = entry.map_err(|e| Error::io("Reading the job's files", e))?;
        let kind = entry.header().entry_type();
        if kind != tar::EntryType::Regular && kind != tar::EntryType::Directory {
            continue;
        }
        let Some(rel) = entry.path().ok().and_then(|p| relative(&p)) else {
            continue;
        };
        let wanted = (!selection.paths.is_empty() && paths.matches(&rel).unwrap_or(false))
            || (selection.untracked && kind == tar::EntryType::Regular && !started_with.contains(&rel) && !in_git_dir(&rel));
        if !wanted || exclude.matches(&rel).unwrap_or(false) {
            continue;
        }
        take(&rel, &mut entry)?;
        kept.push(if kind == tar::EntryType::Directory { format!("{rel}/") } else { rel });
    }
    kept.sort();
    Ok(kept)
}

/// `untracked` is what `git ls-files --others` lists in the job: never the `.git` folder itself.
fn in_git_dir(rel: &str) -> bool {
    rel == ".git" || rel.starts_with(".git/")
}

/// The runner's globs (doublestar) in the `.dockerignore` matcher's terms: `**` spans folders only
/// as a whole path segment; inside a segment (`cache/**.txt`) it is a plain `*`.
fn runner_patterns(patterns: &[String]) -> Vec<String> {
    let segment = |s: &str| if s == "**" { s.to_string() } else { s.replace("**", "*") };
    patterns.iter().map(|p| p.split('/').map(segment).collect::<Vec<_>>().join("/")).collect()
}

/// An entry's path below the archived folder (its first component dropped), if it is a
/// plain relative path.
fn relative(path: &Path) -> Option<String> {
    let mut parts = path.components();
    parts.next()?;
    let rest: PathBuf = parts.collect();
    if rest.as_os_str().is_empty() || !rest.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(rest.to_string_lossy().into_owned())
}

/// Every file and folder (with a trailing `/`) kept under `dir`, relative and slash-separated.
pub fn kept_files(dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut files)?;
    }
    files.sort();
    Ok(files)
}

/// An artifacts path as written, relative to the project: `$CI_PROJECT_DIR/x` (already
/// expanded to `builds_dir/x`) is accepted as the runner accepts it.
pub fn project_relative(path: &str, builds_dir: &str) -> String {
    match path.strip_prefix(builds_dir) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_start_matches('/').to_string(),
        _ => path.to_string(),
    }
}

/// `reports:dotenv`: `KEY=VALUE` lines (GitLab's format: no `export`, optional quotes).
pub fn parse_dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let (k, v) = line.split_once('=')?;
            let k = k.trim();
            if k.is_empty() || crate::pipelines::expand::name_len(k) != k.len() {
                return None;
            }
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, body) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut h, path, body.as_bytes()).unwrap();
        }
        tar.into_inner().unwrap()
    }

    #[test]
    fn joined_tars_hold_every_entry_in_order_and_the_last_copy_wins() {
        let joined = chain_tars(
            [archive(&[("p/a", "project"), ("p/b", "b")]), archive(&[("p/a", "artifact")]), archive(&[("s/run", "x")])]
                .map(Into::into)
                .to_vec(),
        )
        .concat();
        let dest = tempfile::tempdir().unwrap();
        let mut names = Vec::new();
        for entry in tar::Archive::new(&joined[..]).entries().unwrap() {
            let mut entry = entry.unwrap();
            names.push(entry.path().unwrap().to_string_lossy().into_owned());
            entry.unpack_in(dest.path()).unwrap();
        }
        assert_eq!(names, ["p/a", "p/b", "p/a", "s/run"]);
        assert_eq!(fs::read_to_string(dest.path().join("p/a")).unwrap(), "artifact");
    }

    #[test]
    fn globs_exclude_and_untracked_pick_the_files() {
        let tar = archive(&[
            ("proj/src/a.rs", "tracked"),
            ("proj/dist/app.js", "1"),
            ("proj/dist/deep/x.map", "2"),
            ("proj/dist/deep/y.js", "3"),
            ("proj/out.log", "new"),
        ]);
        let dest = tempfile::tempdir().unwrap();
        let started: HashSet<String> = ["src/a.rs".to_string()].into();
        let sel = Selection { paths: vec!["dist/".into()], exclude: vec!["**/*.map".into()], untracked: false };
        let kept = extract_selected(&tar[..], &sel, &started, dest.path()).unwrap();
        assert_eq!(kept, vec!["dist/app.js", "dist/deep/y.js"]);
        let mut with_dirs = archive(&[("proj/keep/gone.txt", "x")]);
        with_dirs.truncate(with_dirs.len() - 1024);
        let mut more = tar::Builder::new(with_dirs);
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o755);
        more.append_data(&mut h, "proj/keep/", std::io::empty()).unwrap();
        let bytes = more.into_inner().unwrap();
        let sel = Selection { paths: vec!["keep".into()], exclude: vec!["keep/**".into()], untracked: false };
        let dest = tempfile::tempdir().unwrap();
        assert_eq!(extract_selected(&bytes[..], &sel, &started, dest.path()).unwrap(), vec!["keep/"], "an emptied folder stays");
        let sel = Selection { paths: vec![], exclude: vec!["dist/**".into()], untracked: true };
        let dest = tempfile::tempdir().unwrap();
        assert_eq!(extract_selected(&tar[..], &sel, &started, dest.path()).unwrap(), vec!["out.log"]);
        assert_eq!(fs::read_to_string(dest.path().join("out.log")).unwrap(), "new");
    }

    #[test]
    fn a_cache_tar_holds_the_picked_files_under_its_prefix() {
        let tar = archive(&[
            ("proj/src/a.rs", "tracked"),
            ("proj/a/b/c/deep.o", "1"),
            ("proj/a/top.o", "2"),
            ("proj/a/top.c", "3"),
            ("proj/notes.md", "4"),
        ]);
        let started: HashSet<String> = ["src/a.rs".to_string()].into();
        let names = |paths: &[&str], untracked: bool| {
            let sel = Selection { paths: paths.iter().map(|p| p.to_string()).collect(), exclude: vec![], untracked };
            let mut out = Vec::new();
            let kept = select_into_tar(&tar[..], &sel, &started, "berth-ci-cache/0", &mut out).unwrap();
            let mut inside: Vec<String> =
                tar::Archive::new(&out[..]).entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
            inside.sort();
            assert_eq!(inside.len(), kept.len());
            inside
        };
        assert_eq!(names(&["a/**/*.o"], false), ["berth-ci-cache/0/a/b/c/deep.o", "berth-ci-cache/0/a/top.o"]);
        assert_eq!(runner_patterns(&["cache/**.txt".into(), "a/**/b".into(), "**".into()]), ["cache/*.txt", "a/**/b", "**"]);
        assert_eq!(names(&["**/*.o"], false), ["berth-ci-cache/0/a/b/c/deep.o", "berth-ci-cache/0/a/top.o"]);
        assert_eq!(
            names(&[], true),
            ["berth-ci-cache/0/a/b/c/deep.o", "berth-ci-cache/0/a/top.c", "berth-ci-cache/0/a/top.o", "berth-ci-cache/0/notes.md"],
            "untracked: all but the tracked file"
        );
    }

    #[test]
    fn dotenv_lines() {
        assert_eq!(
            parse_dotenv("A=1\n# c\nB=\"two words\"\nbad line\nC='x=y'\n"),
            vec![("A".into(), "1".into()), ("B".into(), "two words".into()), ("C".into(), "x=y".into())]
        );
    }
}
