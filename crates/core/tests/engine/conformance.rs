//! Conformance with the docker CLI's own test tables, read from ../shared/conformance (or
//! $BERTH_CONFORMANCE_DIR). Never copied into the project; when absent, says so and skips.

use std::path::PathBuf;

pub fn dir() -> Option<PathBuf> {
    let dir = std::env::var_os("BERTH_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/conformance")));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("conformance: skipped, {} is absent (set BERTH_CONFORMANCE_DIR to run it)", dir.display());
        None
    }
}

#[test]
fn context_directory_names() {
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("credentials/cases.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let examples = cases["context_dir_examples"].as_object().expect("context_dir_examples");
    let mut failed = Vec::new();
    for (name, expected) in examples {
        let got = berth_core::engine::context::dir_name(name);
        if got != expected.as_str().unwrap() {
            failed.push(format!("{name}: got {got}, want {expected}"));
        }
    }
    println!("conformance context-dir: {}/{} passed", examples.len() - failed.len(), examples.len());
    assert!(failed.is_empty(), "{failed:#?}");
}
