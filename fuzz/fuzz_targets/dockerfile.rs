//! Dockerfile reading for the build form and build errors: instructions, stages, `ARG`s,
//! base images with `ARG` expansion, and lines from step numbers, vertex names and messages.
#![no_main]
use berth_core::build::dockerfile::{line_in_message, Dockerfile};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let df = Dockerfile::parse(text);
    let args = df.args();
    let _ = df.base_images(&BTreeMap::new());
    let defaults = args.iter().map(|a| (a.name.clone(), a.default.clone().unwrap_or_default())).collect();
    let _ = df.base_images(&defaults);
    for step in 0..df.instructions.len() + 2 {
        let _ = df.line_of_step(step);
    }
    for line in text.lines() {
        let _ = df.line_of_vertex(line);
    }
    let _ = line_in_message(text);
});
