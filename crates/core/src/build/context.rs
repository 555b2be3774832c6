//! The build context: which files reach the engine after `.dockerignore` (the walk of moby's
//! `archive.TarWithOptions`), a summary shown before sending, and the tar itself, written on a
//! blocking thread while it is read from disk and handed to the request body through a bounded
//! channel, so the context is never held in memory whole.

use super::ignore::{read_patterns, PatternMatcher};
use crate::error::{Error, Result};
use bytes::Bytes;
use serde::Serialize;
use std::fs::{self, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Chunks handed to the engine; with [`CHANNEL_DEPTH`] of them this bounds memory in flight.
const CHUNK: usize = 256 * 1024;
const CHANNEL_DEPTH: usize = 8;
/// The largest Dockerfile or ignore file read from the folder (an untrusted, cloned one).
const MAX_TEXT: u64 = 8 << 20;

/// A context folder and the Dockerfile inside it (slash-separated, relative to the folder).
#[derive(Debug, Clone)]
pub struct Context {
    pub root: PathBuf,
    pub dockerfile: String,
    /// The Dockerfile's text when it is not a file of the folder (`dockerfile_inline`).
    inline: Option<String>,
}

/// What will be sent, measured before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContextSummary {
    /// Regular files and symlinks that will be sent.
    pub files: u64,
    pub bytes: u64,
    /// Files left out by the ignore file.
    pub excluded_files: u64,
    /// `.dockerignore`, or `<Dockerfile>.dockerignore` when that exists (it wins).
    pub ignore_file: Option<String>,
}

impl Context {
    /// Check the Dockerfile path stays inside the folder and exists.
    pub fn new(root: impl Into<PathBuf>, dockerfile: &str) -> Result<Context> {
        let root: PathBuf = root.into();
        if !root.is_dir() {
            return Err(Error::invalid("context", format!("{} is not a folder.", root.display())));
        }
        let cleaned = super::ignore::clean(&dockerfile.replace('\\', "/"));
        if cleaned.starts_with("../") || cleaned == ".." || cleaned.starts_with('/') || cleaned == "." {
            return Err(Error::invalid(
                "dockerfile",
                format!("The Dockerfile “{dockerfile}” is outside the project folder. Pick one inside it."),
            ));
        }
        let ctx = Context { root, dockerfile: cleaned, inline: None };
        let meta = fs::metadata(ctx.dockerfile_path())
            .map_err(|_| Error::invalid("dockerfile", format!("There is no file “{}” in {}.", ctx.dockerfile, ctx.root.display())))?;
        if !meta.is_file() {
            return Err(Error::invalid("dockerfile", format!("“{}” is not a file.", ctx.dockerfile)));
        }
        // A symlinked Dockerfile must not lead out of the folder either.
        let real = fs::canonicalize(ctx.dockerfile_path()).map_err(|e| Error::io("Reading the Dockerfile", e))?;
        let real_root = fs::canonicalize(&ctx.root).map_err(|e| Error::io("Reading the project folder", e))?;
        if !real.starts_with(&real_root) {
            return Err(Error::invalid("dockerfile", format!("“{}” points outside the project folder.", ctx.dockerfile)));
        }
        Ok(ctx)
    }

    pub fn dockerfile_path(&self) -> PathBuf {
        self.root.join(&self.dockerfile)
    }

    /// A context whose Dockerfile is `text`, added to the tar under a random name as the docker
    /// CLI does (`AddDockerfileToBuildContext`), so nothing is written into the folder.
    pub fn inline(root: impl Into<PathBuf>, text: &str) -> Result<Context> {
        let root: PathBuf = root.into();
        if !root.is_dir() {
            return Err(Error::invalid("context", format!("{} is not a folder.", root.display())));
        }
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
        let random = format!("{:020x}", nanos ^ ((std::process::id() as u128) << 64));
        Ok(Context { root, dockerfile: format!(".dockerfile.{}", &random[random.len() - 20..]), inline: Some(text.to_string()) })
    }

