//! The rules the schema cannot say: conflicting attributes in one file, and references between
//! services, networks and volumes once the files are merged.

use super::Problem;
use serde_json::Value;
use std::collections::BTreeSet;

type Fail = (String, String);

/// Per-file rules, on the validated (raw) document.
pub fn semantics(doc: &Value, warnings: &mut Vec<String>) -> Result<(), Fail> {
    for kind in ["volumes", "networks", "secrets", "configs"] {
        for (key, item) in doc.get(kind).and_then(Value::as_object).into_iter().flatten() {
            let at = format!("{kind}.{key}");
            let Some(ext) = item.get("external").filter(|e| e.as_bool() != Some(false) && !e.is_null()) else { continue };
            if kind == "volumes" || kind == "networks" {
                for attr in ["driver", "driver_opts", "labels"] {
                    if item.get(attr).is_some() && kind == "volumes" {
                        return Err((at.clone(), format!("{at}: conflicting parameters \"external\" and \"{attr}\" specified")));
                    }
                }
            }
            if let Some(ext_name) = ext.get("name") {
                if item.get("name").is_some_and(|n| n != ext_name) {
                    return Err((at.clone(), format!("{at}: name and external.name conflict; only use name")));
                }
                warnings.push(format!("{at}: external.name is deprecated; use name"));
            }
        }
    }
    for (name, svc) in doc.get("services").and_then(Value::as_object).into_iter().flatten() {
        let devices = svc.pointer("/deploy/resources/reservations/devices").and_then(Value::as_array);
        for (i, d) in devices.into_iter().flatten().enumerate() {
            let at = format!("services.{name}.deploy.resources.reservations.devices.{i}");
            match d.get("count") {
                Some(Value::String(s)) if s != "all" && s.parse::<i64>().is_err() => {
                    return Err((at, format!("invalid value \"{s}\", the only value allowed is 'all' or a number")));
                }
                Some(_) if d.get("device_ids").is_some() => {
                    return Err((at, "\"count\" and \"device_ids\" attributes are exclusive".into()));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// References in the merged model: `depends_on`, service `networks` and named `volumes` must
/// name something defined, and `depends_on` must not loop.
pub fn references(model: &Value, disabled: &[String]) -> Result<(), Problem> {
    let empty = serde_json::Map::new();
    let services = model.get("services").and_then(Value::as_object).unwrap_or(&empty);
    let defined = |kind: &str, key: &str| model.get(kind).and_then(|m| m.get(key)).is_some();
    for (name, svc) in services {
        super::refs::check(name, svc, services)?;
        for (dep, spec) in svc.get("depends_on").and_then(Value::as_object).into_iter().flatten() {
            let required = spec.get("required").and_then(Value::as_bool).unwrap_or(true);
            if !services.contains_key(dep) && required {
                let why = if disabled.contains(dep) { " (its profile is not active)" } else { "" };
                return Err(Problem::new(format!("service \"{name}\" depends on undefined service \"{dep}\"{why}"))
                    .at(format!("services.{name}.depends_on"), None));
            }
        }
        for net in svc.get("networks").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k) {
            if net != "default" && !defined("networks", net) {
                return Err(Problem::new(format!("service \"{name}\" refers to undefined network \"{net}\""))
                    .at(format!("services.{name}.networks"), None));
            }
        }
        for kind in ["secrets", "configs"] {
            for r in svc.get(kind).and_then(Value::as_array).into_iter().flatten() {
                let Some(src) = r.as_str().or_else(|| r.get("source")?.as_str()) else { continue };
                if !defined(kind, src) {
                    return Err(Problem::new(format!("service \"{name}\" refers to undefined {} {src}", kind.trim_end_matches('s')))
                        .at(format!("services.{name}.{kind}"), None));
                }
            }
        }
        for vol in svc.get("volumes").and_then(Value::as_array).into_iter().flatten() {
            if vol["type"] == "volume" {
                if let Some(src) = vol.get("source").and_then(Value::as_str) {
                    if !defined("volumes", src) {
                        return Err(Problem::new(format!("service \"{name}\" refers to undefined volume \"{src}\""))
                            .at(format!("services.{name}.volumes"), None));
                    }
                }
            }
        }
    }
    order(services.keys().cloned().collect(), |s| deps(model, s)).map(|_| ())
}

/// The services a service waits for (only those present).
pub fn deps(model: &Value, service: &str) -> Vec<String> {
    let services = &model["services"];
    services[service]
        .get("depends_on")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .filter(|k| services.get(k).is_some())
        .collect()
}

/// Services in start order (dependencies first); a cycle is an error naming it.
pub fn order(names: Vec<String>, deps: impl Fn(&str) -> Vec<String>) -> Result<Vec<String>, Problem> {
    let mut out: Vec<String> = Vec::new();
    let mut visiting: Vec<String> = Vec::new();
    fn visit(n: &str, deps: &dyn Fn(&str) -> Vec<String>, out: &mut Vec<String>, visiting: &mut Vec<String>) -> Result<(), Problem> {
        if out.iter().any(|o| o == n) {
            return Ok(());
        }
        if let Some(i) = visiting.iter().position(|v| v == n) {
            let mut cycle: Vec<&str> = visiting[i..].iter().map(String::as_str).collect();
            cycle.push(n);
            return Err(
                Problem::new(format!("dependency cycle detected: {}", cycle.join(" -> "))).at(format!("services.{n}.depends_on"), None)
            );
        }
        visiting.push(n.to_string());
        for d in deps(n) {
            visit(&d, deps, out, visiting)?;
        }
        visiting.pop();
        out.push(n.to_string());
        Ok(())
    }
    let unique: BTreeSet<String> = names.into_iter().collect();
    for n in &unique {
        visit(n, &deps, &mut out, &mut visiting)?;
    }
    Ok(out)
}
