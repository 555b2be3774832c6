//! A dropped folder's git repository is untrusted, `.git` included: loading its pipeline and
//! packing its files for a run must never run a program its config names, never hang, and never
//! send a file from outside the folder.

use super::files;
use crate::pipelines::model::CacheKey;
use crate::pipelines::{load, LoadOptions};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A repository on branch `feature` (one commit past `main`) whose pipeline asks git for all
/// it can: predefined variables, `rules:changes` against `main` (a modified tracked file), and
/// a `cache:key:files` hash.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        ".gitlab-ci.yml",
        "job:\n  script: x\n  rules:\n    - changes: [a.txt]\n  cache:\n    key:\n      files: [a.txt]\n    paths: [out]\n",
    );
    write(d, "a.txt", "one\n");
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.name", "T"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "one"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(d, "a.txt", "two\n");
    git(d, &["commit", "-q", "-am", "two"]);
    dir
}

/// Loads the pipeline, resolves its cache key and packs the files a job gets, as a run does.
fn load_and_pack(dir: &Path) {
    let p = load(&LoadOptions { root: dir.to_path_buf(), pipeline_id: 1, ..Default::default() }).unwrap();
    let job = p.jobs.iter().find(|j| j.name == "job").expect("the job runs: a.txt changed");
    let env: HashMap<String, String> = HashMap::new();
    for cache in &job.caches {
        let _ = cache.key.resolve(dir, &env);
    }
    let _ = CacheKey::Files { files: vec!["a.txt".into()], prefix: None }.resolve(dir, &env);
    let tracked = files::tracked_files(dir).unwrap();
    files::tar_of(dir, &tracked, "/builds/x").unwrap();
}

#[test]
fn a_repositorys_config_runs_no_program() {
    let dir = repo();
    let d = dir.path();
    let marks = tempfile::tempdir().unwrap();
    let bin = tempfile::tempdir().unwrap();
    // A program that leaves a mark named `what` (and passes its input through, as a filter).
    let touch = |what: &str| {
        let path = bin.path().join(what);
        std::fs::write(&path, format!("#!/bin/sh\ntouch '{}'\ncat\n", marks.path().join(what).display())).unwrap();
        assert!(Command::new("chmod").arg("+x").arg(&path).status().unwrap().success());
        path.display().to_string()
    };
    // The HEAD commit carries a signature, so `log.showSignature` would call `gpg.program`.
    let raw = git(d, &["cat-file", "commit", "HEAD"]);
    let (head, message) = raw.split_once("\n\n").unwrap();
    let signed = format!("{head}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n x\n -----END PGP SIGNATURE-----\n\n{message}\n");
    let object = {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(d)
            .args(["hash-object", "-t", "commit", "-w", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(signed.as_bytes()).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap().trim().to_string()
    };
    git(d, &["update-ref", "refs/heads/feature", &object]);
    let hooks = d.join(".git/evil-hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    for hook in ["post-checkout", "post-index-change", "reference-transaction"] {
        std::fs::copy(touch(hook), hooks.join(hook)).unwrap();
    }
    let config = [
        ("core.fsmonitor", touch("fsmonitor")),
        ("core.hooksPath", hooks.display().to_string()),
        ("core.pager", touch("pager")),
        ("core.sshCommand", touch("ssh")),
        ("diff.external", touch("external-diff")),
        ("diff.evil.textconv", touch("textconv")),
        ("diff.evil.command", touch("diff-driver")),
        ("filter.evil.clean", touch("clean-filter")),
        ("filter.evil.smudge", touch("smudge-filter")),
        ("filter.evil.required", "true".into()),
        ("filter.evil2.process", touch("filter-process")),
        ("log.showSignature", "true".into()),
        ("gpg.program", touch("gpg")),
        ("uploadpack.packObjectsHook", touch("pack-objects-hook")),
    ];
    for (key, value) in &config {
        git(d, &["config", key, value]);
    }
    write(d, ".gitattributes", "a.txt filter=evil diff=evil\n*.md filter=evil2\n");
    write(d, "b.md", "b\n");
    // Changed since the commit, so git hashes it (through the clean filter) to compare.
    write(d, "a.txt", "three, longer\n");
    load_and_pack(d);
    let touched: Vec<_> = std::fs::read_dir(marks.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(touched.is_empty(), "the repository's config ran: {touched:?}");
}

#[test]
fn a_repository_whose_config_hangs_git_is_given_up_in_bounded_time() {
    let dir = repo();
    let fifo = dir.path().join(".git/hang");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    git(dir.path(), &["config", "include.path", "hang"]);
    let started = Instant::now();
    let p = load(&LoadOptions { root: dir.path().to_path_buf(), pipeline_id: 1, ..Default::default() }).unwrap();
    assert!(started.elapsed() < Duration::from_secs(40), "{:?}", started.elapsed());
    assert!(!p.jobs.is_empty());
}

#[test]
fn files_are_sent_from_inside_the_folder_only_and_symlinks_as_symlinks() {
    let dir = repo();
    let d = dir.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("id_rsa"), "SECRET KEY").unwrap();
    std::fs::create_dir(d.join("keys")).unwrap();
    write(d, "keys/id_rsa", "tracked copy");
    std::os::unix::fs::symlink(outside.path().join("id_rsa"), d.join("link")).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "keys"]);
    // The index still lists keys/id_rsa, but the folder is now a symlink out of the project.
    std::fs::remove_dir_all(d.join("keys")).unwrap();
    std::os::unix::fs::symlink(outside.path(), d.join("keys")).unwrap();
    let tracked = files::tracked_files(d).unwrap();
    assert!(tracked.contains(&"keys/id_rsa".to_string()) && tracked.contains(&"link".to_string()), "{tracked:?}");
    let tar = files::tar_of(d, &tracked, "/builds/x").unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let mut seen = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut entry, &mut body).unwrap();
        assert!(!body.contains("SECRET"), "{path} carried a file from outside the project");
        if path == "builds/x/link" {
            assert_eq!(entry.header().entry_type(), tar::EntryType::Symlink);
            assert_eq!(entry.link_name().unwrap().unwrap(), outside.path().join("id_rsa"));
        }
        seen.push(path);
    }
    assert!(seen.contains(&"builds/x/link".to_string()) && !seen.contains(&"builds/x/keys/id_rsa".to_string()), "{seen:?}");
    // Paths git may be made to list (a crafted index) that leave the folder are skipped too.
    let crafted = vec!["../escape".to_string(), outside.path().join("id_rsa").display().to_string()];
    let tar = files::tar_of(d, &crafted, "/builds/x").unwrap();
    assert_eq!(tar::Archive::new(&tar[..]).entries().unwrap().count(), 1, "only the project folder itself");
}
