//! A volume's files, read-only and without running anything: a container that is only created
//! (never started), from whichever local image is smallest, mounts the volume read-only, and
//! the engine's archive API streams the volume as a tar whose headers are the listing. Nothing
//! is pulled, so this works offline and on any engine.

use super::model::{FileKind, VolumeFile, VolumeFiles};
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

/// Listings stop here: a volume of a million small files is not browsed file by file.
const MAX_ENTRIES: usize = 5000;
const MOUNT: &str = "/volume";
/// A helper older than this was left by a browse the engine died under; the next browse removes it.
const STALE_HELPER_SECS: i64 = 30;

pub async fn browse(engine: &Engine, name: &str) -> Result<VolumeFiles> {
    let docker = engine.docker();
    docker.inspect_volume(name).await.map_err(engine.err(&format!("Volume {name}")))?;
    let image = smallest_image(engine).await?.ok_or_else(|| Error::Conflict {
        message: format!("No image is present to read volume {name} through: pull any small image (busybox, alpine) and try again."),
    })?;
    sweep(engine).await;
    let config = ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(vec!["true".into()]),
        labels: Some(HashMap::from([(crate::containers::HELPER_LABEL.to_string(), "volume-browse".to_string())])),
        host_config: Some(HostConfig {
            binds: Some(vec![format!("{name}:{MOUNT}:ro")]),
            network_mode: Some("none".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let helper = docker
        .create_container(None::<CreateContainerOptions>, config)
        .await
        .map_err(engine.err(&format!("A helper container for volume {name}")))?
        .id;
    let listing = read(engine, &helper).await;
    let removed = docker.remove_container(&helper, Some(RemoveContainerOptions { force: true, ..Default::default() })).await;
    if let Err(e) = removed {
        tracing::warn!(%e, helper, "could not remove the volume browser's helper container");
    }
    let (mut entries, truncated) = listing?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(VolumeFiles { entries, truncated, image })
}

/// Remove the helpers earlier browses could not (the engine went away before they were done).
async fn sweep(engine: &Engine) {
    let label = format!("{}=volume-browse", crate::containers::HELPER_LABEL);
    let filters = HashMap::from([("label".to_string(), vec![label])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let Ok(helpers) = engine.docker().list_containers(Some(options)).await else { return };
    let now = chrono::Utc::now().timestamp();
    for id in helpers.into_iter().filter(|c| c.created.is_some_and(|t| now - t > STALE_HELPER_SECS)).filter_map(|c| c.id) {
        let options = RemoveContainerOptions { force: true, ..Default::default() };
        if let Err(e) = engine.docker().remove_container(&id, Some(options)).await {
            tracing::warn!(%e, id, "could not remove a volume browser's stale helper container");
        }
    }
}

async fn smallest_image(engine: &Engine) -> Result<Option<String>> {
    let images = engine.docker().list_images(None::<ListImagesOptions>).await.map_err(engine.err("images"))?;
    Ok(images.into_iter().min_by_key(|i| i.size).map(|i| i.repo_tags.into_iter().find(|t| t != "<none>:<none>").unwrap_or(i.id)))
}

/// Stream the mount as a tar into a blocking reader of its headers; the reader stops early past
/// `MAX_ENTRIES`, which drops the receiver and so ends the download.
async fn read(engine: &Engine, helper: &str) -> Result<(Vec<VolumeFile>, bool)> {
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(8);
    let parse = tokio::task::spawn_blocking(move || headers(ChunkReader { rx, chunk: Bytes::new() }, MAX_ENTRIES));
    let mut stream = engine.docker().download_from_container(helper, Some(DownloadFromContainerOptions { path: MOUNT.into() }));
    let mut failed = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let err = io::Error::other(e.to_string());
            failed = Some(e);
            err
        });
        if tx.send(chunk).await.is_err() {
            break;
        }
    }
    drop(tx);
    if let Some(e) = failed {
        return Err(engine.err("The volume's files")(e));
    }
    parse
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(format!("The engine's archive of the volume could not be read: {e}")))
}

struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.chunk = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// The entries of a tar of `MOUNT` (paths relative to it), and whether there were more than `max`.
fn headers(reader: impl Read, max: usize) -> io::Result<(Vec<VolumeFile>, bool)> {
    let mut archive = tar::Archive::new(reader);
    let mut files = Vec::new();
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
            return Ok((files, true));
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
    Ok((files, false))
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
        let (files, truncated) = headers(&tar[..], 10).unwrap();
        let paths: Vec<_> = files.iter().map(|f| (f.path.as_str(), f.size)).collect();
        assert_eq!(paths, [("a/b.txt", 5), ("top", 1), (&*format!("{}/long", "d".repeat(120)), 0)]);
        assert!(!truncated && files[0].kind == FileKind::File && files[0].modified == 1_700_000_000);
        let (files, truncated) = headers(&tar[..], 2).unwrap();
        assert!(truncated && files.len() == 2);
    }
}
