//! What a docker credential helper prints: `get`'s and `list`'s JSON, or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| berth_core::fuzzing::helper_answer(data));
