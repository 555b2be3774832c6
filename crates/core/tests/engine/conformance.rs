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
    use berth_core::images::reference::{self as r, AnyReference, Reference};
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
    use berth_core::images::reference::{self as r, grammar};
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
