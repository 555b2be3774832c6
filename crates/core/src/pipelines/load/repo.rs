//! What the folder's git repository says about the commit a local pipeline is for: the
//! values behind the predefined `CI_*` variables, the files `exists` sees and the files
//! `changes` compares. A folder without git gets the fallbacks [`Repo::read`] states.

use crate::pipelines::git::git;
use std::path::Path;

/// At most this many files are listed for `exists`, `changes` and include wildcards
/// (GitLab stops `exists` after 10 000 checks).
pub const MAX_FILES: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub sha: String,
    /// `Some` for a branch pipeline (HEAD on a branch).
    pub branch: Option<String>,
    /// `Some` for a tag pipeline (HEAD detached at a tag).
    pub tag: Option<String>,
    pub default_branch: String,
    /// `origin`'s URL, if any.
    pub remote: Option<String>,
    pub message: String,
    pub timestamp: String,
    pub author: String,
    pub user_name: String,
    pub user_email: String,
    /// Whether the folder is a git work tree at all.
    pub is_git: bool,
}

impl Repo {
    /// Reads `root`'s repository. Without git (or without a commit): sha of zeros, branch
    /// `main`, default branch `main`, no remote, no commit message.
    pub fn read(root: &Path) -> Repo {
        let g = |args: &[&str]| git(root, args).filter(|s| !s.is_empty());
        // A dozen questions, asked at once: each is a process of its own, and a run waits for
        // the answers before its first job.
        std::thread::scope(|scope| {
            let ask = |args: &'static [&'static str]| scope.spawn(move || g(args));
            let answer = |h: std::thread::ScopedJoinHandle<'_, Option<String>>| h.join().ok().flatten();
            let user_name = ask(&["config", "user.name"]);
            let user_email = ask(&["config", "user.email"]);
            let inside = ask(&["rev-parse", "--is-inside-work-tree"]);
            let sha = ask(&["rev-parse", "HEAD"]);
            let branch = ask(&["symbolic-ref", "--short", "-q", "HEAD"]);
            let tag = ask(&["describe", "--tags", "--exact-match", "HEAD"]);
            let origin_head = ask(&["symbolic-ref", "--short", "-q", "refs/remotes/origin/HEAD"]);
            let init_default = ask(&["config", "init.defaultBranch"]);
            // One `git log` for all three: the message last, since it may hold anything but NUL.
            let log = ask(&["log", "-1", "--format=%cI%x00%an <%ae>%x00%B"]);
            let remote = ask(&["remote", "get-url", "origin"]);
            let (user_name, user_email) = (answer(user_name).unwrap_or_default(), answer(user_email).unwrap_or_default());
            if answer(inside).as_deref() != Some("true") {
                return Repo {
                    sha: "0".repeat(40),
                    branch: Some("main".into()),
                    tag: None,
                    default_branch: "main".into(),
                    remote: None,
                    message: String::new(),
                    timestamp: String::new(),
                    author: String::new(),
                    user_name,
                    user_email,
                    is_git: false,
                };
            }
            let branch = answer(branch);
            let tag = answer(tag).filter(|_| branch.is_none());
            let default_branch = answer(origin_head)
                .map(|r| r.trim_start_matches("origin/").to_string())
                .or_else(|| answer(init_default))
                .unwrap_or_else(|| "main".into());
            let log = answer(log).unwrap_or_default();
            let mut log = log.splitn(3, '\0').map(|s| s.trim().to_string());
            let (timestamp, author, message) =
                (log.next().unwrap_or_default(), log.next().unwrap_or_default(), log.next().unwrap_or_default());
            Repo {
                branch,
                tag,
                default_branch,
                remote: answer(remote),
                message,
                timestamp,
                author,
                user_name,
                user_email,
                sha: answer(sha).unwrap_or_else(|| "0".repeat(40)),
                is_git: true,
            }
        })
    }

    /// `CI_COMMIT_REF_NAME`: the branch or the tag.
    pub fn ref_name(&self) -> &str {
        self.branch.as_deref().or(self.tag.as_deref()).unwrap_or(&self.sha[..8])
    }
}

/// The project's files (slash-separated, relative): git's tracked files, or a bounded walk
/// of the folder (no `.git`, no symlinked folders) when it is not a repository.
pub fn files(root: &Path, is_git: bool) -> Vec<String> {
    if is_git {
        if let Some(out) = git(root, &["ls-files", "-z"]) {
            return out.split('\0').filter(|f| !f.is_empty()).take(MAX_FILES).map(str::to_string).collect();
        }
    }
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() && e.file_name() != ".git" {
                stack.push(path);
            } else if !kind.is_dir() {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
            if out.len() >= MAX_FILES {
                return out;
            }
        }
    }
    out.sort();
    out
}

/// Files changed against `base` (a ref: the default branch, or `compare_to`): committed since
/// the merge base, modified in the work tree, or new and not ignored. `None` when `base` is
/// unknown: then GitLab counts every `changes` as matching.
pub fn changed_files(root: &Path, base: &str) -> Option<Vec<String>> {
    let base =
        [format!("origin/{base}"), base.to_string()].into_iter().find(|r| git(root, &["rev-parse", "--verify", "-q", r]).is_some())?;
    let merge_base = git(root, &["merge-base", &base, "HEAD"])?;
    let mut files: Vec<String> =
        git(root, &["diff", "--no-ext-diff", "--no-textconv", "--name-only", "-z", &merge_base])?.split('\0').map(str::to_string).collect();
    files.extend(git(root, &["ls-files", "-z", "--others", "--exclude-standard"]).unwrap_or_default().split('\0').map(str::to_string));
    files.retain(|f| !f.is_empty());
    files.sort();
    files.dedup();
    files.truncate(MAX_FILES);
    Some(files)
}
