//! Artifacts handed to later jobs. A job whose files come on its stdin gets them through
//! read-only bind mounts of the folders they are kept in when the engine sees this machine's
//! files ([`bound`]: nothing is copied until the job's own `cp`), else in that tar ([`packed`]).
//! For a job whose files are uploaded, each earlier job's kept artifacts go once
//! into a volume of the run, which every such job that depends on them mounts read-only and
//! copies into its project folder before its script (after its caches, as the runner restores
//! caches and then downloads artifacts): one upload per set of artifacts, however many jobs
//! need it, since uploads are the engine's slowest step of a job with artifacts.

use super::engine_ops as ops;
use super::files;
use super::labels;
use super::script::quote;
use crate::error::Result;
use crate::Engine;
use bollard::models::{ContainerCreateBody, HostConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Where a job mounts the `i`th set of artifacts it gets: `<MOUNT>/<i>`.
const MOUNT: &str = "/berth-ci-artifacts";
/// Where the filling container mounts the volume it fills.
const FILL: &str = "/berth-ci-fill";

/// The run's artifact volumes, by the folder their artifacts are kept in.
#[derive(Default)]
pub struct Handoff {
    sets: Mutex<HashMap<PathBuf, Arc<Set>>>,
}

/// One folder's volume: made (`None` when the folder holds no files), then filled once, by
/// the first job that needs it.
#[derive(Default)]
struct Set {
    volume: OnceCell<Option<String>>,
    filled: OnceCell<()>,
}

impl Handoff {
    /// The volumes that hold the artifacts kept in `dirs` (in order), made now, and what fills
    /// them (once per run, through a container of `image` that is made, never started, and
    /// removed): a job's container can be made and filled with its project while they fill.
    /// A folder with no files gives no volume.
    pub async fn prepare(
        &self,
        engine: &Engine,
        run: &str,
        dirs: &[PathBuf],
        image: &str,
    ) -> Result<(Vec<String>, impl std::future::Future<Output = Result<()>> + use<>)> {
        let mut made = Vec::new();
        for dir in dirs {
            let set = self.sets.lock().expect("artifact volumes").entry(dir.clone()).or_default().clone();
            if let Some(name) = set.volume.get_or_try_init(|| make(engine, run, dir)).await?.clone() {
                made.push((set, dir.clone(), name));
            }
        }
        let names = made.iter().map(|(_, _, name)| name.clone()).collect();
        let (engine, run, image) = (engine.clone(), run.to_string(), image.to_string());
        let filled = async move {
            let fills = made.iter().map(|(set, dir, name)| set.filled.get_or_try_init(|| fill(&engine, &run, dir, name, &image)));
            futures_util::future::try_join_all(fills).await.map(|_| ())
        };
        Ok((names, filled))
    }

    /// Remove every volume this run made (at its end, once no job uses them).
    pub async fn remove(&self, engine: &Engine) {
        let sets: Vec<_> = self.sets.lock().expect("artifact volumes").drain().map(|(_, s)| s).collect();
        for name in sets.iter().filter_map(|s| s.volume.get().cloned().flatten()) {
            let options = bollard::query_parameters::RemoveVolumeOptions { force: true };
            if let Err(e) = engine.docker().remove_volume(&name, Some(options)).await {
                tracing::debug!(%name, %e, "artifact volume already gone");
            }
        }
    }
}

/// Of the folders artifacts are kept in, those that hold anything, each bound read-only at
/// `<MOUNT>/<i>` in order: the binds, and where each is mounted.
pub fn bound(dirs: &[PathBuf]) -> (Vec<String>, Vec<String>) {
    let holding = dirs.iter().filter(|d| std::fs::read_dir(d).is_ok_and(|mut entries| entries.next().is_some()));
    holding.enumerate().map(|(i, d)| (format!("{}:{MOUNT}/{i}:ro", d.display()), format!("{MOUNT}/{i}"))).unzip()
}

/// Binds for a job container: volume `i` read-only at `<MOUNT>/<i>`.
pub fn binds(volumes: &[String]) -> Vec<String> {
    volumes.iter().enumerate().map(|(i, v)| format!("{v}:{MOUNT}/{i}:ro")).collect()
}

/// The shell command that copies the mounted artifacts into `project_dir`, later sets over
/// earlier ones; `None` when there are none. `cp -a` keeps the files' times and modes; a user
/// other than root may not set them on the project folder itself (which it does not own), so
/// that user's copy falls back to a plain `cp -R`.
pub fn copy_command(count: usize, project_dir: &str) -> Option<String> {
    (count > 0).then(|| {
        let dest = quote(project_dir);
        let copies: Vec<String> =
            (0..count).map(|i| format!("{{ cp -a {MOUNT}/{i}/. {dest}/ 2>/dev/null || cp -R {MOUNT}/{i}/. {dest}/; }}")).collect();
        format!(
            "{{ {}; }} || {{ echo 'ERROR: Berth could not copy the artifacts of earlier jobs into the project folder (cp says why above).' >&2; exit 1; }}",
            copies.join(" && ")
        )
    })
}

/// A labelled volume for the artifacts kept in `dir`, if it holds any.
async fn make(engine: &Engine, run: &str, dir: &Path) -> Result<Option<String>> {
    let kept = dir.to_path_buf();
    let empty =
        crate::blocking::run("Reading artifacts", crate::blocking::FOLDER_TIMEOUT, move || Ok(files::kept_files(&kept)?.is_empty()))
            .await?;
    if empty {
        return Ok(None);
    }
    create(engine, run, dir).await.map(Some)
}

async fn create(engine: &Engine, run: &str, dir: &Path) -> Result<String> {
    let hash = &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(dir.to_string_lossy().as_bytes()))[..12];
    let name = format!("berth-pl-{run}-artifacts-{hash}");
    ops::create_volume(engine, &name, labels::for_run(run)).await?;
    Ok(name)
}

