//! Container logs: followed as batches of lines for the viewer, or saved whole to a file.

use crate::error::{Error, ErrorPayload, Result};
use crate::Engine;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

/// Lines are sent at most this often, or sooner when a batch reaches [`BATCH_LINES`] or
/// [`BATCH_BYTES`].
const BATCH_EVERY: Duration = Duration::from_millis(50);
const BATCH_LINES: usize = 5_000;
const BATCH_BYTES: usize = 1 << 20;
/// Longer lines (a `\r` progress bar, binary output) are cut into pieces of at most this many
/// bytes, each but the last marked [`LogLine::continues`], so memory stays bounded.
pub const MAX_LINE: usize = 16 * 1024;
/// A follow that hears nothing this long asks whether the engine still answers: an engine that
/// hangs or vanishes without closing the connection would otherwise leave it waiting forever.
const IDLE_CHECK: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LogOptions {
    pub follow: bool,
    pub timestamps: bool,
    /// Lines from the end to start with; None = all.
    pub tail: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum LogStream {
    Out,
    Err,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LogLine {
    pub stream: LogStream,
    pub text: String,
    /// Cut at [`MAX_LINE`]: the line goes on in the next one of its stream.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub continues: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum LogEvent {
    Lines {
        lines: Vec<LogLine>,
    },
    /// The stream is over: the container stopped (when following) or all lines were sent.
    End {
        error: Option<ErrorPayload>,
    },
}

fn options(opts: LogOptions) -> LogsOptions {
    LogsOptions {
        follow: opts.follow,
        stdout: true,
        stderr: true,
        timestamps: opts.timestamps,
        tail: opts.tail.map(|t| t.to_string()).unwrap_or_else(|| "all".into()),
        ..Default::default()
    }
}

/// Stream a container's logs to `emit` until they end; always finishes with [`LogEvent::End`].
pub async fn follow(engine: &Engine, id: &str, opts: LogOptions, emit: impl FnMut(LogEvent)) {
    follow_since(engine, id, opts, None, emit).await
}

/// [`follow`] from `since` (seconds since the epoch) on.
pub async fn follow_since(engine: &Engine, id: &str, opts: LogOptions, since: Option<i64>, mut emit: impl FnMut(LogEvent)) {
    let query = LogsOptions { since: since.map_or(0, |s| s as i32), ..options(opts) };
    let mut stream = engine.docker().logs(id, Some(query));
    let mut splitter = Splitter::default();
    let mut batch: Vec<LogLine> = Vec::new();
    let mut batch_bytes = 0;
    let mut flush_at: Option<Instant> = None;
    let mut heard = Instant::now();
    let error = loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(chunk)) => {
                    batch_bytes += chunk.as_ref().len();
                    heard = Instant::now();
                    splitter.push(chunk, &mut batch);
                    if batch.len() >= BATCH_LINES || batch_bytes >= BATCH_BYTES {
                        emit(LogEvent::Lines { lines: std::mem::take(&mut batch) });
                        batch_bytes = 0;
                        flush_at = None;
                    } else if !batch.is_empty() {
                        flush_at.get_or_insert_with(|| Instant::now() + BATCH_EVERY);
                    }
                }
                Some(Err(e)) => break Some(engine.err(&format!("Container {}", super::short(id)))(e)),
                None => break None,
            },
            _ = crate::stream::flush_timer(flush_at) => {
                emit(LogEvent::Lines { lines: std::mem::take(&mut batch) });
                batch_bytes = 0;
                flush_at = None;
            }
            _ = tokio::time::sleep_until(heard + IDLE_CHECK), if opts.follow => {
                if let Err(e) = engine.ping().await {
                    break Some(e);
                }
                heard = Instant::now();
            }
        }
    };
    splitter.finish(&mut batch);
    if !batch.is_empty() {
        emit(LogEvent::Lines { lines: batch });
    }
    emit(LogEvent::End { error: error.map(ErrorPayload::from) });
}

/// Write the whole log to `path`, as `docker logs` prints it. Returns the bytes written.
pub async fn save(engine: &Engine, id: &str, timestamps: bool, path: &Path) -> Result<u64> {
    let opts = LogOptions { follow: false, timestamps, tail: None };
    let mut stream = engine.docker().logs(id, Some(options(opts)));
    let file = tokio::fs::File::create(path).await.map_err(|e| Error::io(format!("Cannot write {}", path.display()), e))?;
    let mut out = tokio::io::BufWriter::new(file);
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let bytes = chunk.map_err(engine.err(&format!("Container {}", super::short(id))))?.into_bytes();
        written += bytes.len() as u64;
        out.write_all(&bytes).await.map_err(|e| Error::io(format!("Cannot write {}", path.display()), e))?;
    }
    out.flush().await.map_err(|e| Error::io(format!("Cannot write {}", path.display()), e))?;
    Ok(written)
}

