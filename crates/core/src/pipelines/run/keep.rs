//! What a job leaves for later: its caches, saved into named volumes as the runner keys
//! them, and its artifacts (and dotenv report), kept in the run's folder.

use super::engine_ops as ops;
use super::files::{self, Selection};
use super::job::{run_quiet, RunContext};
use super::labels;
use crate::error::{Error, Result};
use crate::pipelines::expand::expand;
use crate::pipelines::model::{ArtifactsWhen, Cache, Job};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Where cache volume `i` is mounted.
pub(super) const CACHE_MOUNT: &str = "/berth-ci-cache";
/// The largest dotenv report read (GitLab's own limit is 5 KB).
const MAX_DOTENV: u64 = 64 << 10;

pub(super) struct CacheVolume<'a> {
    pub(super) cache: &'a Cache,
    pub(super) key: String,
    pub(super) volume: String,
    pub(super) exists: bool,
}

/// One named volume per cache key (the runner's keying), created when first pushed.
pub(super) async fn cache_volumes<'a>(ctx: &Arc<RunContext>, job: &'a Job, env: &HashMap<String, String>) -> Result<Vec<CacheVolume<'a>>> {
    let mut out = Vec::new();
    for cache in &job.caches {
        let key = cache.key.resolve(&ctx.project_root, env);
        let mut volume = cache_volume_name(&ctx.project_key, &key);
        let mut exists = ops::volume_exists(&ctx.engine, &volume).await;
        if !exists {
            for fallback in &cache.fallback_keys {
                let candidate = cache_volume_name(&ctx.project_key, &expand(fallback, |k| env.get(k).cloned()));
                if ops::volume_exists(&ctx.engine, &candidate).await {
                    ctx.say(&job.name, &format!("Cache \"{key}\" not found; using fallback \"{fallback}\""));
                    volume = candidate;
                    exists = true;
                    break;
                }
            }
        }
        if !exists {
            let labels = HashMap::from([(labels::CACHE.to_string(), ctx.project_key.clone())]);
            ops::create_volume(&ctx.engine, &volume, labels).await?;
        }
        out.push(CacheVolume { cache, key, volume, exists });
    }
    Ok(out)
}

/// `berth-cache-<project>-<key>`, the key reduced to what volume names allow.
pub fn cache_volume_name(project_key: &str, key: &str) -> String {
    let clean: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '_' }).collect();
    let hash = &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(key.as_bytes()))[..8];
    format!("berth-cache-{project_key}-{}-{hash}", clean.chars().take(64).collect::<String>())
}

