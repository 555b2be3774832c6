//! Loading `.gitlab-ci.yml` as GitLab does, in GitLab's order: read the file and its
//! `include:local` files (YAML anchors kept, `!reference` tags marked), resolve `extends`, then
//! `!reference`, apply `default:`; evaluate `workflow:rules`; build every job (`parallel`
//! expanded, `rules`/`only`/`except` decided, predefined variables from the repository); then
//! resolve `needs`/`dependencies`. The file is untrusted: sizes, includes, aliases, references,
//! regexes and paths are bounded.

mod context;
mod expr;
mod extends;
mod fields;
mod glob;
mod include;
mod inputs;
mod jobs;
mod keywords;
mod merge;
mod needs;
mod parallel;
mod predefined;
mod reference;
mod repo;
mod rules;
mod variables;

pub use expr::{Expr, ExprError};
pub use predefined::slug;

use crate::pipelines::expand::environment;
use crate::pipelines::model::{Pipeline, PipelineError, Reason, Variable, VariableOrigin};
use context::Ctx;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The stages when the file names none.
pub const DEFAULT_STAGES: [&str; 5] = [".pre", "build", "test", "deploy", ".post"];
/// Top-level keys that are not jobs.
const RESERVED: &[&str] =
    &["image", "services", "stages", "types", "before_script", "after_script", "variables", "cache", "default", "workflow", "spec"];
/// Keys `default:` may set (and the deprecated top-level forms of some).
const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The project folder.
    pub root: PathBuf,
    /// The pipeline file relative to `root` (default `.gitlab-ci.yml`).
    pub file: Option<PathBuf>,
    /// Run-time variables (the variables dialog; masked ones read from the keychain). They
    /// win over the file's and are visible to `rules` and `workflow:rules`.
    pub variables: Vec<Variable>,
    /// `CI_PIPELINE_ID`; job ids follow it (`CI_JOB_ID` = id × 1000 + n).
    pub pipeline_id: u64,
    /// The files `rules:changes` sees as changed; `None` = ask git (against the default branch).
    pub changed_files: Option<Vec<String>>,
}

/// What every job is built from.
pub(crate) struct Globals {
    pub stages: Vec<String>,
    pub predefined: Vec<Variable>,
    pub variables: Vec<Variable>,
    pub workflow_variables: Vec<Variable>,
    pub run: Vec<Variable>,
    pub project_url: String,
}

/// The configuration after includes, `extends`, `!reference` and `default:`: what
/// `gitlab-ci-local --preview` prints and GitLab's "full configuration" view shows.
pub struct Expanded {
    pub stages: Vec<String>,
    /// Top-level `variables`, `workflow` and the visible jobs (hidden ones dropped), by name.
    pub config: Map<String, Value>,
    /// Visible job names in file order.
    pub jobs: Vec<String>,
}

