//! A volume's files, read-only and without running anything: a container that is only created
//! (never started), from whichever local image is smallest, mounts the volume read-only, and
//! the engine's archive API streams the volume as a tar whose headers are the listing. Nothing
//! is pulled, so this works offline and on any engine.

use super::model::{FileKind, VolumeFile, VolumeFiles};
use crate::containers::HELPER_LABEL;
use crate::error::{Error, Result};
use crate::Engine;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, ListContainersOptions, ListImagesOptions, RemoveContainerOptions,
};
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::{self, Read};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A listing stops at whichever comes first: this many entries, this much of the volume read
/// (the archive carries every file's bytes, not only its header), or this long.
const MAX_ENTRIES: usize = 5000;
const MAX_BYTES: u64 = 64 << 20;
const MAX_TIME: Duration = Duration::from_secs(30);
const MOUNT: &str = "/volume";
const HELPER: &str = "volume-browse";
/// When (unix seconds) a helper is stale: every browse removes its own well before, so one still
/// there after it was left by a crash, and pins its volume.
const EXPIRES_LABEL: &str = "berth.helper.expires";
/// Helpers made before they carried `EXPIRES_LABEL` are stale after this long.
const UNLABELLED_STALE: Duration = Duration::from_secs(600);

pub async fn browse(engine: &Engine, name: &str) -> Result<VolumeFiles> {
    let docker = engine.docker();
    docker.inspect_volume(name).await.map_err(engine.err(&format!("Volume {name}")))?;
    let image = smallest_image(engine).await?.ok_or_else(|| Error::Conflict {
        message: format!("No image is present to read volume {name} through: pull any small image (busybox, alpine) and try again."),
    })?;
    // Helpers an engine death kept (it went away before they could be removed) go first.
    remove_stale_helpers(engine).await;
    let expires = now() + MAX_TIME.as_secs() + 15;
    let config = ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(vec!["true".into()]),
        labels: Some(HashMap::from([(HELPER_LABEL.to_string(), HELPER.to_string()), (EXPIRES_LABEL.to_string(), expires.to_string())])),
        host_config: Some(HostConfig {
            binds: Some(vec![format!("{name}:{MOUNT}:ro")]),
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let id = docker
        .create_container(None::<CreateContainerOptions>, config)
        .await
        .map_err(engine.err(&format!("A helper container for volume {name}")))?
        .id;
    let helper = Helper { engine: engine.clone(), id: Some(id) };
    let listing = read(engine, helper.id()).await;
    helper.remove().await;
    let (mut entries, partial) = listing?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(VolumeFiles { entries, partial, image })
}

/// The helper container, removed with its anonymous volumes however the browse ends: returned,
/// failed, timed out or cancelled (its future dropped).
struct Helper {
    engine: Engine,
    id: Option<String>,
}

impl Helper {
    fn id(&self) -> &str {
        self.id.as_deref().unwrap_or_default()
    }

    async fn remove(mut self) {
        if let Some(id) = self.id.take() {
            remove_helper(&self.engine, &id).await;
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let (Some(id), Ok(runtime)) = (self.id.take(), tokio::runtime::Handle::try_current()) else { return };
        let engine = self.engine.clone();
        runtime.spawn(async move { remove_helper(&engine, &id).await });
    }
}

async fn remove_helper(engine: &Engine, id: &str) {
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    if let Err(e) = engine.docker().remove_container(id, Some(options)).await {
        tracing::warn!(%e, id, "could not remove the volume browser's helper container");
    }
}

/// Remove helpers a crash left behind (they are hidden from every list and pin their volume);
/// run on connect. Helpers of browses under way, here or in another window, are not stale yet.
pub async fn remove_stale_helpers(engine: &Engine) {
    let filters = HashMap::from([("label".to_string(), vec![format!("{HELPER_LABEL}={HELPER}")])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let helpers = match engine.docker().list_containers(Some(options)).await {
        Ok(helpers) => helpers,
        Err(e) => return tracing::warn!(%e, "could not look for stale volume browser helpers"),
    };
    let now = now();
    for c in helpers {
        let expires = c.labels.as_ref().and_then(|l| l.get(EXPIRES_LABEL)).and_then(|e| e.parse::<u64>().ok());
        let created = c.created.unwrap_or(0).max(0) as u64;
        let stale = match expires {
            Some(at) => at < now,
            None => created + UNLABELLED_STALE.as_secs() < now,
        };
        if let (true, Some(id)) = (stale, c.id) {
            tracing::info!(id, "removing a stale volume browser helper");
            remove_helper(engine, &id).await;
        }
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

async fn smallest_image(engine: &Engine) -> Result<Option<String>> {
    let images = engine.docker().list_images(None::<ListImagesOptions>).await.map_err(engine.err("images"))?;
    Ok(images.into_iter().min_by_key(|i| i.size).map(|i| i.repo_tags.into_iter().find(|t| t != "<none>:<none>").unwrap_or(i.id)))
}

/// Stream the mount as a tar into a blocking reader of its headers, until the end or a cap; the
/// reader stops early past `MAX_ENTRIES`, which drops the receiver and so ends the download.
/// Returns the entries and, when cut short, why.
async fn read(engine: &Engine, helper: &str) -> Result<(Vec<VolumeFile>, Option<String>)> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let parse = tokio::task::spawn_blocking(move || {
        let mut files = Vec::new();
        let outcome = headers(ChunkReader { rx, chunk: Bytes::new() }, MAX_ENTRIES, &mut files);
        (files, outcome)
    });
    let mut stream = engine.docker().download_from_container(helper, Some(DownloadFromContainerOptions { path: MOUNT.into() }));
    let deadline = tokio::time::Instant::now() + MAX_TIME;
    let mut read = 0u64;
    let cut = loop {
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                break Some(format!("Listing stopped after {} seconds: only the entries read by then are shown.", MAX_TIME.as_secs()))
            }
            Ok(None) => break None,
            Ok(Some(Err(e))) => return Err(engine.err("The volume's files")(e)),
            Ok(Some(Ok(chunk))) => chunk,
        };
        read += chunk.len() as u64;
        if tx.send(chunk).await.is_err() {
            break None;
        }
        if read >= MAX_BYTES {
            let mib = MAX_BYTES >> 20;
            break Some(format!("Listing stopped after reading {mib} MiB of the volume: only the entries before that are shown."));
        }
    };
    drop((tx, stream));
    let (files, outcome) = parse.await.map_err(|e| Error::Internal(e.to_string()))?;
    match (outcome, cut) {
        (Ok(true), _) => Ok((files, Some(format!("Only the first {MAX_ENTRIES} entries are listed.")))),
        (Ok(false), cut) => Ok((files, cut)),
        // The archive ends mid-entry where it was cut.
        (Err(_), Some(cut)) => Ok((files, Some(cut))),
        (Err(e), None) => Err(Error::Internal(format!("The engine's archive of the volume could not be read: {e}"))),
    }
}

struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    chunk: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.chunk = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// The entries of a tar of `MOUNT` (paths relative to it) into `files`, and whether there were
/// more than `max`; after an error `files` holds those before it.
fn headers(reader: impl Read, max: usize, files: &mut Vec<VolumeFile>) -> io::Result<bool> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let entry = entry?;
        let header = entry.header();
        let path = entry.path()?.to_string_lossy().into_owned();
        // The archive's first entry is the mount itself ("volume/").
        let Some((_, relative)) = path.split_once('/') else { continue };
        let relative = relative.trim_end_matches('/');
        if relative.is_empty() {
            continue;
        }
        if files.len() == max {
            return Ok(true);
        }
        let kind = header.entry_type();
        files.push(VolumeFile {
            path: relative.to_string(),
            kind: if kind.is_dir() {
                FileKind::Dir
            } else if kind.is_symlink() {
                FileKind::Symlink
            } else if kind.is_file() || kind.is_hard_link() {
                FileKind::File
            } else {
                FileKind::Other
            },
            size: header.size().unwrap_or(0),
            modified: header.mtime().unwrap_or(0),
            link: entry.link_name()?.map(|l| l.to_string_lossy().into_owned()),
        });
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_size(0);
        builder.append_data(&mut dir, "volume/", io::empty()).unwrap();
        for (path, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mtime(1_700_000_000);
            builder.append_data(&mut header, format!("volume/{path}"), *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn lists_paths_relative_to_the_mount_and_stops_at_the_cap() {
        let tar = tar_of(&[("a/b.txt", b"hello"), ("top", b"x"), (&format!("{}/long", "d".repeat(120)), b"")]);
        let mut files = Vec::new();
        let truncated = headers(&tar[..], 10, &mut files).unwrap();
        let paths: Vec<_> = files.iter().map(|f| (f.path.as_str(), f.size)).collect();
        assert_eq!(paths, [("a/b.txt", 5), ("top", 1), (&*format!("{}/long", "d".repeat(120)), 0)]);
        assert!(!truncated && files[0].kind == FileKind::File && files[0].modified == 1_700_000_000);
        let mut files = Vec::new();
        assert!(headers(&tar[..], 2, &mut files).unwrap() && files.len() == 2);
        // Cut mid-way (a cap), the entries before the cut remain.
        let mut files = Vec::new();
        assert!(headers(&tar[..1500], 10, &mut files).is_err() && files.len() == 1);
    }
}
