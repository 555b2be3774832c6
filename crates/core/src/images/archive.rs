//! Save images to a .tar and load them back (`docker save` / `docker load`), with progress.

use super::model::ArchiveProgress;
use crate::error::{Error, ErrorPayload, Result};
use crate::Engine;
use bollard::query_parameters::ImportImageOptions;
use futures_util::StreamExt;
use serde::Serialize;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use super::transfer::PROGRESS_EVERY;

/// A save or load under way, as the UI follows it; ends with `saved`, `loaded` or `failed`.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ArchiveEvent {
    Progress(ArchiveProgress),
    Saved { path: String },
    Loaded { images: Vec<String> },
    Failed { error: ErrorPayload },
}

impl ArchiveEvent {
    /// The last event of a [`save`] to `path`.
    pub fn saved(outcome: Result<u64>, path: &Path) -> ArchiveEvent {
        match outcome {
            Ok(_) => ArchiveEvent::Saved { path: path.display().to_string() },
            Err(e) => ArchiveEvent::Failed { error: e.into() },
        }
    }

    /// The last event of a [`load`].
    pub fn loaded(outcome: Result<Vec<String>>) -> ArchiveEvent {
        match outcome {
            Ok(images) => ArchiveEvent::Loaded { images },
            Err(e) => ArchiveEvent::Failed { error: e.into() },
        }
    }
}

/// Write `images` (names or ids) into one tar at `path`. `total` in the progress is the sum of
/// the images' sizes: a close estimate of the archive's size. The archive is written beside
/// `path` and renamed into place when complete, so a failed or cancelled (dropped) save leaves
/// neither a truncated archive nor a clobbered one.
pub async fn save(engine: &Engine, images: &[String], path: &Path, mut progress: impl FnMut(ArchiveProgress)) -> Result<u64> {
    if images.is_empty() {
        return Err(Error::invalid("images", "Choose at least one image to save."));
    }
    let all = super::list(engine).await?;
    let total: u64 = images
        .iter()
        .filter_map(|name| all.iter().find(|i| &i.id == name || i.repo_tags.contains(name)))
        .map(|i| i.size.max(0) as u64)
        .sum();
    let names: Vec<&str> = images.iter().map(String::as_str).collect();
    let mut stream = engine.docker().export_images(&names);
    let cannot_write = |e| Error::io(format!("Cannot write {}", path.display()), e);
    let partial = Partial::new(path);
    let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(&partial.path).await.map_err(cannot_write)?);
    let mut bytes = 0u64;
    // The engine may take a while to start sending a large image: show what is coming meanwhile.
    progress(ArchiveProgress { bytes, total });
    let mut last = Instant::now();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(engine.err(&format!("Image {}", images.join(", "))))?;
        bytes += chunk.len() as u64;
        out.write_all(&chunk).await.map_err(cannot_write)?;
        if last.elapsed() >= PROGRESS_EVERY {
            progress(ArchiveProgress { bytes, total: total.max(bytes) });
            last = Instant::now();
        }
    }
    out.flush().await.map_err(cannot_write)?;
    drop(out);
    partial.finish(path).await.map_err(cannot_write)?;
    progress(ArchiveProgress { bytes, total: bytes });
    Ok(bytes)
}

/// Load every image in the tar at `path`; returns the names (or ids) the engine reports loaded.
pub async fn load(engine: &Engine, path: &Path, progress: impl FnMut(ArchiveProgress) + Send + 'static) -> Result<Vec<String>> {
    let cannot_read = |e| Error::io(format!("Cannot read {}", path.display()), e);
    let file = tokio::fs::File::open(path).await.map_err(cannot_read)?;
    let total = file.metadata().await.map_err(cannot_read)?.len();
    let progress = std::sync::Arc::new(std::sync::Mutex::new((progress, 0u64, Instant::now())));
    let reported = progress.clone();
    let body = tokio_util::io::ReaderStream::new(file).map(move |chunk| {
        if let Ok(c) = &chunk {
            let mut p = reported.lock().unwrap();
            p.1 += c.len() as u64;
            if p.2.elapsed() >= PROGRESS_EVERY || p.1 == total {
                let bytes = p.1;
                (p.0)(ArchiveProgress { bytes, total });
                p.2 = Instant::now();
            }
        }
        chunk
    });
    let mut stream = engine.docker().import_image_stream(ImportImageOptions { quiet: true, ..Default::default() }, body, None);
    let mut loaded = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                let line = info.stream.unwrap_or_default();
                for prefix in ["Loaded image: ", "Loaded image ID: "] {
                    if let Some(name) = line.trim().strip_prefix(prefix) {
                        loaded.push(name.to_string());
                    }
                }
            }
            Err(bollard::errors::Error::DockerStreamError { error }) => {
                return Err(Error::invalid("path", format!("{} is not an image archive the engine can load: {error}", path.display())))
            }
            Err(e) => return Err(engine.err("image archive")(e)),
        }
    }
    Ok(loaded)
}

/// An archive being written; removed when dropped before [`Partial::finish`] renames it.
struct Partial {
    path: PathBuf,
    renamed: bool,
}

impl Partial {
    fn new(path: &Path) -> Partial {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".partial");
        Partial { path: path.with_file_name(name), renamed: false }
    }

    async fn finish(mut self, path: &Path) -> std::io::Result<()> {
        tokio::fs::rename(&self.path, path).await?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_event_says_how_it_ended() {
        assert_eq!(ArchiveEvent::saved(Ok(3), Path::new("/tmp/a.tar")), ArchiveEvent::Saved { path: "/tmp/a.tar".into() });
        assert_eq!(ArchiveEvent::loaded(Ok(vec!["app:1".into()])), ArchiveEvent::Loaded { images: vec!["app:1".into()] });
        let ArchiveEvent::Failed { error } = ArchiveEvent::loaded(Err(Error::Cancelled)) else { panic!("a failure") };
        assert_eq!(error.message, "The operation was cancelled.");
    }
}
