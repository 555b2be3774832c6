//! The job folder as a job's main process sends it on stdout after its scripts
//! ([`super::script::Send`]): the bytes before the mark are the job's output, the bytes after it
//! a tar written to a file, at most `max` bytes of it.

use super::script::Send;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

pub struct SentFiles {
    path: PathBuf,
    max: u64,
    state: State,
}

enum State {
    /// Output, ending in what may be the start of the mark.
    Before(Vec<u8>),
    Writing {
        file: File,
        written: u64,
    },
    /// More than `max` bytes came: the file is removed.
    TooBig,
    /// The file could not be written: the engine's download stands in.
    Failed,
}

/// What came after the output.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// No tar (the job did not send one, or it could not be kept).
    Nothing,
    /// A tar, in this file; whole only if the process also said so ([`super::script::StepMark::sent`]).
    Tar(PathBuf),
    TooBig,
}

impl SentFiles {
    pub fn new(path: PathBuf, max: u64) -> SentFiles {
        SentFiles { path, max, state: State::Before(Vec::new()) }
    }

    /// The output bytes to show; what follows the mark goes to the file.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        match &mut self.state {
            State::Before(held) => {
                held.extend_from_slice(bytes);
                if let Some(at) = held.windows(Send::MARK.len()).position(|w| w == Send::MARK) {
                    let rest = held.split_off(at + Send::MARK.len());
                    held.truncate(at);
                    let shown = std::mem::take(held);
                    self.state =
                        match self.path.parent().map(std::fs::create_dir_all).unwrap_or(Ok(())).and_then(|_| File::create(&self.path)) {
                            Ok(file) => State::Writing { file, written: 0 },
                            Err(e) => {
                                tracing::debug!(%e, "could not keep the job folder a job sent");
                                State::Failed
                            }
                        };
                    self.write(&rest);
                    return shown;
                }
                let keep =
                    (1..Send::MARK.len().min(held.len() + 1)).rev().find(|&n| Send::MARK.starts_with(&held[held.len() - n..])).unwrap_or(0);
                held.drain(..held.len() - keep).collect()
            }
            _ => {
                self.write(bytes);
                Vec::new()
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        let State::Writing { file, written } = &mut self.state else {
            return;
        };
        *written += bytes.len() as u64;
        if *written > self.max {
            self.state = State::TooBig;
            let _ = std::fs::remove_file(&self.path);
        } else if let Err(e) = file.write_all(bytes) {
            tracing::debug!(%e, "could not keep the job folder a job sent");
            self.state = State::Failed;
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Output still held once the stream has ended (it never held a mark).
    pub fn held(&mut self) -> Vec<u8> {
        match &mut self.state {
            State::Before(held) => std::mem::take(held),
            _ => Vec::new(),
        }
    }

    /// What was sent.
    pub fn outcome(self) -> Sent {
        match self.state {
            State::Before(_) | State::Failed => Sent::Nothing,
            State::Writing { .. } => Sent::Tar(self.path),
            State::TooBig => Sent::TooBig,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_then_the_tar_in_any_chunks() {
        let stream = [b"hello \x1fworld\n".as_slice(), Send::MARK, b"TARBYTES"].concat();
        for size in [1, 2, 3, 7, stream.len()] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("sub/project.tar");
            let mut tap = SentFiles::new(path.clone(), 100);
            let mut shown: Vec<u8> = stream.chunks(size).flat_map(|c| tap.push(c)).collect();
            shown.extend(tap.held());
            assert_eq!(shown, b"hello \x1fworld\n", "chunks of {size}");
            assert_eq!(tap.outcome(), Sent::Tar(path.clone()));
            assert_eq!(std::fs::read(&path).unwrap(), b"TARBYTES");
        }
    }

    #[test]
    fn no_mark_shows_everything_and_too_much_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut tap = SentFiles::new(dir.path().join("p.tar"), 4);
        let mut shown = tap.push(b"just output \x1fberth-fi");
        shown.extend(tap.held());
        assert_eq!(shown, b"just output \x1fberth-fi");
        assert_eq!(tap.outcome(), Sent::Nothing);

        let mut tap = SentFiles::new(dir.path().join("p.tar"), 4);
        tap.push(&[Send::MARK, b"12345"].concat());
        assert_eq!(tap.outcome(), Sent::TooBig);
        assert!(!dir.path().join("p.tar").exists());
    }
}
