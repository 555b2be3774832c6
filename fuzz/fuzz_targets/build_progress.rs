//! A build's progress: the engine's JSON lines (classic `Step n/m` text or BuildKit traces)
//! folded into steps, and BuildKit's `StatusResponse` protobuf decoded by hand.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = berth_core::fuzzing::build_stream(data);
});
