//! `extends:` as GitLab resolves it: each job's bases (one name or a list, merged in order)
//! are deep-merged beneath the job's own keys, recursively, at most 10 levels deep.

use super::context::Ctx;
use super::merge::deep_merge;
use crate::pipelines::model::PipelineError;
use serde_json::{Map, Value};
use std::collections::HashMap;

const MAX_NESTING: usize = 10;

/// Resolves `extends` in every job (hidden ones included); the keys are removed.
pub fn resolve(ctx: &Ctx, config: &mut Map<String, Value>) -> Result<(), PipelineError> {
    let names: Vec<String> = config.iter().filter(|(_, v)| v.get("extends").is_some()).map(|(k, _)| k.clone()).collect();
    // Each job is resolved once: bases shared by many jobs (or listed many times) would
    // otherwise be merged again for every path that reaches them.
    let mut done = HashMap::new();
    for name in &names {
        extended(ctx, config, name, &mut Vec::new(), &mut done)?;
    }
    for (name, value) in done {
        config.insert(name, value);
    }
    Ok(())
}

fn extended(
    ctx: &Ctx,
    config: &Map<String, Value>,
    name: &str,
    chain: &mut Vec<String>,
    done: &mut HashMap<String, Value>,
) -> Result<Value, PipelineError> {
    if let Some(v) = done.get(name) {
        return Ok(v.clone());
    }
    let err = |m: String| ctx.error(Some(name), &format!("{name}.extends"), m);
    let job = config.get(name).cloned().unwrap_or(Value::Null);
    let Some(extends) = job.get("extends") else { return Ok(job) };
    if chain.iter().any(|c| c == name) {
        return Err(err(format!("{name}: circular dependency detected in `extends`")));
    }
    if chain.len() >= MAX_NESTING {
        return Err(err(format!("{name}: nesting too deep in `extends`")));
    }
    let bases: Vec<String> = match extends {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) if a.iter().all(Value::is_string) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => return Err(err(format!("{name}: invalid base hash in `extends`"))),
    };
    let unknown: Vec<&str> = bases.iter().filter(|b| !config.contains_key(b.as_str())).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(err(format!("{name}: unknown keys in `extends` ({})", unknown.join(", "))));
    }
    chain.push(name.to_string());
    let mut merged = Value::Object(Map::new());
    for base in &bases {
        let b = extended(ctx, config, base, chain, done)?;
        if !b.is_object() {
            return Err(err(format!("{name}: invalid base hash in `extends`")));
        }
        deep_merge(&mut merged, b);
    }
    chain.pop();
    let mut own = job;
    if let Value::Object(m) = &mut own {
        m.remove("extends");
    }
    deep_merge(&mut merged, own);
    done.insert(name.to_string(), merged.clone());
    Ok(merged)
}
