//! `rules:` (jobs, `workflow`, `include`) and `only`/`except`, evaluated as GitLab does for a
//! push pipeline of the folder's current commit.

use super::context::Ctx;
use super::expr::Expr;
use super::fields;
use super::glob;
use crate::pipelines::expand::expand;
use crate::pipelines::model::{PipelineError, Reason};
use serde_json::{Map, Value};
use std::collections::HashMap;

const RULE_KEYS: [&str; 10] =
    ["if", "changes", "exists", "when", "allow_failure", "variables", "needs", "start_in", "interruptible", "auto_cancel"];

/// The rule that matched: its index, keys and the reason it gives.
pub struct Matched<'v> {
    pub rule: &'v Map<String, Value>,
    pub reason: Reason,
}

/// The first of `rules` (at dotted `at`) whose `if`, `changes` and `exists` all hold;
/// `Ok(None)` when none does.
pub fn first_match<'v>(
    ctx: &Ctx,
    job: Option<&str>,
    at: &str,
    rules: &'v Value,
    vars: &HashMap<String, String>,
) -> Result<Option<Matched<'v>>, PipelineError> {
    let list = match rules {
        Value::Array(a) => a,
        Value::Null => return Ok(None),
        _ => return Err(ctx.error(job, at, format!("{} config should be an array of hashes", label(job, "rules")))),
    };
    for (i, rule) in list.iter().enumerate() {
        let here = format!("{at}.{i}");
        let err = |m: String| ctx.error(job, &here, m);
        let Value::Object(rule) = rule else {
            // An empty entry (`- `) is skipped, as GitLab does.
            if rule.is_null() {
                continue;
            }
            return Err(err(format!("{} config should be an array of hashes", label(job, "rules"))));
        };
        if let Some(k) = rule.keys().find(|k| !RULE_KEYS.contains(&k.as_str())) {
            return Err(err(format!("{} config contains unknown keys: {k}", label(job, "rules:rule"))));
        }
        if holds(ctx, rule, vars).map_err(|m| err(format!("{} {m}", label(job, "rules:rule"))))? {
            let text = describe(rule);
            return Ok(Some(Matched { rule, reason: Reason::Rule { index: i, line: ctx.locate(&here).1, text } }));
        }
    }
    Ok(None)
}

/// `jobs:x:rules` style prefix of GitLab's messages.
fn label(job: Option<&str>, what: &str) -> String {
    match job {
        Some(j) => format!("jobs:{j}:{what}"),
        None => what.to_string(),
    }
}

/// The rule as a user would recognise it (`if: $CI_COMMIT_BRANCH == "main"`).
fn describe(rule: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    for k in ["if", "changes", "exists", "when"] {
        if let Some(v) = rule.get(k) {
            parts.push(format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)));
        }
    }
    if parts.is_empty() {
        "(a rule with no conditions)".into()
    } else {
        parts.join(", ")
    }
}

