//! The compose loader on one file's text, as the editor validates it: YAML, interpolation,
//! schema, normalisation, merge, profiles, reference checks.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(project) = berth_core::fuzzing::compose(text) {
        assert!(!project.name.is_empty());
    }
});