/// Splits chunks into lines, carrying partial lines per stream until their newline arrives.
/// Only new bytes are scanned, and a partial line never grows past [`MAX_LINE`].
#[derive(Default)]
pub(crate) struct Splitter {
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Splitter {
    pub(crate) fn push(&mut self, chunk: LogOutput, lines: &mut Vec<LogLine>) {
        let (stream, bytes) = match chunk {
            LogOutput::StdErr { message } => (LogStream::Err, message),
            LogOutput::StdOut { message } | LogOutput::Console { message } | LogOutput::StdIn { message } => (LogStream::Out, message),
        };
        let carry = match stream {
            LogStream::Out => &mut self.out,
            LogStream::Err => &mut self.err,
        };
        for piece in bytes.split_inclusive(|&b| b == b'\n') {
            let (mut text, ended) = match piece.strip_suffix(b"\n") {
                Some(text) => (text, true),
                None => (piece, false),
            };
            while carry.len() + text.len() > MAX_LINE {
                let at = cut_at(text, MAX_LINE - carry.len(), carry.is_empty());
                carry.extend_from_slice(&text[..at]);
                lines.push(line(stream, carry, true));
                carry.clear();
                text = &text[at..];
            }
            carry.extend_from_slice(text);
            if ended {
                lines.push(line(stream, carry, false));
                carry.clear();
            }
        }
    }

    pub(crate) fn finish(&mut self, lines: &mut Vec<LogLine>) {
        for (stream, carry) in [(LogStream::Out, &mut self.out), (LogStream::Err, &mut self.err)] {
            if !carry.is_empty() {
                lines.push(line(stream, carry, false));
                carry.clear();
            }
        }
    }
}

/// Where to cut `text` to take at most `room` bytes: before a UTF-8 character that would not
/// fit whole, unless that leaves nothing to take.
fn cut_at(text: &[u8], room: usize, must_take: bool) -> usize {
    let start = (room.saturating_sub(3)..=room).rev().find(|&i| text[i] & 0xC0 != 0x80).unwrap_or(room);
    if start == 0 && must_take {
        room
    } else {
        start
    }
}

fn line(stream: LogStream, bytes: &[u8], continues: bool) -> LogLine {
    let bytes = if continues { bytes } else { bytes.strip_suffix(b"\r").unwrap_or(bytes) };
    LogLine { stream, text: String::from_utf8_lossy(bytes).into_owned(), continues }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(s: &str) -> LogOutput {
        LogOutput::StdOut { message: s.as_bytes().to_vec().into() }
    }

    #[test]
    fn splits_and_carries_partial_lines_per_stream() {
        let mut sp = Splitter::default();
        let mut lines = Vec::new();
        sp.push(out("a\nb"), &mut lines);
        sp.push(LogOutput::StdErr { message: b"oops\r\n".to_vec().into() }, &mut lines);
        sp.push(out("c\n\nd"), &mut lines);
        sp.finish(&mut lines);
        let got: Vec<_> = lines.iter().map(|l| (l.stream, l.text.as_str())).collect();
        assert_eq!(
            got,
            vec![(LogStream::Out, "a"), (LogStream::Err, "oops"), (LogStream::Out, "bc"), (LogStream::Out, ""), (LogStream::Out, "d"),]
        );
    }

    #[test]
    fn long_lines_are_cut_in_pieces_and_characters_kept_whole() {
        let mut sp = Splitter::default();
        let mut lines = Vec::new();
        // 40 KiB without a newline, in chunks that do not line up with the cut.
        for _ in 0..40 {
            sp.push(out(&"y".repeat(1024)), &mut lines);
        }
        let sizes: Vec<_> = lines.iter().map(|l| (l.text.len(), l.continues)).collect();
        assert_eq!(sizes, vec![(MAX_LINE, true), (MAX_LINE, true)], "the rest waits for more");
        sp.push(out("z\r\nnext\n"), &mut lines);
        let tail: Vec<_> = lines[2..].iter().map(|l| (l.text.len(), l.continues)).collect();
        assert_eq!(tail, vec![(40 * 1024 - 2 * MAX_LINE + 1, false), (4, false)]);
        assert!(lines[2].text.ends_with('z'), "a line's \\r is dropped at its end");

        // A 3-byte character straddling the cut goes whole into the next piece.
        let mut lines = Vec::new();
        sp.push(out(&format!("{}€€", "a".repeat(MAX_LINE - 1))), &mut lines);
        sp.finish(&mut lines);
        assert_eq!(lines[0].text, "a".repeat(MAX_LINE - 1));
        assert_eq!(lines[1].text, "€€");
        assert!(lines[0].continues && !lines[1].continues);
    }

    #[test]
    fn a_line_of_exactly_the_cap_is_not_cut() {
        let mut sp = Splitter::default();
        let mut lines = Vec::new();
        sp.push(out(&format!("{}\n", "y".repeat(MAX_LINE))), &mut lines);
        assert_eq!(lines.len(), 1);
        assert!(!lines[0].continues);
    }

    #[test]
    fn invalid_utf8_is_kept_lossily() {
        let mut sp = Splitter::default();
        let mut lines = Vec::new();
        sp.push(LogOutput::StdOut { message: vec![0x66, 0xff, b'\n'].into() }, &mut lines);
        assert_eq!(lines[0].text, "f\u{fffd}");
    }
}