    /// The Dockerfile's text.
    pub fn dockerfile_text(&self) -> Result<String> {
        match &self.inline {
            Some(text) => Ok(text.clone()),
            None => crate::fsutil::read_text_capped(&self.dockerfile_path(), MAX_TEXT, "Dockerfile"),
        }
    }

    /// The ignore patterns, with the Dockerfile and the ignore file kept in the context as the
    /// docker CLI does (`TrimBuildFilesFromExcludes`); the classic builder drops them again if
    /// ignored. BuildKit reads no `.dockerignore` from an uploaded context, so for it an
    /// ignored `.dockerignore` is simply not sent (`keep_ignore_file` false).
    fn matcher(&self) -> Result<(PatternMatcher, Option<String>)> {
        self.matcher_keeping(true)
    }

    fn matcher_keeping(&self, keep_ignore_file: bool) -> Result<(PatternMatcher, Option<String>)> {
        let (name, text) = match self.ignore_file()? {
            Some((name, text)) => (Some(name), text),
            None => (None, String::new()),
        };
        let mut patterns = read_patterns(&text);
        let bad = |e: super::ignore::PatternError| {
            Error::invalid(
                "dockerignore",
                format!("{} has a bad pattern: {e}. Fix the line and try again.", name.as_deref().unwrap_or(".dockerignore")),
            )
        };
        if keep_ignore_file && super::ignore::matches(".dockerignore", &patterns).map_err(bad)? {
            patterns.push("!.dockerignore".into());
        }
        if super::ignore::matches(&self.dockerfile, &patterns).map_err(bad)? {
            patterns.push(format!("!{}", self.dockerfile));
        }
        let matcher = PatternMatcher::new(&patterns).map_err(bad)?;
        Ok((matcher, name))
    }

    /// Does the ignore file leave out the Dockerfile itself? It is sent anyway; the classic
    /// builder drops it from the context again, BuildKit over the API cannot.
    pub fn ignores_dockerfile(&self) -> bool {
        let patterns = read_patterns(&self.ignore_file().ok().flatten().map(|(_, text)| text).unwrap_or_default());
        super::ignore::matches(&self.dockerfile, &patterns).unwrap_or(false)
    }

    /// `<Dockerfile>.dockerignore` when it exists (it wins), else `.dockerignore`: name and text.
    /// One that is not a small regular file is an error, not a context sent unfiltered.
    fn ignore_file(&self) -> Result<Option<(String, String)>> {
        let Some(name) = [format!("{}.dockerignore", self.dockerfile), ".dockerignore".to_string()]
            .into_iter()
            .find(|name| self.root.join(name).exists())
        else {
            return Ok(None);
        };
        let text = crate::fsutil::read_text_capped(&self.root.join(&name), MAX_TEXT, ".dockerignore")?;
        Ok(Some((name, text)))
    }

    /// Count what will be sent.
    pub fn summarize(&self) -> Result<ContextSummary> {
        let (matcher, ignore_file) = self.matcher()?;
        let mut summary = ContextSummary { ignore_file, ..Default::default() };
        walk(&self.root, &matcher, &mut |entry| {
            match entry {
                Walked::Sent { meta, .. } if !meta.is_dir() => {
                    summary.files += 1;
                    summary.bytes += if meta.is_file() { meta.len() } else { 0 };
                }
                Walked::Excluded { meta } if !meta.is_dir() => summary.excluded_files += 1,
                _ => {}
            }
            Ok(())
        })?;
        Ok(summary)
    }

