//! `spec:inputs` headers and `$[[ inputs.NAME | function ]]` interpolation, as GitLab applies
//! them to an included file (or the root file's defaults): typed inputs (`string`, `number`,
//! `boolean`, `array`) with `default`, `options` and `regex`; a block that is a whole value
//! keeps its type; `expand_vars`, `truncate(offset, length)` and `posix_escape`.

use super::expr;
use crate::pipelines::expand::expand;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// GitLab allows at most this many functions in one block.
const MAX_FUNCTIONS: usize = 3;

/// Interpolates `doc` with the inputs `given` (an include's `inputs:`) against the header's
/// `spec:inputs`. `Err` is GitLab's sentence.
pub fn apply(header: Option<&Value>, given: Option<&Value>, doc: &mut Value, vars: &HashMap<String, String>) -> Result<(), String> {
    let spec = header.and_then(|h| h.get("spec"));
    let given = given.and_then(Value::as_object);
    if spec.is_none() {
        if given.is_some_and(|g| !g.is_empty()) {
            return Err("Given inputs not defined in the `spec` section of the included configuration file".into());
        }
        return Ok(());
    }
    let values = values(spec.and_then(|s| s.get("inputs")).and_then(Value::as_object).cloned().unwrap_or_default(), given)?;
    let interpolated = walk(doc, &values, vars)?;
    *doc = interpolated;
    Ok(())
}

fn values(spec: Map<String, Value>, given: Option<&Map<String, Value>>) -> Result<HashMap<String, Value>, String> {
    if let Some(unknown) = given.into_iter().flatten().map(|(k, _)| k).find(|k| !spec.contains_key(*k)) {
        return Err(format!("unknown input arguments: {unknown}"));
    }
    let mut out = HashMap::new();
    for (name, def) in spec {
        let def = def.as_object().cloned().unwrap_or_default();
        let kind = def.get("type").and_then(Value::as_str).unwrap_or("string");
        if !["string", "number", "boolean", "array"].contains(&kind) {
            return Err(format!("header:spec:inputs:{name} input type unknown value: {kind}"));
        }
        let value = match given.and_then(|g| g.get(&name)).or(def.get("default")) {
            Some(v) => v.clone(),
            None => return Err(format!("`{name}` input: required value has not been provided")),
        };
        let fits = match kind {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => value.is_array(),
        };
        if !fits {
            return Err(format!("`{name}` input: provided value is not a {kind}"));
        }
        if let Some(options) = def.get("options").and_then(Value::as_array) {
            // An array input's items must each be an option.
            let picked = match &value {
                Value::Array(items) => items.clone(),
                v => vec![v.clone()],
            };
            if let Some(bad) = picked.iter().find(|p| !options.contains(p)) {
                return Err(format!("`{name}` input: `{}` cannot be used because it is not in the list of allowed options", text(bad)));
            }
        }
        if let Some(re) = def.get("regex").and_then(Value::as_str) {
            let compiled = expr::regex(re).map_err(|_| format!("`{name}` input: regex `{re}` is not a valid regular expression"))?;
            if !compiled.is_match(&text(&value)) {
                return Err(format!("`{name}` input: `{}` does not match required regex: {re}", text(&value)));
            }
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// A value as it reads inside a string (arrays as JSON).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn walk(v: &Value, inputs: &HashMap<String, Value>, vars: &HashMap<String, String>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => string(s, inputs, vars)?,
        Value::Array(a) => Value::Array(a.iter().map(|i| walk(i, inputs, vars)).collect::<Result<_, _>>()?),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(text(&string(k, inputs, vars)?), walk(v, inputs, vars)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// A string with its blocks replaced; a string that is one block becomes the input's value.
fn string(s: &str, inputs: &HashMap<String, Value>, vars: &HashMap<String, String>) -> Result<Value, String> {
    if !s.contains("$[[") {
        return Ok(Value::String(s.to_string()));
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("$[[") {
        let Some(len) = rest[start..].find("]]") else { break };
        let value = block(&rest[start + 3..start + len], inputs, vars)?;
        if start == 0 && len + 2 == rest.len() && out.is_empty() {
            return Ok(value);
        }
        out.push_str(&rest[..start]);
        out.push_str(&text(&value));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

fn block(inner: &str, inputs: &HashMap<String, Value>, vars: &HashMap<String, String>) -> Result<Value, String> {
    let mut parts = inner.split('|').map(str::trim);
    let key = parts.next().unwrap_or_default();
    let functions: Vec<&str> = parts.collect();
    if functions.len() > MAX_FUNCTIONS {
        return Err("too many functions in interpolation block".into());
    }
    let name = key.strip_prefix("inputs.").ok_or_else(|| format!("unknown interpolation key: `{key}`"))?;
    let mut value = inputs.get(name).cloned().ok_or_else(|| format!("unknown interpolation key: `{name}`"))?;
    for f in functions {
        let s = text(&value);
        value = Value::String(if f == "expand_vars" {
            expand(&s, |k| vars.get(k).cloned())
        } else if f == "posix_escape" {
            s.chars().fold(String::new(), |mut o, c| {
                if !(c.is_ascii_alphanumeric() || "_-./=:,@+%".contains(c)) {
                    o.push('\\');
                }
                o.push(c);
                o
            })
        } else if let Some(args) = f.strip_prefix("truncate(").and_then(|a| a.strip_suffix(')')) {
            let (offset, length) = args.split_once(',').ok_or_else(|| format!("invalid function `{f}`"))?;
            let (offset, length): (usize, usize) = (
                offset.trim().parse().map_err(|_| format!("invalid function `{f}`"))?,
                length.trim().parse().map_err(|_| format!("invalid function `{f}`"))?,
            );
            s.chars().skip(offset).take(length).collect()
        } else {
            return Err(format!("no function matching `{f}`: check that the function name, arguments, and types are correct"));
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_inputs_and_functions() {
        let header = json!({"spec": {"inputs": {"name": {}, "n": {"type": "number", "default": 2}, "list": {"type": "array", "default": ["a", "b"]}}}});
        let mut doc = json!({"job-$[[ inputs.name ]]": {"script": ["echo $[[inputs.name | truncate(0,3)]] $[[ inputs.n ]]", "$[[ inputs.list ]]"], "parallel": "$[[ inputs.n ]]"}});
        apply(Some(&header), Some(&json!({"name": "website"})), &mut doc, &HashMap::new()).unwrap();
        assert_eq!(doc, json!({"job-website": {"script": ["echo web 2", ["a", "b"]], "parallel": 2}}));
        let err = |given: Value| apply(Some(&header), Some(&given), &mut json!({}), &HashMap::new()).unwrap_err();
        assert_eq!(err(json!({})), "`name` input: required value has not been provided");
        assert_eq!(err(json!({"name": "x", "n": "2"})), "`n` input: provided value is not a number");
        assert_eq!(err(json!({"name": "x", "other": 1})), "unknown input arguments: other");
    }
}
