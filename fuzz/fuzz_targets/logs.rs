//! Following logs: the engine's stdout/stderr chunks split into lines.
//! Input: chunks, each a header byte (bit 0: stderr, the rest: length) and that many bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut chunks = Vec::new();
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let len = usize::from(head >> 1).min(tail.len());
        chunks.push((head & 1 == 1, tail[..len].to_vec()));
        rest = &tail[len..];
    }
    let newlines = chunks.iter().map(|(_, c)| c.iter().filter(|&&b| b == b'\n').count()).sum::<usize>();
    let lines = berth_core::fuzzing::log_lines(chunks);
    // Every newline ends one line, plus at most one unfinished line per stream.
    assert!(lines.len() <= newlines + 2);
    assert!(lines.iter().all(|l| !l.text.contains('\n')));
});