    /// Start packing on a blocking thread. The returned stream yields the tar in chunks; the
    /// outcome (a file that changed, a read error) is in [`Packing::finish`].
    pub fn pack(&self, keep_ignore_file: bool) -> Result<Packing> {
        let (matcher, _) = self.matcher_keeping(keep_ignore_file)?;
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let sent = Arc::new(AtomicU64::new(0));
        let failure = Arc::new(Mutex::new(None));
        let root = self.root.clone();
        let inline = self.inline.clone().map(|text| (self.dockerfile.clone(), text));
        let writer = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK), sent: sent.clone() };
        let slot = failure.clone();
        let task = tokio::task::spawn_blocking(move || {
            if let Err(e) = write_tar(&root, &matcher, inline, writer) {
                // The request body fails too, so the engine never builds from a partial tar.
                let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
                *slot.lock().unwrap() = Some(e);
            }
        });
        Ok(Packing { rx: Some(rx), sent, failure, task })
    }
}

/// A tar being written: take the body once, then ask how it ended.
pub struct Packing {
    rx: Option<mpsc::Receiver<io::Result<Bytes>>>,
    sent: Arc<AtomicU64>,
    failure: Arc<Mutex<Option<Error>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Packing {
    /// The tar as a stream of chunks (once).
    pub fn body(&mut self) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send + 'static {
        let rx = self.rx.take().expect("the context body is taken once");
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
    }

    /// Bytes of tar handed to the engine so far.
    pub fn sent(&self) -> Arc<AtomicU64> {
        self.sent.clone()
    }

    /// Why packing failed, if it did (taken once).
    pub fn failure(&self) -> Option<Error> {
        self.failure.lock().unwrap().take()
    }

    /// Wait for the packing thread (after the engine answered) and report its failure.
    pub async fn finish(self) -> Result<()> {
        let _ = self.task.await;
        self.failure.lock().unwrap().take().map_or(Ok(()), Err)
    }
}

struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
    sent: Arc<AtomicU64>,
}

impl ChannelWriter {
    fn ship(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        let len = chunk.len() as u64;
        self.tx
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the engine stopped reading the context"))?;
        self.sent.fetch_add(len, Ordering::Relaxed);
        Ok(())
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.ship()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.ship()
    }
}

