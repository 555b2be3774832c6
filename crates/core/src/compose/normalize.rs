//! One canonical shape for every file before merging, as `docker compose config` prints it:
//! lists of `KEY=VAL` become mappings, short `ports`/`volumes` become long ones, relative paths
//! become absolute (against the folder the file's paths are relative to).

use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Normalise a validated document in place; `base` is the folder relative paths start from.
pub fn document(doc: &mut Value, base: &Path) -> Result<(), (String, String)> {
    let Some(services) = doc.get_mut("services").and_then(Value::as_object_mut) else { return Ok(()) };
    for (name, svc) in services.iter_mut() {
        let Some(s) = svc.as_object_mut() else { continue };
        let at = |field: &str| format!("services.{name}.{field}");
        for key in ["environment", "labels", "annotations", "sysctls"] {
            if let Some(v) = s.get_mut(key) {
                *v = Value::Object(list_or_dict(v, key == "environment"));
            }
        }
        if let Some(Value::String(ctx)) = s.get("build") {
            let ctx = ctx.clone();
            s.insert("build".into(), json!({ "context": ctx }));
        }
        if let Some(b) = s.get_mut("build").and_then(Value::as_object_mut) {
            if let Some(args) = b.get_mut("args") {
                *args = Value::Object(list_or_dict(args, true));
            }
            let ctx = b.get("context").and_then(Value::as_str).unwrap_or(".").to_string();
            if !ctx.contains("://") && !ctx.starts_with("git@") {
                b.insert("context".into(), Value::String(absolute(base, &ctx)));
            }
        }
        if let Some(Value::String(svc_name)) = s.get("extends") {
            let svc_name = svc_name.clone();
            s.insert("extends".into(), json!({ "service": svc_name }));
        }
        if let Some(f) = s.get_mut("extends").and_then(|e| e.get_mut("file")) {
            if let Some(p) = f.as_str() {
                *f = Value::String(absolute(base, p));
            }
        }
        if let Some(v) = s.get_mut("depends_on") {
            if let Value::Array(names) = v {
                let map = names
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|n| (n.to_string(), json!({"condition": "service_started", "required": true})))
                    .collect();
                *v = Value::Object(map);
            } else if let Value::Object(m) = v {
                for d in m.values_mut() {
                    if let Value::Object(d) = d {
                        d.entry("required").or_insert(Value::Bool(true));
                        d.entry("condition").or_insert(json!("service_started"));
                    }
                }
            }
        }
        if let Some(Value::Array(names)) = s.get("networks") {
            let map = names.iter().filter_map(Value::as_str).map(|n| (n.to_string(), Value::Null)).collect();
            s.insert("networks".into(), Value::Object(map));
        }
        for key in ["env_file", "label_file"] {
            if let Some(v) = s.get_mut(key) {
                let items = match v.take() {
                    Value::Array(items) => items,
                    one => vec![one],
                };
                let items = items.into_iter().map(|i| match i {
                    Value::String(p) => json!({"path": absolute(base, &p), "required": true}),
                    Value::Object(mut o) => {
                        if let Some(p) = o.get("path").and_then(Value::as_str) {
                            let abs = absolute(base, p);
                            o.insert("path".into(), Value::String(abs));
                        }
                        o.entry("required").or_insert(Value::Bool(true));
                        Value::Object(o)
                    }
                    other => other,
                });
                *v = Value::Array(items.collect());
            }
        }
        if let Some(Value::Array(ports)) = s.get("ports") {
            let mut long = Vec::new();
            for p in ports {
                long.extend(port(p).map_err(|e| (at("ports"), e))?);
            }
            s.insert("ports".into(), Value::Array(long));
        }
        if let Some(Value::Array(vols)) = s.get("volumes") {
            let long = vols.iter().map(|v| volume(v, base)).collect::<Result<Vec<_>, _>>().map_err(|e| (at("volumes"), e))?;
            s.insert("volumes".into(), Value::Array(long));
        }
    }
    for kind in ["secrets", "configs"] {
        for (_, item) in doc.get_mut(kind).and_then(Value::as_object_mut).into_iter().flatten() {
            if let Some(f) = item.get_mut("file") {
                if let Some(p) = f.as_str() {
                    *f = Value::String(absolute(base, p));
                }
            }
        }
    }
    Ok(())
}

/// `["A=1", "B"]` or `{A: 1}` as `{A: "1", B: null}`; scalars become strings.
fn list_or_dict(v: &Value, env_style: bool) -> Map<String, Value> {
    let text = |v: &Value| match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    };
    match v {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|item| match item.split_once('=') {
                Some((k, v)) => (k.to_string(), Value::String(v.to_string())),
                None if env_style => (item.to_string(), Value::Null),
                None => (item.to_string(), Value::String(String::new())),
            })
            .collect(),
        _ => Map::new(),
    }
}