/// Whether the rule's clauses all hold; `Err` is GitLab's wording after `rules:rule`.
fn holds(ctx: &Ctx, rule: &Map<String, Value>, vars: &HashMap<String, String>) -> Result<bool, String> {
    if let Some(cond) = rule.get("if") {
        let text = cond.as_str().ok_or("if should be a string")?;
        let expr = Expr::parse(text).map_err(|e| format!("if {}", e.0))?;
        if !expr.eval(vars).map_err(|e| format!("if {}", e.0))? {
            return Ok(false);
        }
    }
    if let Some(changes) = rule.get("changes") {
        let (paths, compare_to) = match changes {
            Value::Object(m) => (m.get("paths").unwrap_or(&Value::Null), m.get("compare_to").and_then(Value::as_str)),
            v => (v, None),
        };
        let paths = fields::strings(paths).ok_or("changes should be an array of strings or a hash with paths")?;
        if !changed(ctx, &paths, compare_to, vars)? {
            return Ok(false);
        }
    }
    if let Some(exists) = rule.get("exists") {
        let paths = match exists {
            Value::Object(m) => m.get("paths").unwrap_or(&Value::Null),
            v => v,
        };
        let paths = fields::strings(paths).ok_or("exists should be an array of strings or a hash with paths")?;
        if !any_file(ctx.files(), &paths, vars)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn changed(ctx: &Ctx, paths: &[String], compare_to: Option<&str>, vars: &HashMap<String, String>) -> Result<bool, String> {
    let compare_to = compare_to.map(|c| expand(c, |k| vars.get(k).cloned()));
    match ctx.changed(compare_to.as_deref()) {
        None => Ok(true),
        Some(files) => any_file(&files, paths, vars),
    }
}

/// Whether any of `files` matches any of the patterns (variables expanded).
fn any_file(files: &[String], patterns: &[String], vars: &HashMap<String, String>) -> Result<bool, String> {
    for p in patterns {
        let p = expand(p, |k| vars.get(k).cloned());
        let re = glob::fnmatch(p.trim_start_matches("./")).ok_or_else(|| format!("`{p}` is not a valid glob"))?;
        if files.iter().any(|f| re.is_match(f)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether an `include:` entry with these `rules` is included.
pub fn include_applies(ctx: &Ctx, rules: &Value, vars: &HashMap<String, String>) -> Result<bool, String> {
    let list = rules.as_array().ok_or("include rules should be an array of hashes")?;
    for rule in list {
        let rule = rule.as_object().ok_or("include rules should be an array of hashes")?;
        if holds(ctx, rule, vars)? {
            return Ok(rule.get("when").and_then(Value::as_str) != Some("never"));
        }
    }
    Ok(false)
}

/// `only`/`except` of a job without `rules`: `Some(reason)` when they keep it out.
pub fn only_except(
    ctx: &Ctx,
    job: &str,
    cfg: &Map<String, Value>,
    vars: &HashMap<String, String>,
) -> Result<Option<Reason>, PipelineError> {
    if let Some(only) = cfg.get("only") {
        let at = format!("{job}.only");
        let spec = policy(only)
            .ok_or_else(|| ctx.error(Some(job), &at, format!("jobs:{job}:only config should be an array of strings or a hash")))?;
        if let Some(miss) = fails(ctx, &spec, vars, false).map_err(|m| ctx.error(Some(job), &at, format!("jobs:{job}:only {m}")))? {
            return Ok(Some(Reason::Only { line: ctx.locate(&at).1, text: miss }));
        }
    } else if !default_refs(ctx) {
        return Ok(Some(Reason::Only { line: None, text: "only: branches, tags (the default) does not match".into() }));
    }
    if let Some(except) = cfg.get("except") {
        let at = format!("{job}.except");
        let spec = policy(except)
            .ok_or_else(|| ctx.error(Some(job), &at, format!("jobs:{job}:except config should be an array of strings or a hash")))?;
        if let Some(hit) = fails(ctx, &spec, vars, true).map_err(|m| ctx.error(Some(job), &at, format!("jobs:{job}:except {m}")))? {
            return Ok(Some(Reason::Except { line: ctx.locate(&at).1, text: hit }));
        }
    }
    Ok(None)
}

/// A push pipeline is always for a branch or a tag.
fn default_refs(ctx: &Ctx) -> bool {
    ctx.repo.branch.is_some() || ctx.repo.tag.is_some()
}

/// `only:`/`except:` as `{refs, variables, changes}`.
fn policy(v: &Value) -> Option<Map<String, Value>> {
    match v {
        Value::String(_) | Value::Array(_) => Some(Map::from_iter([("refs".to_string(), v.clone())])),
        Value::Object(m) if m.keys().all(|k| ["refs", "variables", "changes", "kubernetes"].contains(&k.as_str())) => Some(m.clone()),
        _ => None,
    }
}

/// For `only` (`except = false`): the part that does not match, if any (all must match).
/// For `except`: the part that matches, if any (one is enough).
fn fails(ctx: &Ctx, spec: &Map<String, Value>, vars: &HashMap<String, String>, except: bool) -> Result<Option<String>, String> {
    let kw = if except { "except" } else { "only" };
    if let Some(refs) = spec.get("refs") {
        let refs = fields::strings(refs).ok_or("refs should be an array of strings")?;
        let hit = refs.iter().try_fold(false, |acc, r| Ok::<bool, String>(acc || ref_matches(ctx, r)?))?;
        if hit == except {
            return Ok(Some(format!("{kw}: refs [{}]", refs.join(", "))));
        }
    }
    if let Some(list) = spec.get("variables") {
        let list = fields::strings(list).ok_or("variables should be an array of strings")?;
        let mut hit = false;
        for text in &list {
            let expr = Expr::parse(text).map_err(|e| format!("variables {}", e.0))?;
            hit |= expr.eval(vars).map_err(|e| format!("variables {}", e.0))?;
        }
        if hit == except {
            return Ok(Some(format!("{kw}: variables [{}]", list.join(", "))));
        }
    }
    if let Some(changes) = spec.get("changes") {
        let paths = fields::strings(changes).ok_or("changes should be an array of strings")?;
        if changed(ctx, &paths, None, vars)? == except {
            return Ok(Some(format!("{kw}: changes [{}]", paths.join(", "))));
        }
    }
    Ok(None)
}

/// One `only:refs` entry against the pipeline's ref (a push pipeline).
fn ref_matches(ctx: &Ctx, pattern: &str) -> Result<bool, String> {
    let name = ctx.repo.ref_name();
    Ok(match pattern {
        "branches" => ctx.repo.branch.is_some(),
        "tags" => ctx.repo.tag.is_some(),
        "pushes" => true,
        "api" | "external" | "pipelines" | "schedules" | "triggers" | "web" | "merge_requests" | "external_pull_requests" | "chat" => false,
        p if p.starts_with('/') && p.len() > 1 => super::expr::regex(p).map_err(|e| e.0)?.is_match(name),
        p => match p.split_once('@') {
            Some((r, _project)) => r == name,
            None => p == name,
        },
    })
}
