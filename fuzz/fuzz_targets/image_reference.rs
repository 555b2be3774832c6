//! Image references (distribution's grammar and docker's normalisation) and reference filters.
//! Input: a reference, then optionally a newline and a tag, digest or filter pattern.
#![no_main]
use berth_core::reference::{self as r};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (s, other) = text.split_once('\n').unwrap_or((text, "*"));
    let _ = r::parse(s);
    let _ = r::parse_named(s);
    let _ = r::parse_docker_ref(s);
    let _ = r::parse_any(s);
    let _ = r::diagnose(s);
    let _ = r::validate_digest(s);
    let _ = berth_core::images::normalize(s);
    if let Ok(name) = r::with_name(s) {
        let _ = name.with_tag(other);
        let _ = name.with_digest(other);
    }
    if let Ok(reference) = r::parse_normalized(s) {
        let _ = (reference.name(), reference.familiar(), reference.registry());
        let _ = r::familiar_match(other, &reference);
        // What Berth prints parses back to the same reference.
        assert_eq!(r::parse_normalized(&reference.to_string()).as_ref(), Ok(&reference), "{s:?}");
    }
});