pub fn absolute(base: &Path, p: &str) -> String {
    let path = if let Some(rest) = p.strip_prefix("~/") { dirs::home_dir().unwrap_or_default().join(rest) } else { base.join(p) };
    clean(&path).to_string_lossy().into_owned()
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A `ports` entry in long form; a short range (`80-82:8080-8082`) gives one entry per port.
fn port(p: &Value) -> Result<Vec<Value>, String> {
    let s = match p {
        Value::Object(_) => {
            let mut o = p.clone();
            if let Some(published) = o.get("published").filter(|v| v.is_number()).map(|v| v.to_string()) {
                o["published"] = Value::String(published);
            }
            o.as_object_mut().map(|m| m.entry("protocol").or_insert(json!("tcp")));
            return Ok(vec![o]);
        }
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(format!("{other} is not a port")),
    };
    let (spec, protocol) = s.split_once('/').unwrap_or((&s, "tcp"));
    // [ip:][host:]container; an IPv6 host ip is in brackets.
    let (ip, rest) = match spec.strip_prefix('[').and_then(|r| r.split_once("]:")) {
        Some((ip, rest)) => (Some(ip.to_string()), rest.to_string()),
        None => {
            let parts: Vec<&str> = spec.rsplitn(3, ':').collect();
            match parts.as_slice() {
                [_, _, ip] => (Some(ip.to_string()), format!("{}:{}", parts[1], parts[0])),
                _ => (None, spec.to_string()),
            }
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, rest.as_str()),
    };
    let range = |r: &str| -> Result<(u32, u32), String> {
        let bad = || format!("\"{s}\" is not a valid port mapping; use [HOST:]CONTAINER[/PROTOCOL]");
        let (a, b) = r.split_once('-').unwrap_or((r, r));
        let (a, b) = (a.parse::<u32>().map_err(|_| bad())?, b.parse::<u32>().map_err(|_| bad())?);
        if a > b || b > 65535 {
            return Err(bad());
        }
        Ok((a, b))
    };
    let (c0, c1) = range(container)?;
    let host = host.filter(|h| !h.is_empty()).map(range).transpose()?;
    let mut out = Vec::new();
    for (i, target) in (c0..=c1).enumerate() {
        let mut o = json!({"target": target, "protocol": protocol, "mode": "ingress"});
        if let Some((h0, h1)) = host {
            let published = if h1 - h0 == c1 - c0 { (h0 + i as u32).to_string() } else { format!("{h0}-{h1}") };
            o["published"] = Value::String(published);
        }
        if let Some(ip) = &ip {
            o["host_ip"] = Value::String(ip.clone());
        }
        out.push(o);
    }
    Ok(out)
}

/// A `volumes` entry in long form: `SRC:DST[:MODE]` (a bind when SRC is a path) or `DST`.
fn volume(v: &Value, base: &Path) -> Result<Value, String> {
    let Value::String(s) = v else {
        let mut o = v.clone();
        if o.get("type").and_then(Value::as_str) == Some("bind") {
            if let Some(src) = o.get("source").and_then(Value::as_str) {
                o["source"] = Value::String(absolute(base, src));
            }
        }
        return Ok(o);
    };
    let parts: Vec<&str> = s.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => return Err(format!("\"{s}\" is not a valid volume; use SOURCE:TARGET[:MODE]")),
    };
    let Some(source) = source else { return Ok(json!({"type": "volume", "target": target})) };
    let is_path = source.starts_with(['.', '/', '~']);
    let mut o = if is_path {
        json!({"type": "bind", "source": absolute(base, source), "target": target, "bind": {"create_host_path": true}})
    } else {
        json!({"type": "volume", "source": source, "target": target, "volume": {}})
    };
    for flag in mode.unwrap_or_default().split(',').filter(|f| !f.is_empty()) {
        match flag {
            "ro" => o["read_only"] = Value::Bool(true),
            "rw" => {}
            "nocopy" => o["volume"] = json!({"nocopy": true}),
            "z" | "Z" if is_path => o["bind"]["selinux"] = Value::String(flag.into()),
            p if is_path && ["shared", "rshared", "slave", "rslave", "private", "rprivate"].contains(&p) => {
                o["bind"]["propagation"] = Value::String(p.into())
            }
            other => return Err(format!("\"{s}\" has an unknown mode \"{other}\"")),
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        let mut doc = json!({"services": {"w": {"ports": ["127.0.0.1:80-81:8080-8081/udp", 90],
            "volumes": ["./data:/d:ro", "named:/n", "/anon"], "environment": ["A=1", "B"], "depends_on": ["db"]}}});
        document(&mut doc, Path::new("/p")).unwrap();
        let w = &doc["services"]["w"];
        assert_eq!(w["ports"][1], json!({"target": 8081, "published": "81", "protocol": "udp", "mode": "ingress", "host_ip": "127.0.0.1"}));
        assert_eq!(w["ports"][2], json!({"target": 90, "protocol": "tcp", "mode": "ingress"}));
        assert_eq!(w["volumes"][0]["source"], "/p/data");
        assert_eq!(w["volumes"][0]["read_only"], true);
        assert_eq!(w["volumes"][1]["type"], "volume");
        assert_eq!(w["environment"], json!({"A": "1", "B": null}));
        assert_eq!(w["depends_on"]["db"]["condition"], "service_started");
    }
}
