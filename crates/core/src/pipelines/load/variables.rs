//! `variables:` blocks (global, job, service, rule): `NAME: value` or
//! `NAME: {value, description, options, expand}`.

use super::context::Ctx;
use super::fields;
use crate::pipelines::model::{PipelineError, Variable, VariableOrigin};
use serde_json::Value;

/// The variables at dotted `at` (`variables`, `build.variables`); `label` is GitLab's prefix
/// for messages (`variables`, `jobs:build:variables`).
pub fn parse(
    ctx: &Ctx,
    job: Option<&str>,
    at: &str,
    label: &str,
    v: &Value,
    origin: VariableOrigin,
) -> Result<Vec<Variable>, PipelineError> {
    let err = |m: String| ctx.error(job, at, m);
    let map = match v {
        Value::Object(m) => m,
        Value::Null => return Ok(Vec::new()),
        _ => return Err(err(format!("{label} config should be a hash of key value pairs"))),
    };
    let mut out = Vec::new();
    for (name, value) in map {
        let bad =
            || ctx.error(job, &format!("{at}.{name}"), format!("{label} config should be a hash of key value pairs, value can be a hash"));
        let (value, expand) = match value {
            Value::Object(h) => {
                if let Some(k) = h.keys().find(|k| !["value", "description", "options", "expand"].contains(&k.as_str())) {
                    return Err(ctx.error(job, &format!("{at}.{name}"), format!("{label}:{name} config contains unknown keys: {k}")));
                }
                let value = match h.get("value") {
                    Some(v) => fields::scalar(v).ok_or_else(bad)?,
                    None => String::new(),
                };
                if let Some(options) = h.get("options") {
                    let options = fields::strings(options).ok_or_else(bad)?;
                    if !options.contains(&value) {
                        return Err(ctx.error(
                            job,
                            &format!("{at}.{name}"),
                            format!("{label} config value must be present in options: {}", options.join(", ")),
                        ));
                    }
                }
                let expand = match h.get("expand") {
                    None => true,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => {
                        return Err(ctx.error(job, &format!("{at}.{name}"), format!("{label}:{name} expand should be a boolean value")))
                    }
                };
                (value, expand)
            }
            Value::String(s) => (s.clone(), true),
            Value::Number(n) => (n.to_string(), true),
            Value::Null => (String::new(), true),
            _ => return Err(bad()),
        };
        out.push(Variable { name: name.clone(), value, expand, masked: false, origin });
    }
    Ok(out)
}
