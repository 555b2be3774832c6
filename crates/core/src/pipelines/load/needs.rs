//! `needs:` and `dependencies:` resolved to final job names once every job is built, with
//! GitLab's checks: unknown jobs, later stages, `needs:parallel:matrix` selection, jobs that
//! rules left out (an error unless `optional`), cycles, and dependencies outside `needs`.

use super::context::Ctx;
use super::jobs::{Built, ParallelKind};
use super::parallel;
use crate::pipelines::model::{Need, PipelineError, When};
use serde_json::Value;
use std::collections::HashMap;

/// GitLab's limit of `needs` per job.
const MAX_NEEDS: usize = 50;

pub fn resolve(ctx: &Ctx, built: &mut [Built]) -> Result<(), PipelineError> {
    let mut by_base: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, b) in built.iter().enumerate() {
        by_base.entry(&b.job.base_name).or_default().push(i);
        by_name.insert(&b.job.name, i);
    }
    let mut resolved = Vec::with_capacity(built.len());
    for (i, b) in built.iter().enumerate() {
        let needs = match &b.needs {
            None => None,
            Some(v) => Some(needs(ctx, built, i, v, &by_base, &by_name)?),
        };
        let deps = match &b.dependencies {
            None | Some(Value::Null) => None,
            Some(v) => Some(dependencies(ctx, built, i, v, needs.as_deref(), &by_base, &by_name)?),
        };
        resolved.push((needs, deps));
    }
    for (b, (needs, deps)) in built.iter_mut().zip(resolved) {
        b.job.needs = needs;
        b.job.dependencies = deps;
    }
    check_cycles(ctx, built)
}

/// The instances a name stands for: one instance by its full name, or all of a base name.
fn targets(name: &str, by_base: &HashMap<&str, Vec<usize>>, by_name: &HashMap<&str, usize>) -> Option<Vec<usize>> {
    by_name.get(name).map(|i| vec![*i]).filter(|_| !by_base.contains_key(name)).or_else(|| by_base.get(name).cloned())
}

fn needs(
    ctx: &Ctx,
    built: &[Built],
    i: usize,
    v: &Value,
    by_base: &HashMap<&str, Vec<usize>>,
    by_name: &HashMap<&str, usize>,
) -> Result<Vec<Need>, PipelineError> {
    let me = &built[i].job;
    let base = me.base_name.as_str();
    let err = |m: String| ctx.error(Some(base), &format!("{base}.needs"), m);
    let list = match v {
        Value::Array(a) => a.as_slice(),
        Value::Null => &[],
        _ => return Err(err(format!("jobs:{base}:needs config should be an array"))),
    };
    if list.len() > MAX_NEEDS {
        return Err(err(format!("jobs:{base}:needs config has too many entries (maximum {MAX_NEEDS})")));
    }
    let mut out = Vec::new();
    for entry in list {
        let (name, artifacts, optional, matrix) = match entry {
            Value::String(s) => (s.as_str(), true, false, None),
            Value::Object(m) => {
                if m.contains_key("project") || m.contains_key("pipeline") {
                    return Err(err(format!("jobs:{base}:needs from another project or pipeline is not available offline: Berth runs this project's pipeline only")));
                }
                let name =
                    m.get("job").and_then(Value::as_str).ok_or_else(|| err(format!("jobs:{base}:needs:need config should have a job")))?;
                let flag = |k: &str, d: bool| m.get(k).and_then(Value::as_bool).unwrap_or(d);
                (name, flag("artifacts", true), flag("optional", false), m.get("parallel").and_then(|p| p.get("matrix")))
            }
            _ => return Err(err(format!("jobs:{base}:needs config should be an array of strings or hashes"))),
        };
        let Some(mut found) = targets(name, by_base, by_name) else {
            if optional {
                continue;
            }
            return Err(err(format!("{base} job: undefined need: {name}")));
        };
        if let Some(selector) = matrix {
            if built[found[0]].parallel_kind != ParallelKind::Matrix {
                return Err(err(format!(
                    "{base} uses needs.parallel.matrix targeting {name}, but {name} has no parallel:matrix configuration"
                )));
            }
            let order =
                |j: usize, m: &serde_json::Map<String, Value>| ctx.key_order(&format!("{base}.needs"), &format!(".parallel.matrix.{j}"), m);
            // `$[[ matrix.KEY ]]` stands for this instance's own value (GitLab 18.x).
            let selector = matrix_expressions(selector, &built[i].matrix);
            let combos = parallel::permutations(&selector, &order).map_err(|m| err(format!("jobs:{base}:needs:need:parallel {m}")))?;
            found.retain(|&t| combos.iter().any(|c| c.iter().all(|kv| built[t].matrix.contains(kv))));
            if found.is_empty() && optional {
                continue;
            }
            if found.is_empty() {
                return Err(err(format!("{base} needs.parallel.matrix selector for {name} matched zero permutations")));
            }
        }
        for t in found {
            let target = &built[t].job;
            if target.stage_index > me.stage_index {
                return Err(err(format!("{base} job: need {name} is not defined in current or prior stages")));
            }
            if target.when == When::Never && me.when != When::Never {
                if optional {
                    continue;
                }
                return Err(err(format!(
                    "'{}' job needs '{}' job, but '{}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional",
                    me.name, target.name, target.name
                )));
            }
            out.push(Need { job: target.name.clone(), artifacts, optional });
        }
    }
    Ok(out)
}

