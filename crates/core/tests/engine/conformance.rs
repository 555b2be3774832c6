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

#[test]
fn image_references() {
    use berth_core::reference::{self as r, AnyReference, Reference};
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("image-reference/cases.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let fields = |x: &Reference| {
        serde_json::json!({"domain": x.domain, "path": x.path, "name": x.name(), "tag": x.tag.clone().unwrap_or_default(),
            "digest": x.digest.clone().unwrap_or_default(), "normalized": x.to_string(), "familiar": x.familiar()})
    };
    let mut failed = Vec::new();
    for case in &cases {
        let input = s(&case["input"]);
        let got = match case["api"].as_str().unwrap() {
            "Parse" => r::parse(&input).map(|x| fields(&x)),
            "WithName" => r::with_name(&input).map(|x| fields(&x)),
            "ParseNamed" => r::parse_named(&input).map(|x| fields(&x)),
            "ParseNormalizedNamed" => r::parse_normalized(&input).map(|x| fields(&x)),
            "ParseDockerRef" => r::parse_docker_ref(&input).map(|x| fields(&x)),
            "ParseAnyReference" => r::parse_any(&input).map(|x| match x {
                AnyReference::Digest(d) => serde_json::json!({"digest": d, "normalized": d}),
                AnyReference::Named(x) => fields(&x),
            }),
            other => panic!("unknown api {other}"),
        };
        let ok = match (&got, case["valid"].as_bool().unwrap()) {
            (Ok(v), true) => ["domain", "path", "name", "tag", "digest", "normalized", "familiar"]
                .iter()
                .all(|k| case.get(*k).is_none() || case[*k] == v[*k]),
            (Err(e), false) => case.get("error").is_none_or(|want| want == e.go_name()),
            // Go's test binary lacks sha512; docker and moby register it, and so does Berth.
            (Ok(_), false) => s(&case["note"]).contains("docker/moby binaries do register it"),
            (Err(_), true) => false,
        };
        if !ok {
            failed.push(format!("{} {input:?}: got {got:?}, want {case}", case["api"]));
        }
    }
    println!("conformance image-reference: {}/{} passed", cases.len() - failed.len(), cases.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn image_reference_extras() {
    use berth_core::reference::{self as r, grammar};
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("image-reference/extra_cases.json")).unwrap();
    let extra: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let (mut total, mut failed) = (0, Vec::new());
    let mut check = |ok: bool, what: String| {
        total += 1;
        if !ok {
            failed.push(what);
        }
    };
    let x = &extra["extras"];
    for c in x["with_tag"].as_array().unwrap().iter().chain(x["with_digest"].as_array().unwrap()) {
        let mut got = r::with_name(&s(&c["name"]));
        if !s(&c["tag"]).is_empty() {
            got = got.and_then(|n| n.with_tag(&s(&c["tag"])));
        }
        if !s(&c["digest"]).is_empty() {
            got = got.and_then(|n| n.with_digest(&s(&c["digest"])));
        }
        check(got.as_ref().map(|g| g.to_string()).ok() == Some(s(&c["combined"])), format!("with {c}: {got:?}"));
    }
    for c in x["with_tag_invalid"].as_array().unwrap() {
        check(r::with_name(&s(&c["name"])).unwrap().with_tag(&s(&c["tag"])).is_err(), format!("with_tag_invalid {c}"));
    }
    for c in x["familiar_match"].as_array().unwrap() {
        let reference = r::parse_normalized(&s(&c["reference"])).unwrap();
        let got = r::familiar_match(&s(&c["pattern"]), &reference);
        check(got == Ok(c["expected"].as_bool().unwrap()), format!("familiar_match {c}: {got:?}"));
    }
    for c in x["familiar_match_error"].as_array().unwrap() {
        let reference = r::parse_normalized(&s(&c["reference"])).unwrap();
        check(r::familiar_match(&s(&c["pattern"]), &reference).is_err(), format!("familiar_match_error {c}"));
    }
    for (key, cases) in extra["regexp"].as_object().unwrap() {
        let re = match key.split(' ').next().unwrap() {
            "domainAndPort" => &*grammar::DOMAIN,
            "anchoredName" => &*grammar::NAME,
            "reference" => &*grammar::REFERENCE,
            "anchoredIdentifier" => &*grammar::IDENTIFIER,
            other => panic!("unknown regexp {other}"),
        };
        for c in cases.as_array().unwrap() {
            let input = s(&c["input"]);
            let caps = re.captures(&input);
            let mut ok = caps.is_some() == c["match"].as_bool().unwrap();
            if let (Some(caps), Some(subs)) = (&caps, c["subs"].as_array()) {
                ok &= subs.iter().enumerate().all(|(i, want)| caps.get(i + 1).map_or("", |m| m.as_str()) == want.as_str().unwrap());
            }
            check(ok, format!("regexp {key} {c}"));
        }
    }
    println!("conformance image-reference extras: {}/{} passed", total - failed.len(), total);
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn credential_hostnames() {
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("credentials/cases.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = cases["convert_to_hostname"].as_array().unwrap();
    let failed: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let got = berth_core::registry::convert_to_hostname(c["input"].as_str().unwrap());
            (got != c["expected"].as_str().unwrap()).then(|| format!("{c}: got {got}"))
        })
        .collect();
    println!("conformance credential-hostnames: {}/{} passed", cases.len() - failed.len(), cases.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The docker CLI's sample config.json files, read through Berth's login list and lookup
/// (in a temporary folder; the helpers they name are not installed, which must be said).
#[tokio::test]
async fn credential_config_samples() {
    use berth_core::registry::{self, Host, Places};
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("credentials/cases.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let samples = cases["config_json_samples"].as_array().unwrap();
    let hub = Host::parse("docker.io").unwrap();
    let mut failed = Vec::new();
    for sample in samples {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("config.json"), sample["json"].as_str().unwrap()).unwrap();
        let places = Places { docker_config: tmp.path().into(), berth_config: tmp.path().join("berth") };
        let listed = registry::list(&places).await.unwrap();
        let found = registry::credentials_for(&places, &hub).await;
        let expect = &sample["expect"];
        let mut ok = listed.logins.iter().any(|l| l.host == "docker.io" && l.username == "joejoe" && l.plain_text)
            && found.is_some_and(|c| c.username == "joejoe" && c.password == "hello");
        if let Some(store) = expect["credsStore"].as_str() {
            ok &= listed.cli_helper.as_deref() == Some(store) && listed.problems.iter().any(|p| p.contains(store));
        }
        if let Some(helpers) = expect["credHelpers"].as_object() {
            ok &= helpers.values().all(|h| listed.problems.iter().any(|p| p.contains(h.as_str().unwrap())));
        }
        if !ok {
            failed.push(format!("{}: {listed:?}", sample["test"]));
        }
    }
    println!("conformance credential-config-samples: {}/{} passed", samples.len() - failed.len(), samples.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn dockerignore_patterns() {
    use berth_core::build::ignore::{self, PatternMatcher};
    let Some(dir) = dir() else { return };
    let text = std::fs::read_to_string(dir.join("dockerignore/pattern_cases.json")).unwrap();
    let table: serde_json::Value = serde_json::from_str(&text).unwrap();
    let strings =
        |v: &serde_json::Value| -> Vec<String> { v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect() };
    let mut failed = Vec::new();
    let cases = table["cases"].as_array().unwrap();
    let mut ran = 0;
    for case in cases {
        // The table's Windows-only cases use `\` as the separator; Berth's context paths are `/`.
        if case["platform"].as_str() == Some("windows") {
            continue;
        }
        ran += 1;
        let patterns = strings(&case["patterns"]);
        let path = case["path"].as_str().unwrap();
        let api = case["api"].as_str().unwrap();
        let got = if api.starts_with("Matches (package func") {
            ignore::matches(path, &patterns)
        } else {
            PatternMatcher::new(&patterns).and_then(|pm| pm.matches(path))
        };
        let ok = match (&got, case.get("error")) {
            (Err(_), Some(_)) => true,
            (Ok(m), None) => *m == case["match"].as_bool().unwrap(),
            _ => false,
        };
        if !ok {
            failed.push(format!("{patterns:?} {path:?}: got {got:?}, want {case}"));
        }
    }
    for case in table["pattern_cleaning"].as_array().unwrap() {
        ran += 1;
        let got = PatternMatcher::new(&strings(&case["patterns"]));
        let ok = match (&got, case.get("error")) {
            (Err(e), Some(want)) => e.to_string() == want.as_str().unwrap(),
            (Ok(pm), None) => {
                pm.exclusions() == case["exclusions"].as_bool().unwrap()
                    && case.get("cleaned_count").is_none_or(|n| n.as_u64() == Some(pm.len() as u64))
            }
            _ => false,
        };
        if !ok {
            failed.push(format!("cleaning {case}: got {got:?}"));
        }
    }
    for case in table["ignorefile_readall"].as_array().unwrap() {
        ran += 1;
        let got = ignore::read_patterns(case["content"].as_str().unwrap_or(""));
        if got != strings(&case["expected"]) {
            failed.push(format!("ReadAll {case}: got {got:?}"));
        }
    }
    println!("conformance dockerignore patterns: {}/{ran} passed", ran - failed.len());
    assert!(failed.is_empty(), "{failed:#?}");
}

/// One build-context scenario written to a temporary folder.
pub struct Scenario {
    pub name: String,
    pub dir: tempfile::TempDir,
    pub dockerfile: String,
    pub dockerignore: Option<String>,
    pub present: Vec<String>,
    pub absent: Vec<String>,
    pub exact: Option<Vec<String>>,
    pub error: Option<String>,
    /// Files the harness wrote that the scenario's tree does not have (fsutil scenarios pass
    /// their patterns to the walker directly and name no Dockerfile); not compared.
    pub added: Vec<String>,
}

/// The scenarios Berth can run: those whose Dockerfile is in the folder (the docker CLI's
/// `-f -`, a Dockerfile from stdin, has no counterpart in Berth). Also the count left out.
pub fn context_scenarios(dir: &std::path::Path) -> (Vec<Scenario>, usize) {
    let text = std::fs::read_to_string(dir.join("dockerignore/build_context_cases.json")).unwrap();
    let table: serde_json::Value = serde_json::from_str(&text).unwrap();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect()).unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut left_out = 0;
    for s in table["scenarios"].as_array().unwrap() {
        let files = strings(&s["files"]);
        let dockerfile = s["dockerfile"].as_str().unwrap().to_string();
        let tmp = tempfile::tempdir().unwrap();
        let mut has_dockerfile = false;
        for f in &files {
            let path = tmp.path().join(f);
            if let Some(d) = f.strip_suffix('/') {
                std::fs::create_dir_all(tmp.path().join(d)).unwrap();
                continue;
            }
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, f.as_bytes()).unwrap();
            has_dockerfile |= *f == dockerfile;
        }
        let is_moby = s["source"]["repo"].as_str() == Some("moby/moby");
        if is_moby && !has_dockerfile {
            left_out += 1;
            continue;
        }
        let dockerignore = s["dockerignore"].as_str().map(String::from);
        if let Some(text) = &dockerignore {
            std::fs::write(tmp.path().join(".dockerignore"), text).unwrap();
        }
        let mut added = Vec::new();
        if !files.iter().any(|f| f == ".dockerignore") {
            added.push(".dockerignore".to_string());
        }
        if !has_dockerfile {
            std::fs::write(tmp.path().join(&dockerfile), "").unwrap();
            added.push(dockerfile.clone());
        }
        out.push(Scenario {
            name: s["test"].as_str().unwrap().to_string(),
            dir: tmp,
            dockerfile,
            dockerignore,
            present: strings(&s["expect_present"]),
            absent: strings(&s["expect_absent"]),
            exact: s.get("expect_exact_listing").map(strings),
            error: s.get("expect_error").and_then(|e| e.as_str()).map(String::from),
            added,
        });
    }
    (out, left_out)
}

impl Scenario {
    /// Check a listing of what reached the build (slash paths relative to the context; the
    /// directories holding listed files are implied). None when it agrees.
    pub fn check(&self, listing: &[String]) -> Option<String> {
        let mut all: std::collections::BTreeSet<String> = listing.iter().cloned().collect();
        for p in listing {
            let mut parts: Vec<&str> = p.split('/').collect();
            while parts.len() > 1 {
                parts.pop();
                all.insert(parts.join("/"));
            }
        }
        all.retain(|p| !self.added.contains(p));
        let missing: Vec<_> = self.present.iter().filter(|p| !all.contains(*p)).collect();
        let leaked: Vec<_> = self.absent.iter().filter(|p| all.iter().any(|a| a == *p || a.starts_with(&format!("{p}/")))).collect();
        let exact_ok = self.exact.as_ref().is_none_or(|want| all.iter().cloned().collect::<Vec<_>>() == *want);
        if missing.is_empty() && leaked.is_empty() && exact_ok {
            None
        } else {
            Some(format!("{}: missing {missing:?}, leaked {leaked:?}, got {all:?}, want exactly {:?}", self.name, self.exact))
        }
    }
}

/// What the engine keeps of the sent context: the Dockerfile and `.dockerignore` are always
/// sent, and dropped again when the ignore file names them.
pub fn reaches_build(s: &Scenario, listing: Vec<String>) -> Vec<String> {
    let patterns = berth_core::build::ignore::read_patterns(s.dockerignore.as_deref().unwrap_or(""));
    listing
        .into_iter()
        .filter(|p| !((*p == s.dockerfile || p == ".dockerignore") && berth_core::build::ignore::matches(p, &patterns).unwrap_or(false)))
        .collect()
}

#[test]
fn dockerignore_build_contexts() {
    use berth_core::build::{listing, Context};
    let Some(dir) = dir() else { return };
    let (scenarios, left_out) = context_scenarios(&dir);
    let mut failed = Vec::new();
    for s in &scenarios {
        let got = Context::new(s.dir.path(), &s.dockerfile).and_then(|ctx| listing(&ctx));
        let problem = match (got, &s.error) {
            (Err(e), Some(want)) => (!e.to_string().contains(want.as_str())).then(|| format!("{}: error {e}, want {want}", s.name)),
            (Err(e), None) => Some(format!("{}: {e}", s.name)),
            (Ok(_), Some(want)) => Some(format!("{}: no error, want {want}", s.name)),
            (Ok(listing), None) => s.check(&reaches_build(s, listing)),
        };
        failed.extend(problem);
    }
    println!(
        "conformance dockerignore contexts: {}/{} passed ({left_out} left out: a Dockerfile read from stdin, which Berth does not offer)",
        scenarios.len() - failed.len(),
        scenarios.len()
    );
    assert!(failed.is_empty(), "{failed:#?}");
}