enum Walked<'a> {
    Sent { rel: &'a str, path: &'a Path, meta: &'a Metadata },
    Excluded { meta: &'a Metadata },
}

/// Walk the folder in lexical order without following symlinks, as moby's walker does: an
/// excluded directory is skipped whole unless an exception pattern names something below it.
fn walk(root: &Path, matcher: &PatternMatcher, visit: &mut dyn FnMut(Walked) -> Result<()>) -> Result<()> {
    fn dir(root: &Path, rel: &str, matcher: &PatternMatcher, visit: &mut dyn FnMut(Walked) -> Result<()>) -> Result<()> {
        let path = if rel.is_empty() { root.to_path_buf() } else { root.join(rel) };
        let unreadable = |e| Error::io(format!("Cannot read {} for the build context", path.display()), e);
        let mut names: Vec<String> = fs::read_dir(&path)
            .map_err(unreadable)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<_>>()
            .map_err(unreadable)?;
        names.sort();
        for name in names {
            let child_rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let child = root.join(&child_rel);
            let meta =
                fs::symlink_metadata(&child).map_err(|e| Error::io(format!("Cannot read {} for the build context", child.display()), e))?;
            let excluded = matcher.matches(&child_rel).map_err(|e| Error::invalid("dockerignore", format!(".dockerignore: {e}")))?;
            if excluded {
                visit(Walked::Excluded { meta: &meta })?;
                if meta.is_dir() && matcher.exclusions() && matcher.may_reinclude_below(&child_rel) {
                    dir(root, &child_rel, matcher, visit)?;
                } else if meta.is_dir() {
                    count_skipped(&child, visit)?;
                }
                continue;
            }
            let kind = meta.file_type();
            if !(kind.is_file() || kind.is_dir() || kind.is_symlink()) {
                continue; // sockets, fifos and devices cannot go into a build context
            }
            visit(Walked::Sent { rel: &child_rel, path: &child, meta: &meta })?;
            if kind.is_dir() {
                dir(root, &child_rel, matcher, visit)?;
            }
        }
        Ok(())
    }
    dir(root, "", matcher, visit)
}

/// Files inside a skipped directory still count as excluded in the summary.
fn count_skipped(path: &Path, visit: &mut dyn FnMut(Walked) -> Result<()>) -> Result<()> {
    let Ok(entries) = fs::read_dir(path) else { return Ok(()) };
    for entry in entries.flatten() {
        if let Ok(meta) = fs::symlink_metadata(entry.path()) {
            if meta.is_dir() {
                count_skipped(&entry.path(), visit)?;
            } else {
                visit(Walked::Excluded { meta: &meta })?;
            }
        }
    }
    Ok(())
}

fn write_tar(root: &Path, matcher: &PatternMatcher, inline: Option<(String, String)>, writer: ChannelWriter) -> Result<()> {
    let mut tar = tar::Builder::new(writer);
    let broken = |e: io::Error| match e.kind() {
        io::ErrorKind::BrokenPipe => Error::Cancelled,
        _ => Error::io("Writing the build context", e),
    };
    walk(root, matcher, &mut |entry| {
        let Walked::Sent { rel, path, meta } = entry else { return Ok(()) };
        let mut header = tar::Header::new_gnu();
        header.set_metadata_in_mode(meta, tar::HeaderMode::Complete);
        // As the docker CLI sends it: owned by root, no user names.
        header.set_uid(0);
        header.set_gid(0);
        let _ = header.set_username("");
        let _ = header.set_groupname("");
        if meta.is_dir() {
            header.set_size(0);
            tar.append_data(&mut header, format!("{rel}/"), io::empty()).map_err(broken)
        } else if meta.file_type().is_symlink() {
            // Sent as the link itself, never followed: the target resolves inside the image.
            let target = fs::read_link(path).map_err(|e| Error::io(format!("Reading the link {rel}"), e))?;
            header.set_size(0);
            tar.append_link(&mut header, rel, target).map_err(broken)
        } else {
            let file = fs::File::open(path).map_err(|e| Error::io(format!("Cannot read {rel} for the build context"), e))?;
            let mut counted = Counted { inner: file.take(meta.len()), read: 0 };
            tar.append_data(&mut header, rel, &mut counted).map_err(broken)?;
            let after = fs::symlink_metadata(path).ok();
            let unchanged =
                counted.read == meta.len() && after.is_some_and(|a| a.len() == meta.len() && a.modified().ok() == meta.modified().ok());
            if unchanged {
                Ok(())
            } else {
                Err(changed(rel))
            }
        }
    })?;
    if let Some((name, text)) = inline {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o600);
        header.set_size(text.len() as u64);
        header.set_mtime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
        tar.append_data(&mut header, name, text.as_bytes()).map_err(broken)?;
    }
    let mut writer = tar.into_inner().map_err(broken)?;
    writer.flush().map_err(broken)
}

fn changed(rel: &str) -> Error {
    Error::Conflict {
        message: format!(
            "“{rel}” changed while Berth was sending the build context, so the build was stopped rather than build from a mix of old and new files. Build again once it stops changing."
        ),
    }
}