/// The selector with `$[[ matrix.KEY ]]` replaced by the consumer's matrix values.
fn matrix_expressions(selector: &Value, mine: &[(String, String)]) -> Value {
    match selector {
        Value::String(s) if s.contains("$[[") => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(start) = rest.find("$[[") {
                let Some(end) = rest[start..].find("]]") else { break };
                out.push_str(&rest[..start]);
                let key = rest[start + 3..start + end].trim();
                match key.strip_prefix("matrix.").and_then(|k| mine.iter().find(|(n, _)| n == k.trim())) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + end + 2]),
                }
                rest = &rest[start + end + 2..];
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| matrix_expressions(v, mine)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), matrix_expressions(v, mine))).collect()),
        other => other.clone(),
    }
}

fn dependencies(
    ctx: &Ctx,
    built: &[Built],
    i: usize,
    v: &Value,
    needs: Option<&[Need]>,
    by_base: &HashMap<&str, Vec<usize>>,
    by_name: &HashMap<&str, usize>,
) -> Result<Vec<String>, PipelineError> {
    let me = &built[i].job;
    let base = me.base_name.as_str();
    let err = |m: String| ctx.error(Some(base), &format!("{base}.dependencies"), m);
    let names = super::fields::strings(v).ok_or_else(|| err(format!("jobs:{base}:dependencies config should be an array of strings")))?;
    // GitLab checks this first: with `needs`, every dependency must be one of them.
    if let Some(needs) = needs {
        let outside: Vec<&str> = names
            .iter()
            .filter(|n| {
                targets(n, by_base, by_name).is_some_and(|ts| {
                    ts.iter().any(|&t| built[t].job.when != When::Never && !needs.iter().any(|x| x.job == built[t].job.name))
                })
            })
            .map(String::as_str)
            .collect();
        if !outside.is_empty() {
            return Err(err(format!("jobs:{base} dependencies the {} should be part of needs", outside.join(", "))));
        }
    }
    let mut out = Vec::new();
    for name in &names {
        let found = targets(name, by_base, by_name).ok_or_else(|| err(format!("{base} job: undefined dependency: {name}")))?;
        for t in found {
            let target = &built[t].job;
            if target.stage_index >= me.stage_index && !needs.is_some_and(|n| n.iter().any(|n| n.job == target.name)) {
                return Err(err(format!("{base} job: dependency {name} is not defined in current or prior stages")));
            }
            if target.when == When::Never {
                continue;
            }
            out.push(target.name.clone());
        }
    }
    Ok(out)
}

/// `needs` must not form a cycle (possible within one stage).
fn check_cycles(ctx: &Ctx, built: &[Built]) -> Result<(), PipelineError> {
    let index: HashMap<&str, usize> = built.iter().enumerate().map(|(i, b)| (b.job.name.as_str(), i)).collect();
    // 0 = unseen, 1 = on the path, 2 = done.
    let mut state = vec![0u8; built.len()];
    fn visit(i: usize, built: &[Built], index: &HashMap<&str, usize>, state: &mut [u8], path: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[i] = 1;
        path.push(i);
        for need in built[i].job.needs.iter().flatten() {
            let Some(&t) = index.get(need.job.as_str()) else { continue };
            if state[t] == 1 {
                let start = path.iter().position(|&p| p == t).unwrap_or(0);
                return Some([&path[start..], &[t]].concat());
            }
            if state[t] == 0 {
                if let Some(c) = visit(t, built, index, state, path) {
                    return Some(c);
                }
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    for i in 0..built.len() {
        if state[i] == 0 {
            if let Some(cycle) = visit(i, built, &index, &mut state, &mut Vec::new()) {
                let names: Vec<&str> = cycle.iter().map(|&c| built[c].job.name.as_str()).collect();
                let job = &built[cycle[0]].job;
                return Err(ctx.error(
                    Some(&job.base_name),
                    &format!("{}.needs", job.base_name),
                    format!("The pipeline has circular dependencies: {}", names.join(" → ")),
                ));
            }
        }
    }
    Ok(())
}