/// A tar of the artifacts kept in `dir`, placed under `dest` (absolute).
pub async fn packed(dir: &Path, dest: &str) -> Result<Vec<u8>> {
    let (kept, dest) = (dir.to_path_buf(), dest.to_string());
    crate::blocking::run("Packing artifacts", crate::blocking::FOLDER_TIMEOUT, move || {
        files::tar_of(&kept, &files::kept_files(&kept)?, &dest)
    })
    .await
}

/// Fill volume `name` with the artifacts kept in `dir`, through a container of `image` that is
/// made, never started, and removed.
async fn fill(engine: &Engine, run: &str, dir: &Path, name: &str, image: &str) -> Result<()> {
    let tar = packed(dir, FILL).await?;
    let body = ContainerCreateBody {
        image: Some(image.into()),
        entrypoint: Some(vec![String::new()]),
        cmd: Some(vec!["true".into()]),
        labels: Some(labels::for_run(run)),
        network_disabled: Some(true),
        host_config: Some(HostConfig { binds: Some(vec![format!("{name}:{FILL}")]), ..Default::default() }),
        ..Default::default()
    };
    let id = ops::create_container(engine, &format!("{name}-fill"), body, None, vec![]).await?;
    let uploaded = ops::upload(engine, &id, tar, "Handing artifacts to later jobs").await;
    ops::remove_container(engine, &id).await;
    uploaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_each_set_in_order_and_says_why_a_copy_failed() {
        assert_eq!(copy_command(0, "/builds/g/p"), None);
        let cmd = copy_command(2, "/builds/g/p").unwrap();
        let first = cmd.find("/berth-ci-artifacts/0/.").unwrap();
        assert!(first < cmd.find("/berth-ci-artifacts/1/.").unwrap(), "{cmd}");
        assert!(cmd.contains("'/builds/g/p'/") && cmd.contains("exit 1"), "{cmd}");
        assert_eq!(binds(&["v0".into()]), vec!["v0:/berth-ci-artifacts/0:ro".to_string()]);
    }

    #[test]
    fn the_copy_merges_dotfiles_and_folders() {
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::create_dir_all(from.path().join("out")).unwrap();
        std::fs::write(from.path().join("out/a.bin"), "a").unwrap();
        std::fs::write(from.path().join(".env"), "e").unwrap();
        std::fs::create_dir_all(to.path().join("out")).unwrap();
        std::fs::write(to.path().join("out/kept.txt"), "k").unwrap();
        let cmd = copy_command(1, &to.path().to_string_lossy()).unwrap().replace(MOUNT, &from.path().parent().unwrap().to_string_lossy());
        let cmd = cmd
            .replace(&format!("{}/0/.", from.path().parent().unwrap().to_string_lossy()), &format!("{}/.", from.path().to_string_lossy()));
        let out = std::process::Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        for f in ["out/a.bin", "out/kept.txt", ".env"] {
            assert!(to.path().join(f).is_file(), "{f} missing");
        }
    }

    #[test]
    fn the_copy_runs_in_sh_and_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let cmd = copy_command(1, &dir.path().to_string_lossy()).unwrap();
        let out = std::process::Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("could not copy the artifacts"), "{out:?}");
    }
}
