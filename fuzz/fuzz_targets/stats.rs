//! The engine's stats stream: one JSON document per line, each folded into a sample.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for json in data.split(|&b| b == b'\n') {
        if let Some(sample) = berth_core::fuzzing::stats(json) {
            assert!(sample.cpu_percent.is_finite() && sample.cpu_percent >= 0.0);
        }
    }
});