/// Save cache `i` as the runner does: its `paths` (globs with `**`, folders with all they hold)
/// and with `untracked: true` every file the job started without, from `snapshot` (the
/// engine's tar of the project folder) into the cache's volume, replacing what it held.
pub(super) async fn save_cache(
    ctx: &Arc<RunContext>,
    job: &Job,
    id: &str,
    i: usize,
    c: &CacheVolume<'_>,
    env: &HashMap<String, String>,
    snapshot: &Path,
) -> Result<()> {
    ctx.say(&job.name, &format!("Saving cache \"{}\"", c.key));
    let selection = Selection {
        paths: c.cache.paths.iter().map(|p| files::project_relative(&expand(p, |k| env.get(k).cloned()), &ctx.builds_dir)).collect(),
        exclude: vec![],
        untracked: c.cache.untracked,
    };
    let packed = snapshot.with_file_name(format!("cache-{i}.tar"));
    let (from, to, tracked) = (snapshot.to_path_buf(), packed.clone(), ctx.tracked.clone());
    let prefix = format!("{}/{i}", CACHE_MOUNT.trim_start_matches('/'));
    let kept = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
        let read = std::fs::File::open(&from).map_err(|e| Error::io("Reading the job's files", e))?;
        let write = std::fs::File::create(&to).map_err(|e| Error::io("Packing the cache", e))?;
        files::select_into_tar(std::io::BufReader::new(read), &selection, &tracked, &prefix, std::io::BufWriter::new(write))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;
    let saved = async {
        let kept = kept?;
        run_quiet(ctx, job, id, &format!("rm -rf {m}/{i}/* {m}/{i}/.[!.]* {m}/{i}/..?* 2>/dev/null; true", m = CACHE_MOUNT)).await?;
        let count = kept.iter().filter(|k| !k.ends_with('/')).count();
        if kept.is_empty() {
            ctx.say(&job.name, "WARNING: no files matched the cache paths; the cache is now empty");
        } else {
            ops::upload_file(&ctx.engine, id, &packed, "Saving the cache").await?;
            ctx.say(&job.name, &format!("Cache \"{}\" saved: {count} file(s)", c.key));
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_file(&packed);
    saved
}

/// What a job's `artifacts:` keeps (its paths, and its dotenv report apart: loaded into later
/// jobs, not handed to them as a file); `None` when it keeps nothing.
pub(super) fn artifact_selections(ctx: &Arc<RunContext>, job: &Job, env: &HashMap<String, String>) -> Option<(Selection, Selection)> {
    let artifacts = job.artifacts.as_ref()?;
    let paths = |list: &[String]| -> Vec<String> {
        list.iter().map(|p| files::project_relative(&expand(p, |k| env.get(k).cloned()), &ctx.builds_dir)).collect()
    };
    let selection = Selection { paths: paths(&artifacts.paths), exclude: paths(&artifacts.exclude), untracked: artifacts.untracked };
    let reports = Selection { paths: paths(&artifacts.dotenv), ..Default::default() };
    let nothing = selection.paths.is_empty() && !selection.untracked && reports.paths.is_empty();
    (!nothing).then_some((selection, reports))
}

/// Keep the artifacts picked from `snapshot` (the engine's tar of the project folder).
pub(super) async fn keep_artifacts(
    ctx: &Arc<RunContext>,
    job: &Job,
    (selection, reports): (Selection, Selection),
    snapshot: &Path,
) -> Result<()> {
    ctx.say(&job.name, "Uploading artifacts");
    let dir = ctx.job_dir(&job.name);
    let archive = snapshot.to_path_buf();
    let no_paths = selection.paths.is_empty();
    let (dest, report_dir) = (dir.join("artifacts"), dir.join("reports"));
    let _ = std::fs::remove_dir_all(&dest);
    let _ = std::fs::remove_dir_all(&report_dir);
    let tracked = ctx.tracked.clone();
    let (a, d, r, rs) = (archive.clone(), dest.clone(), report_dir.clone(), reports.clone());
    let kept = tokio::task::spawn_blocking(move || -> Result<Vec<String>> {
        let open = || std::fs::File::open(&a).map(std::io::BufReader::new).map_err(|e| Error::io("Reading the job's files", e));
        let kept = if selection.paths.is_empty() && !selection.untracked {
            vec![]
        } else {
            files::extract_selected(open()?, &selection, &tracked, &d)?
        };
        if !rs.paths.is_empty() {
            files::extract_selected(open()?, &rs, &tracked, &r)?;
        }
        Ok(kept)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))??;
    let count = kept.iter().filter(|k| !k.ends_with('/')).count();
    if kept.is_empty() && !no_paths {
        ctx.say(&job.name, "WARNING: no files matched the artifacts paths");
    } else if !kept.is_empty() {
        ctx.say(&job.name, &format!("{count} artifact file(s) kept"));
    }
    let mut pairs = Vec::new();
    for file in &reports.paths {
        let path = report_dir.join(file);
        match crate::fsutil::read_text_capped(&path, MAX_DOTENV, "The dotenv report") {
            Ok(text) => pairs.extend(files::parse_dotenv(&text)),
            Err(_) if !path.exists() => ctx.say(&job.name, &format!("WARNING: the dotenv report {file} was not made")),
            Err(e) => ctx.say(&job.name, &format!("WARNING: {e}")),
        }
    }
    if !pairs.is_empty() {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        std::fs::write(dir.join("dotenv"), text).map_err(|e| Error::io("Keeping the dotenv report", e))?;
    }
    Ok(())
}

pub(super) fn applies(when: ArtifactsWhen, succeeded: bool) -> bool {
    match when {
        ArtifactsWhen::Always => true,
        ArtifactsWhen::OnSuccess => succeeded,
        ArtifactsWhen::OnFailure => !succeeded,
    }
}