/// Loads the pipeline of `options.root` for its current commit.
pub fn load(options: &LoadOptions) -> Result<Pipeline, PipelineError> {
    let (mut ctx, file) = start(options)?;
    let (project, server) = predefined::project(&ctx.root, &ctx.repo);
    let config_path = file.strip_prefix(&ctx.root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
    let predefined = predefined::pipeline(&project, &server, &ctx.repo, &config_path, options.pipeline_id);
    let expanded = expand_config(&mut ctx, &file, &predefined)?;
    let globals = match expanded.config.get("variables") {
        Some(v) => variables::parse(&ctx, None, "variables", "variables", v, VariableOrigin::Global)?,
        None => Vec::new(),
    };
    let env = |extra: &[Variable]| -> HashMap<String, String> {
        environment(&[&predefined[..], &globals, extra, &options.variables].concat()).into_iter().collect()
    };
    let (blocked_by_workflow, workflow_variables, name) = workflow(&ctx, expanded.config.get("workflow"), &env)?;
    let mut predefined = predefined;
    predefined.extend(name.iter().map(|n| predefined::var("CI_PIPELINE_NAME", n)));
    let g = Globals {
        stages: expanded.stages.clone(),
        predefined,
        variables: globals,
        workflow_variables,
        run: options.variables.clone(),
        project_url: format!("{}/{}", server.url, project.path),
    };
    let mut next_id = options.pipeline_id * 1000;
    let mut built = Vec::new();
    for name in &expanded.jobs {
        let Value::Object(cfg) = &expanded.config[name] else { unreachable!("checked by expand_config") };
        built.extend(jobs::build(&ctx, &g, name, cfg, &mut next_id)?);
    }
    needs::resolve(&ctx, &mut built)?;
    Ok(Pipeline {
        file,
        project,
        name,
        blocked_by_workflow,
        stages: g.stages,
        jobs: built.into_iter().map(|b| b.job).collect(),
        sources: ctx.sources.iter().map(|(p, _)| p.clone()).collect(),
    })
}

/// The expanded configuration only (no rules decided, no jobs built).
pub fn preview(options: &LoadOptions) -> Result<Expanded, PipelineError> {
    let (mut ctx, file) = start(options)?;
    let (project, server) = predefined::project(&ctx.root, &ctx.repo);
    let predefined = predefined::pipeline(&project, &server, &ctx.repo, ".gitlab-ci.yml", options.pipeline_id);
    expand_config(&mut ctx, &file, &predefined)
}

fn start(options: &LoadOptions) -> Result<(Ctx<'_>, PathBuf), PipelineError> {
    let rel = options.file.clone().unwrap_or_else(|| PathBuf::from(".gitlab-ci.yml"));
    let fail = |m: String| PipelineError { file: Some(options.root.join(&rel)), line: None, job: None, message: m };
    let root =
        options.root.canonicalize().map_err(|e| fail(format!("The project folder {} cannot be opened: {e}", options.root.display())))?;
    let file = root.join(&rel).canonicalize().map_err(|_| fail(format!("There is no {} in {}", rel.display(), root.display())))?;
    if !file.starts_with(&root) {
        return Err(fail(format!("{} leads outside the project folder", rel.display())));
    }
    let repo = repo::Repo::read(&root);
    Ok((Ctx::new(root, repo, options), file))
}

fn expand_config(ctx: &mut Ctx, file: &Path, predefined: &[Variable]) -> Result<Expanded, PipelineError> {
    let vars: HashMap<String, String> = environment(&[predefined, &ctx.options.variables].concat()).into_iter().collect();
    let mut config = include::read(ctx, file, &vars)?;
    extends::resolve(ctx, &mut config)?;
    reference::resolve(ctx, &mut config)?;
    let stages = stages(ctx, &config)?;
    let default = defaults(ctx, &config)?;
    let mut jobs: Vec<String> = Vec::new();
    let mut out = Map::new();
    for (name, value) in &config {
        if RESERVED.contains(&name.as_str()) {
            if ["variables", "workflow"].contains(&name.as_str()) {
                let mut value = value.clone();
                if let Value::Object(w) = &mut value {
                    flatten_rules(w);
                }
                out.insert(name.clone(), value);
            }
            continue;
        }
        if name.starts_with('.') {
            continue;
        }
        let Value::Object(job) = value else {
            return Err(ctx.error(Some(name), name, format!("jobs:{name} config should be a hash")));
        };
        let mut job = with_default(ctx, name, job, &default)?;
        flatten_rules(&mut job);
        out.insert(name.clone(), Value::Object(job));
        jobs.push(name.clone());
    }
    if jobs.is_empty() {
        return Err(ctx.error(None, "", "jobs config should contain at least one visible job"));
    }
    // File order: the file a job comes from (the root file first), then its line.
    let position = |name: &String| {
        let (file, line) = ctx.locate(name);
        (ctx.sources.iter().position(|(p, _)| Some(p) == file.as_ref()).unwrap_or(usize::MAX), line.unwrap_or(usize::MAX))
    };
    jobs.sort_by_cached_key(position);
    Ok(Expanded { stages, config: out, jobs })
}

/// `rules:` lists nested by `!reference [.x, rules]` are flattened, as GitLab does.
fn flatten_rules(map: &mut Map<String, Value>) {
    if let Some(Value::Array(rules)) = map.get_mut("rules") {
        if rules.iter().any(Value::is_array) {
            *rules = std::mem::take(rules).into_iter().flat_map(|r| if let Value::Array(a) = r { a } else { vec![r] }).collect();
        }
    }
}

/// `stages:` (or the old `types:`) with `.pre` first and `.post` last.
fn stages(ctx: &Ctx, config: &Map<String, Value>) -> Result<Vec<String>, PipelineError> {
    let key = if config.contains_key("stages") { "stages" } else { "types" };
    let mut stages: Vec<String> = match config.get(key) {
        None | Some(Value::Null) => return Ok(DEFAULT_STAGES.map(str::to_string).to_vec()),
        Some(Value::Array(a)) => a.iter().map(|s| s.as_str().map(str::to_string)).collect::<Option<_>>(),
        Some(_) => None,
    }
    .ok_or_else(|| ctx.error(None, key, format!("{key} config should be an array of strings")))?;
    stages.retain(|s| s != ".pre" && s != ".post");
    stages.insert(0, ".pre".into());
    stages.push(".post".into());
    Ok(stages)
}

/// `default:` merged over the deprecated top-level `image`, `services`, scripts and `cache`.
fn defaults(ctx: &Ctx, config: &Map<String, Value>) -> Result<Map<String, Value>, PipelineError> {
    let mut out: Map<String, Value> =
        config.iter().filter(|(k, _)| DEFAULT_KEYS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    match config.get("default") {
        None | Some(Value::Null) => {}
        Some(Value::Object(d)) => {
            if let Some(k) = d.keys().find(|k| !DEFAULT_KEYS.contains(&k.as_str())) {
                return Err(ctx.error(None, &format!("default.{k}"), format!("default config contains unknown keys: {k}")));
            }
            out.extend(d.clone());
        }
        Some(_) => return Err(ctx.error(None, "default", "default config should be a hash")),
    }
    Ok(out)
}

/// The job with the `default:` keys it lacks (`inherit:default: false | [keys]` limits them).
fn with_default(
    ctx: &Ctx,
    name: &str,
    job: &Map<String, Value>,
    default: &Map<String, Value>,
) -> Result<Map<String, Value>, PipelineError> {
    let inherit = job.get("inherit").and_then(|i| i.get("default"));
    let allowed: Option<Vec<String>> = match inherit {
        None | Some(Value::Bool(true)) => None,
        Some(Value::Bool(false)) => Some(Vec::new()),
        Some(v) => Some(fields::strings(v).ok_or_else(|| {
            ctx.error(
                Some(name),
                &format!("{name}.inherit"),
                format!("jobs:{name}:inherit:default config should be a boolean or an array of strings"),
            )
        })?),
    };
    let mut out = job.clone();
    for (k, v) in default {
        if allowed.as_ref().is_none_or(|a| a.contains(k)) && !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// `workflow:` → (why no pipeline, the matched rule's variables, `workflow:name`).
type Workflow = (Option<Reason>, Vec<Variable>, Option<String>);

fn workflow(ctx: &Ctx, wf: Option<&Value>, env: &dyn Fn(&[Variable]) -> HashMap<String, String>) -> Result<Workflow, PipelineError> {
    let Some(wf) = wf.filter(|w| !w.is_null()) else { return Ok((None, Vec::new(), None)) };
    let Value::Object(m) = wf else { return Err(ctx.error(None, "workflow", "workflow config should be a hash")) };
    if let Some(k) = m.keys().find(|k| !["rules", "name", "auto_cancel"].contains(&k.as_str())) {
        return Err(ctx.error(None, "workflow", format!("workflow config contains unknown keys: {k}")));
    }
    let (mut blocked, mut vars) = (None, Vec::new());
    if let Some(r) = m.get("rules") {
        match rules::first_match(ctx, None, "workflow.rules", r, &env(&[]))? {
            None => blocked = Some(Reason::NoRuleMatched),
            Some(hit) if hit.rule.get("when").and_then(Value::as_str) == Some("never") => blocked = Some(hit.reason),
            Some(hit) => {
                if let Some(v) = hit.rule.get("variables") {
                    vars = variables::parse(ctx, None, "workflow.rules", "workflow:rules:rule:variables", v, VariableOrigin::Rule)?;
                }
            }
        }
    }
    let name = m.get("name").and_then(Value::as_str).map(|n| {
        let env = env(&vars);
        crate::pipelines::expand::expand(n, |k| env.get(k).cloned())
    });
    Ok((blocked, vars, name))
}

#[cfg(test)]
mod tests;
