//! Validation against the Compose Specification JSON Schema (compose-spec.json, as compose-go
//! embeds it). The schema uses few keywords, so a small validator does instead of a heavy crate,
//! and its messages read as compose-go's do ("services.web.image must be a string").

use regex::Regex;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

static SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(include_str!("compose-spec.json")).expect("the embedded schema is JSON"));

/// The first place a document breaks the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaError {
    /// Dotted path of the offending node; empty for the top level.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} {}", self.path, self.message)
        }
    }
}

#[derive(Debug)]
enum Fail {
    /// The node has none of these types.
    Type(String, Vec<String>),
    Other(String, String),
}

impl Fail {
    fn path(&self) -> &str {
        match self {
            Fail::Type(p, _) | Fail::Other(p, _) => p,
        }
    }

    fn into_error(self) -> SchemaError {
        match self {
            Fail::Type(path, types) => SchemaError { path, message: format!("must be a {}", human_types(types)) },
            Fail::Other(path, message) => SchemaError { path, message },
        }
    }
}

/// `casts` are paths whose strings came from interpolation: Compose reads them as the type
/// the schema wants (`"${PORT}"` where a number goes).
pub fn validate(doc: &Value, casts: &HashSet<String>) -> Result<(), SchemaError> {
    Validator { casts }.check(&SCHEMA, doc, "").map_err(Fail::into_error)
}

struct Validator<'a> {
    casts: &'a HashSet<String>,
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn regex(pattern: &str) -> Regex {
    static CACHE: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(pattern.to_string()).or_insert_with(|| Regex::new(pattern).expect("schema patterns compile")).clone()
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn human_types(mut types: Vec<String>) -> String {
    let human = |t: &str| match t {
        "array" => "list".to_string(),
        "object" => "mapping".to_string(),
        t => t.to_string(),
    };
    types = types.iter().map(|t| human(t)).collect();
    types.sort();
    types.dedup();
    match types.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => types.join(""),
    }
}

impl Validator<'_> {
    fn check(&self, s: &Value, v: &Value, path: &str) -> Result<(), Fail> {
        let Some(s) = s.as_object() else { return Ok(()) };
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/$defs/");
            self.check(&SCHEMA["$defs"][name], v, path)?;
        }
        if let Some(t) = s.get("type") {
            let wanted: Vec<String> = match t {
                Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
                t => vec![t.as_str().unwrap_or_default().to_string()],
            };
            if !self.has_type(v, &wanted, path) {
                return Err(Fail::Type(path.to_string(), wanted));
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array) {
            if !options.contains(v) {
                let list: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                return Err(Fail::Other(path.into(), format!("must be one of the following: {}", list.join(", "))));
            }
        }
        if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
            if !regex(p).is_match(text) {
                return Err(Fail::Other(path.into(), format!("does not match pattern '{p}'")));
            }
        }
        if let Some(n) = v.as_f64() {
            if let Some(min) = s.get("minimum").and_then(Value::as_f64).filter(|m| n < *m) {
                return Err(Fail::Other(path.into(), format!("must be greater than or equal to {min}")));
            }
            if let Some(max) = s.get("maximum").and_then(Value::as_f64).filter(|m| n > *m) {
                return Err(Fail::Other(path.into(), format!("must be less than or equal to {max}")));
            }
        }
        if let Value::Object(map) = v {
            self.object(s, map, path)?;
        }
        if let Value::Array(items) = v {
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &child(path, &i.to_string()))?;
                }
            }
            if s.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].contains(item) {
                        return Err(Fail::Other(path.into(), format!("must have unique items ({item} is repeated)")));
                    }
                }
            }
        }
        if let Some(branches) = s.get("oneOf").and_then(Value::as_array) {
            let mut fails = Vec::new();
            for b in branches {
                match self.check(b, v, path) {
                    Ok(()) => return Ok(()),
                    Err(f) => fails.push(f),
                }
            }
            return Err(best(fails, path));
        }
        Ok(())
    }

    fn has_type(&self, v: &Value, wanted: &[String], path: &str) -> bool {
        let actual = type_of(v);
        let matches = |t: &str| wanted.iter().any(|w| w == t || (w == "number" && t == "integer"));
        if matches(actual) {
            return true;
        }
        match v {
            Value::String(s) if self.casts.contains(path) => matches(type_of(&super::yaml::plain(s))),
            _ => false,
        }
    }

    fn object(&self, s: &serde_json::Map<String, Value>, map: &serde_json::Map<String, Value>, path: &str) -> Result<(), Fail> {
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    return Err(Fail::Other(path.into(), format!("missing property '{r}'")));
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let patterns = s.get("patternProperties").and_then(Value::as_object);
        let mut extra = Vec::new();
        for (k, item) in map {
            let p = child(path, k);
            let mut known = false;
            if let Some(ps) = props.and_then(|m| m.get(k)) {
                known = true;
                self.check(ps, item, &p)?;
            }
            for (pattern, ps) in patterns.into_iter().flatten() {
                if regex(pattern).is_match(k) {
                    known = true;
                    self.check(ps, item, &p)?;
                }
            }
            if !known {
                match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => extra.push(k.as_str()),
                    Some(a @ Value::Object(_)) => self.check(a, item, &p)?,
                    _ => {}
                }
            }
        }
        if !extra.is_empty() {
            let list: Vec<String> = extra.iter().map(|k| format!("'{k}'")).collect();
            return Err(Fail::Other(path.into(), format!("additional properties {} not allowed", list.join(", "))));
        }
        Ok(())
    }
}

/// The failure to report when no `oneOf` branch fits: the deepest one (the branch whose shape
/// matched and failed inside).
fn best(fails: Vec<Fail>, path: &str) -> Fail {
    // As compose-go: when no branch has the node's type, name the first branch's.
    if fails.iter().all(|f| matches!(f, Fail::Type(p, _) if p == path)) {
        return fails.into_iter().next().expect("oneOf has branches");
    }
    let (mut best, mut best_rank) = (None, (0, 0));
    for f in fails {
        let rank = (f.path().len(), usize::from(!matches!(f, Fail::Type(..))));
        if best.is_none() || rank > best_rank {
            best_rank = rank;
            best = Some(f);
        }
    }
    best.expect("oneOf has branches")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        validate(&v, &HashSet::new()).unwrap_err().to_string()
    }

    #[test]
    fn messages_read_like_compose() {
        assert_eq!(err(json!({"services": {"foo": {"image": ["a"]}}})), "services.foo.image must be a string");
        assert_eq!(err(json!({"foo": {"image": "a"}})), "additional properties 'foo' not allowed");
        assert_eq!(
            err(json!({"services": {"e": {"environment": {"FOO": ["1"]}}}})),
            "services.e.environment.FOO must be a boolean, null, number or string"
        );
        assert!(validate(&json!({"services": {"w": {"image": "a", "ports": ["80:80", 81]}}}), &HashSet::new()).is_ok());
        let casts = HashSet::from(["services.w.scale".to_string()]);
        assert!(validate(&json!({"services": {"w": {"image": "a", "init": "${X}", "scale": "2"}}}), &casts).is_ok());
    }
}
