//! Reading and writing the user's files safely. Every rewrite of a user file (the docker CLI's
//! config.json, compose files, Berth's own state) goes through [`write_atomic`]; every file read
//! from a folder the user dropped (an untrusted, cloned repository) goes through [`read_capped`].

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes` so that a crash leaves either the old file or the new one, never
/// half of either: a temporary file in the same folder, fsync, rename, fsync of the folder.
/// A symlink is written through to its target (the link stays a link); an existing file keeps
/// its permissions, a new one gets `new_mode` (Unix).
pub fn write_atomic(path: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    let target = resolve_links(path);
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("Creating {}", dir.display()), e))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.berth-{}.tmp", std::process::id()));
    let mode = existing_mode(&target).unwrap_or(new_mode);
    #[cfg(not(unix))]
    let _ = mode;
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &target)?;
        // The rename itself is durable only once the folder is synced (not possible on Windows).
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    };
    let _ = std::fs::remove_file(&tmp); // left by a crash of this same pid: never ours to keep
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("Writing {}", path.display()), e)
    })
}

/// Berth's own state as JSON through [`write_atomic`]. A file already there that does not parse
/// as `T` (damaged, or written by something else) is first kept as `<name>.unreadable`, never
/// overwritten.
pub fn write_json<T: serde::Serialize + serde::de::DeserializeOwned>(path: &Path, value: &T, new_mode: u32) -> Result<()> {
    if let Ok(old) = std::fs::read(path) {
        if serde_json::from_slice::<T>(&old).is_err() {
            set_aside(path)?;
        }
    }
    let json = serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(format!("{} does not serialise: {e}", path.display())))?;
    write_atomic(path, &json, new_mode)
}

/// Renames `path` to `<name>.unreadable` (replacing an older one).
pub fn set_aside(path: &Path) -> Result<()> {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".unreadable");
    std::fs::rename(path, &aside)
        .map_err(|e| Error::io(format!("Keeping the unreadable {} as {}", path.display(), Path::new(&aside).display()), e))
}

/// The file a chain of symlinks ends at (the path itself when it is not a link). A dangling
/// link resolves to where it points, so the write creates the target.
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(next) => {
                current = if next.is_absolute() { next } else { current.parent().unwrap_or(Path::new(".")).join(next) };
            }
            Err(_) => return current,
        }
    }
    current
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_: &Path) -> Option<u32> {
    None
}

/// Reads a file from an untrusted folder: regular files only (not a FIFO, device or
/// `/dev/zero`), at most `cap` bytes, else an error naming the file and the limit. `what` says
/// what the file is for ("compose file", "env_file", ".dockerignore").
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(format!("Reading {what} {}", path.display()), e))?;
    if !meta.is_file() {
        return Err(Error::InvalidInput {
            field: None,
            message: format!("{what} {} is not a regular file (a device, pipe or folder); Berth reads only regular files.", path.display()),
        });
    }
    let too_big = || Error::InvalidInput {
        field: None,
        message: format!("{what} {} is larger than {}; Berth reads at most that much of it.", path.display(), human(cap)),
    };
    if meta.len() > cap {
        return Err(too_big());
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(format!("Reading {what} {}", path.display()), e))?;
    // The size can change (or lie, as in /proc) between stat and read: never read past the cap.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(|e| Error::io(format!("Reading {what} {}", path.display()), e))?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// [`read_capped`] for text: invalid UTF-8 is an error naming the file.
pub fn read_text_capped(path: &Path, cap: u64, what: &str) -> Result<String> {
    String::from_utf8(read_capped(path, cap, what)?)
        .map_err(|_| Error::InvalidInput { field: None, message: format!("{what} {} is not UTF-8 text.", path.display()) })
}

pub fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", b >> 20),
        b if b >= 1 << 10 => format!("{} kB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_a_symlink_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
            let link = dir.path().join("config.json");
            std::os::unix::fs::symlink("real.json", &link).unwrap();
            write_atomic(&link, b"new", 0o600).unwrap();
            assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
            assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        }
        let leftovers: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn creates_a_new_file_with_the_given_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/new.json");
        write_atomic(&file, b"{}", 0o600).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn refuses_devices_and_big_files() {
        #[cfg(unix)]
        {
            let err = read_capped(Path::new("/dev/zero"), 1024, "env_file").unwrap_err().to_string();
            assert!(err.contains("/dev/zero") && err.contains("not a regular file"), "{err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap();
        let err = read_capped(&big, 1024, "compose file").unwrap_err().to_string();
        assert!(err.contains("larger than 1 kB"), "{err}");
        assert_eq!(read_capped(&big, 4096, "x").unwrap().len(), 2048);
    }
}
