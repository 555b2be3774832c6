//! Reading the pipeline file and its `include:` files into one configuration, as GitLab's
//! external-file processor does: each file's includes are merged in order beneath the file's
//! own keys (deep merge). Only `local` files exist offline; `project`, `remote`, `template`
//! and `component` are refused with a sentence rather than silently left out.

use super::context::Ctx;
use super::glob;
use super::inputs;
use super::merge::deep_merge;
use super::rules;
use crate::compose::yaml;
use crate::fsutil::read_capped;
use crate::pipelines::expand::expand;
use crate::pipelines::model::PipelineError;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The largest pipeline file read (GitLab refuses configurations over a few MB).
const MAX_FILE: u64 = 4 << 20;
/// GitLab's limits: 150 included files per pipeline, nesting at most 100 deep.
const MAX_INCLUDES: usize = 150;
const MAX_DEPTH: usize = 100;

/// Reads `file` (absolute, inside the project) and everything it includes.
pub fn read(ctx: &mut Ctx, file: &Path, vars: &HashMap<String, String>) -> Result<Map<String, Value>, PipelineError> {
    read_one(ctx, file, None, vars, 0)
}

/// One file, interpolated with `inputs` (its include's `inputs:`), with its own includes.
fn read_one(
    ctx: &mut Ctx,
    file: &Path,
    inputs: Option<&Value>,
    vars: &HashMap<String, String>,
    depth: usize,
) -> Result<Map<String, Value>, PipelineError> {
    if depth > MAX_DEPTH {
        return Err(Ctx::file_error(file, None, format!("Maximum of {MAX_DEPTH} nested includes are allowed")));
    }
    if ctx.sources.len() > MAX_INCLUDES {
        return Err(Ctx::file_error(file, None, format!("Maximum of {MAX_INCLUDES} includes are allowed")));
    }
    let bytes = read_capped(file, MAX_FILE, "pipeline file").map_err(|e| Ctx::file_error(file, None, e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| Ctx::file_error(file, None, "the file is not UTF-8 text"))?;
    let mut docs = yaml::parse_gitlab(&text)
        .map_err(|e| Ctx::file_error(file, Some(e.line), format!("Invalid configuration format: {}", e.message)))?;
    // A `spec:` header document comes before the configuration (`---` between them).
    let header = if docs.len() == 2 && docs[0].value.get("spec").is_some() { Some(docs.remove(0).value) } else { None };
    if docs.len() > 1 {
        return Err(Ctx::file_error(
            file,
            None,
            "Invalid configuration format: a pipeline file holds one YAML document (and an optional `spec:` header)",
        ));
    }
    let mut doc = docs.pop().unwrap_or_default();
    inputs::apply(header.as_ref(), inputs, &mut doc.value, vars).map_err(|m| Ctx::file_error(file, None, m))?;
    let mut map = match &doc.value {
        Value::Object(m) => m.clone(),
        Value::Null if depth == 0 => return Err(Ctx::file_error(file, None, "Please provide content of .gitlab-ci.yml")),
        Value::Null => Map::new(),
        _ => return Err(Ctx::file_error(file, Some(1), "Invalid configuration format: the top level must be a map of keys")),
    };
    ctx.sources.push((file.to_path_buf(), doc));
    let Some(include) = map.remove("include") else { return Ok(map) };
    let entries = match include {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        v => vec![v],
    };
    let mut merged = Value::Object(Map::new());
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("include.{i}");
        let inputs = entry.get("inputs");
        for path in local_paths(ctx, entry, vars, file, &at)? {
            if inputs.is_none() && ctx.sources.iter().any(|(p, _)| *p == path) {
                continue; // read already: GitLab includes a file once (unless with other inputs)
            }
            let included = read_one(ctx, &path, inputs, vars, depth + 1)?;
            deep_merge(&mut merged, Value::Object(included));
        }
    }
    deep_merge(&mut merged, Value::Object(map));
    match merged {
        Value::Object(m) => Ok(m),
        _ => unreachable!("merging maps gives a map"),
    }
}

/// The project files one `include:` entry names (none when its `rules` exclude it).
fn local_paths(ctx: &Ctx, entry: &Value, vars: &HashMap<String, String>, file: &Path, at: &str) -> Result<Vec<PathBuf>, PipelineError> {
    let err = |msg: String| {
        let line = ctx.sources.iter().find(|(p, _)| p == file).and_then(|(_, d)| d.line(at));
        Ctx::file_error(file, line, msg)
    };
    let offline = |kind: &str, what: &str| {
        err(format!(
            "include:{kind} `{what}` is not available offline: Berth reads only files in the project folder. Copy the file into the project and include it with `include:local`"
        ))
    };
    let local = match entry {
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => return Err(offline("remote", s)),
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            if let Some(r) = m.get("rules") {
                if !rules::include_applies(ctx, r, vars).map_err(&err)? {
                    return Ok(Vec::new());
                }
            }
            let text = |k: &str| m.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
            if let Some(p) = text("project") {
                return Err(offline("project", &format!("{p}` file `{}", text("file").unwrap_or_default())));
            }
            for kind in ["remote", "template", "component"] {
                if let Some(v) = text(kind) {
                    return Err(offline(kind, &v));
                }
            }
            match m.get("local") {
                Some(Value::String(s)) => s.clone(),
                _ => {
                    return Err(err(format!(
                        "Include `{}` needs to match exactly one of: local, project, remote, template, component",
                        Value::Object(m.clone())
                    )))
                }
            }
        }
        other => return Err(err(format!("include config should be a hash or a string, not `{other}`"))),
    };
    let local = expand(&local, |k| vars.get(k).cloned());
    if local.starts_with("./") {
        return Err(err(format!(
            "`{local}` for include:local is invalid. Gitlab does not support relative path (ie. cannot start with `./`)"
        )));
    }
    if local.split('/').any(|part| part == "..") {
        return Err(err(format!("`{local}` for include:local is invalid. Gitlab does not support directory traversal")));
    }
    let rel = local.trim_start_matches('/');
    if !(rel.ends_with(".yml") || rel.ends_with(".yaml")) {
        return Err(err(format!("Included file `{local}` does not have YAML extension!")));
    }
    let names: Vec<String> = if glob::is_glob(rel) {
        let re = glob::include(rel).ok_or_else(|| err(format!("`{local}` is not a valid wildcard path")))?;
        let mut hits: Vec<String> = ctx.files().iter().filter(|f| re.is_match(f)).cloned().collect();
        hits.sort();
        hits
    } else {
        vec![rel.to_string()]
    };
    let mut out = Vec::new();
    for name in names {
        let path = ctx.root.join(&name);
        let canon = path.canonicalize().map_err(|_| err(format!("Local file `{name}` does not exist!")))?;
        // A symlink must not lead out of the project.
        if !canon.starts_with(&ctx.root) {
            return Err(err(format!("`{name}` for include:local is invalid: it leads outside the project folder")));
        }
        out.push(canon);
    }
    if out.is_empty() && glob::is_glob(rel) {
        return Err(err(format!("Local file `{local}` does not exist!")));
    }
    Ok(out)
}
