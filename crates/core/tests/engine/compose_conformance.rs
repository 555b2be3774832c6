//! compose-go's own test tables (interpolation, loader outcomes) against berth-core's loader.

use super::conformance::dir;
use berth_core::compose::{self, interpolate};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

fn env_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()
}

#[test]
fn compose_interpolation() {
    let Some(dir) = dir() else { return };
    let table: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("compose/interpolation_cases.json")).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    let mut failed = Vec::new();
    for case in cases {
        let env = env_of(case.get("env_override").unwrap_or(&table["env"]));
        let template = case["template"].as_str().unwrap();
        let got = interpolate::substitute(template, &mut |k| env.get(k).cloned()).map_err(|e| e.to_string());
        let ok = match (&got, case.get("expected"), case.get("error_contains")) {
            (Ok(v), Some(want), _) => v == want.as_str().unwrap(),
            (Err(e), _, Some(want)) => e.contains(want.as_str().unwrap()),
            _ => false,
        };
        if !ok {
            failed.push(format!("{template:?}: got {got:?}, want {case}"));
        }
    }
    println!("compose interpolation: {}/{}", cases.len() - failed.len(), cases.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Load one YAML text as compose-go's test would: its working folder is the Go package's
/// testdata, the environment only what the case gives, no consistency checks (its loadYAML
/// skips them; Berth runs them before `up`, see the compose engine tests).
fn load_case(dir: &std::path::Path, case: &Value) -> Result<compose::Project, String> {
    let package = case["file"].as_str().unwrap().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let work = dir.join("compose/testdata").join(package);
    let file = work.join("compose.yaml");
    let opts = compose::Options {
        project_dir: Some(work),
        files: vec![file.clone()],
        env: env_of(&case["env"]),
        name: Some("conformance".into()),
        texts: HashMap::from([(file, case["yaml"].as_str().unwrap().to_string())]),
        skip_consistency: true,
        ..Default::default()
    };
    compose::load(&opts).map_err(|p| p.to_string())
}

#[test]
fn compose_loader() {
    let Some(dir) = dir() else { return };
    let table: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("compose/loader_cases.json")).unwrap()).unwrap();
    let mut failed = Vec::new();
    let valid = table["loader_tests_valid"].as_array().unwrap();
    for case in valid {
        if let Err(e) = load_case(&dir, case) {
            failed.push(format!("{} must load: {e}", case["test"]));
        }
    }
    let outcomes = table["loader_test_outcomes"].as_array().unwrap();
    for case in outcomes {
        let got = load_case(&dir, case);
        let ok = match (&got, case["expect"].as_str().unwrap()) {
            (Ok(_), "ok") => true,
            (Err(e), "error") => case.get("error_contains").and_then(Value::as_str).is_none_or(|want| e.contains(want)),
            _ => false,
        };
        if !ok {
            failed.push(format!("{}: got {:?}, want {} {}", case["test"], got.map(|_| "ok"), case["expect"], case["error_contains"]));
        }
    }
    let total = valid.len() + outcomes.len();
    println!("compose loader: {}/{}", total - failed.len(), total);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The schema Berth embeds is the one the conformance data was taken with.
#[test]
fn compose_schema_is_current() {
    let Some(dir) = dir() else { return };
    let theirs: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("compose/compose-spec.schema.json")).unwrap()).unwrap();
    let ours: Value = serde_json::from_str(include_str!("../../src/compose/compose-spec.json")).unwrap();
    assert_eq!(ours, theirs, "crates/core/src/compose/compose-spec.json differs from the conformance copy");
}

fn load_fixture(dir: &std::path::Path, file: &str) -> Result<compose::Project, String> {
    let path = dir.join("compose/testdata").join(file);
    let opts = compose::Options {
        project_dir: Some(path.parent().unwrap().to_path_buf()),
        files: vec![path],
        name: Some("fixture".into()),
        ..Default::default()
    };
    compose::load(&opts).map_err(|p| p.to_string())
}

/// The fixture files (extends and include across folders, `.env`, `env_file`, cycles), with
/// the outcomes compose-go's tests assert on them.
#[test]
fn compose_fixtures() {
    let Some(dir) = dir() else { return };
    let testdata = dir.join("compose/testdata");
    let mut checks: Vec<(&str, bool)> = Vec::new();
    let p = load_fixture(&dir, "loader/testdata/compose-test-extends.yaml").unwrap();
    let importer = &p.config["services"]["importer"];
    checks.push(("extends from another file", importer["image"] == "nginx" && importer["container_name"] == "imported"));
    // env_file of the extended service is relative to its own file: SOURCE=extends there.
    checks.push(("extends keeps the base file's paths", importer["environment"]["SOURCE"] == "extends"));
    let p = load_fixture(&dir, "loader/testdata/compose-include.yaml").unwrap();
    checks.push((
        "include adds services",
        p.config["services"]["imported"]["image"] == "nginx" && p.config["services"]["bar"]["environment"]["FOO"] == "BAR",
    ));
    let p = load_fixture(&dir, "loader/testdata/extends/withdir/compose.yaml").unwrap();
    checks.push(("nested extends through folders", p.config["services"]["test"]["image"] == "hello-world"));
    let p = load_fixture(&dir, "loader/testdata/combined/compose.yaml").unwrap();
    let ctx = p.config["services"]["service"]["build"]["context"].as_str().unwrap_or_default().to_string();
    checks.push((
        "include + extends: build context in the extended file's folder",
        std::path::Path::new(&ctx) == testdata.join("loader/testdata/combined/dir").canonicalize().unwrap(),
    ));
    let e = load_fixture(&dir, "loader/testdata/compose-depends-on-cycle.yaml").unwrap_err();
    checks.push(("depends_on cycle", e.contains("dependency cycle detected")));
    let e = load_fixture(&dir, "loader/testdata/compose-depends-on-self.yaml").unwrap_err();
    checks.push(("depends_on itself", e.contains("dependency cycle detected")));
    let e = load_fixture(&dir, "loader/testdata/compose-include-cycle.yaml").unwrap_err();
    checks.push(("include cycle", e.contains("include cycle")));
    let p = load_fixture(&dir, "cli/testdata/simple/compose-with-variables.yaml").unwrap();
    checks.push((".env interpolates", p.config["services"]["simple"]["ports"][0]["published"] == "8000"));
    let p = load_fixture(&dir, "cli/testdata/env-file/compose-with-env-file.yaml").unwrap();
    checks.push(("env_file", p.config["services"]["simple"]["environment"]["DEFAULT_PORT"] == "8080"));
    let env = |k: &str| (k == "VAR").then(|| "x".to_string());
    for f in std::fs::read_dir(testdata.join("dotenv/fixtures")).unwrap() {
        let f = f.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let parsed = compose::dotenv::parse(&std::fs::read_to_string(&f).unwrap(), &env);
        checks.push((
            if name == "invalid1.env" { "dotenv invalid1.env is refused" } else { "dotenv fixture parses" },
            parsed.is_ok() != (name == "invalid1.env"),
        ));
    }
    let failed: Vec<_> = checks.iter().filter(|(_, ok)| !ok).map(|(what, _)| *what).collect();
    println!("compose fixtures: {}/{}", checks.len() - failed.len(), checks.len());
    assert!(failed.is_empty(), "{failed:#?}");
}