/// A reader that counts, so a file that shrank while being read is noticed.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The slash paths a context would send, for tests and the conformance table.
pub fn listing(ctx: &Context) -> Result<Vec<String>> {
    let (matcher, _) = ctx.matcher()?;
    let mut out = Vec::new();
    walk(&ctx.root, &matcher, &mut |entry| {
        if let Walked::Sent { rel, .. } = entry {
            out.push(rel.to_string());
        }
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str], ignore: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, f).unwrap();
        }
        fs::write(dir.path().join(".dockerignore"), ignore).unwrap();
        dir
    }

    #[test]
    fn keeps_dockerfile_and_ignore_file() {
        let dir = tree(&["Dockerfile", "a", "sub/b"], "*\n");
        let ctx = Context::new(dir.path(), "Dockerfile").unwrap();
        assert_eq!(listing(&ctx).unwrap(), [".dockerignore", "Dockerfile"]);
        let s = ctx.summarize().unwrap();
        assert_eq!((s.files, s.excluded_files), (2, 2));
    }

    #[test]
    fn dockerfile_specific_ignore_wins() {
        let dir = tree(&["app.Dockerfile", "a", "b"], "a\n");
        fs::write(dir.path().join("app.Dockerfile.dockerignore"), "b\n").unwrap();
        let ctx = Context::new(dir.path(), "app.Dockerfile").unwrap();
        assert_eq!(listing(&ctx).unwrap(), [".dockerignore", "a", "app.Dockerfile", "app.Dockerfile.dockerignore"]);
        assert_eq!(ctx.summarize().unwrap().ignore_file.as_deref(), Some("app.Dockerfile.dockerignore"));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_escapes() {
        let dir = tree(&["Dockerfile"], "");
        let err = Context::new(dir.path().join("."), "../Dockerfile").unwrap_err();
        assert!(err.to_string().contains("outside the project folder"), "{err}");
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("Dockerfile"), "FROM x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("Dockerfile"), dir.path().join("Linked")).unwrap();
        assert!(Context::new(dir.path(), "Linked").is_err());
    }

    #[tokio::test]
    async fn a_file_that_changes_while_packed_fails_the_context() {
        use futures_util::StreamExt;
        let dir = tree(&["Dockerfile"], "");
        let big = dir.path().join("a.bin");
        fs::write(&big, vec![7u8; 8 * CHUNK * CHANNEL_DEPTH]).unwrap();
        let ctx = Context::new(dir.path(), "Dockerfile").unwrap();
        let mut packing = ctx.pack(true).unwrap();
        let mut body = Box::pin(packing.body());
        // The packer is now blocked inside a.bin (the channel holds a quarter of it).
        body.next().await.unwrap().unwrap();
        fs::OpenOptions::new().append(true).open(&big).unwrap().write_all(b"more").unwrap();
        let rest: Vec<_> = body.collect().await;
        assert!(rest.last().unwrap().is_err(), "the body fails so the engine gets no valid tar");
        let err = packing.finish().await.unwrap_err();
        assert!(err.to_string().contains("“a.bin” changed while Berth was sending"), "{err}");
    }

    #[tokio::test]
    async fn an_inline_dockerfile_is_sent_in_the_tar_not_written_to_the_folder() {
        use futures_util::StreamExt;
        let dir = tree(&["app.txt"], "");
        let ctx = Context::inline(dir.path(), "FROM scratch\n").unwrap();
        assert!(ctx.dockerfile.starts_with(".dockerfile.") && !dir.path().join(&ctx.dockerfile).exists());
        assert_eq!(ctx.dockerfile_text().unwrap(), "FROM scratch\n");
        let mut packing = ctx.pack(true).unwrap();
        let chunks: Vec<_> = packing.body().collect().await;
        packing.finish().await.unwrap();
        let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
        let mut archive = tar::Archive::new(&bytes[..]);
        let names: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, [".dockerignore".to_string(), "app.txt".into(), ctx.dockerfile.clone()]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn packs_a_tar_with_links_not_followed() {
        use futures_util::StreamExt;
        let dir = tree(&["Dockerfile", "data/x"], "");
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        let ctx = Context::new(dir.path(), "Dockerfile").unwrap();
        let mut packing = ctx.pack(true).unwrap();
        let chunks: Vec<_> = packing.body().collect().await;
        packing.finish().await.unwrap();
        let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
        let mut archive = tar::Archive::new(&bytes[..]);
        let entries: Vec<(String, tar::EntryType)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.path().unwrap().to_string_lossy().into_owned(), e.header().entry_type())
            })
            .collect();
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, [".dockerignore", "Dockerfile", "data/", "data/x", "link"]);
        assert_eq!(entries[4].1, tar::EntryType::Symlink);
    }
}
