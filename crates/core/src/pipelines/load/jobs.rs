//! One job's configuration (after `extends`, `!reference` and `default:`) into the model's
//! [`Job`]s (one per `parallel` instance), with GitLab's checks and sentences. `needs` and
//! `dependencies` are returned raw: they are resolved once every job is known (`needs.rs`).

use super::context::Ctx;
use super::fields;
use super::keywords::{allow_failure, artifacts, caches, coverage, environment_of, image, retry, services};
use super::parallel::{self, Instance};
use super::rules;
use super::variables;
use super::{predefined, Globals};
use crate::pipelines::expand::{environment, expand};
use crate::pipelines::model::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

const JOB_KEYS: &[&str] = &[
    "after_script",
    "allow_failure",
    "artifacts",
    "before_script",
    "cache",
    "coverage",
    "dast_configuration",
    "dependencies",
    "environment",
    "except",
    "hooks",
    "id_tokens",
    "identity",
    "image",
    "inherit",
    "interruptible",
    "manual_confirmation",
    "needs",
    "only",
    "pages",
    "parallel",
    "publish",
    "release",
    "resource_group",
    "retry",
    "rules",
    "run",
    "script",
    "secrets",
    "services",
    "stage",
    "start_in",
    "tags",
    "timeout",
    "trigger",
    "variables",
    "when",
];
/// Keys Berth reads but a local run does not act on; listed in [`Job::ignored`].
const IGNORED_KEYS: &[&str] =
    &["dast_configuration", "hooks", "id_tokens", "identity", "manual_confirmation", "pages", "publish", "release", "secrets", "tags"];

/// A built job with its raw `needs`/`dependencies` (a matched rule's `needs` replace the job's).
pub struct Built {
    pub job: Job,
    pub needs: Option<Value>,
    pub dependencies: Option<Value>,
    /// The matrix values of the instance, for `needs:parallel:matrix` selection.
    pub matrix: Vec<(String, String)>,
    pub parallel_kind: ParallelKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParallelKind {
    None,
    Count,
    Matrix,
}

/// Builds every instance of job `name`; `next_id` numbers `CI_JOB_ID`.
pub fn build(ctx: &Ctx, g: &Globals, name: &str, cfg: &Map<String, Value>, next_id: &mut u64) -> Result<Vec<Built>, PipelineError> {
    let err = |key: &str, m: String| ctx.error(Some(name), &join(name, key), m);
    let unknown: Vec<&str> = cfg.keys().map(String::as_str).filter(|k| !JOB_KEYS.contains(k)).collect();
    if !unknown.is_empty() {
        return Err(err("", format!("jobs:{name} config contains unknown keys: {}", unknown.join(", "))));
    }
    let script_of = |key: &str| match cfg.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => fields::script(v).map_err(|m| err(key, format!("jobs:{name}:{key} config {m}"))),
    };
    let script = script_of("script")?;
    let trigger = cfg.contains_key("trigger");
    if script.is_empty() && !trigger {
        return Err(err("", format!("jobs:{name} config should implement the script:, run:, or trigger: keyword")));
    }
    if cfg.contains_key("rules") && (cfg.contains_key("only") || cfg.contains_key("except")) {
        let keys: Vec<&str> = ["only", "except"].into_iter().filter(|k| cfg.contains_key(*k)).collect();
        return Err(err("rules", format!("jobs:{name} config key may not be used with `rules`: {}", keys.join(", "))));
    }
    let stage = match cfg.get("stage") {
        None => "test".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(err("stage", format!("jobs:{name}:stage config should be a string"))),
    };
    let stage_index = g.stages.iter().position(|s| *s == stage).ok_or_else(|| {
        err("stage", format!("jobs:{name} chosen stage {stage} does not exist; available stages are {}", g.stages.join(", ")))
    })?;
    let job_when = match cfg.get("when") {
        None => When::OnSuccess,
        Some(v) => match fields::when(v, cfg.get("start_in")) {
            Ok(When::Never) if !cfg.contains_key("rules") => {
                return Err(err("when", format!("jobs:{name} when:never can only be used in a rules section or workflow:rules")))
            }
            Ok(w) => w,
            Err(m) => return Err(err("when", format!("jobs:{name} {m}"))),
        },
    };
    let job_allow = cfg
        .get("allow_failure")
        .map(|v| {
            allow_failure(v).ok_or_else(|| {
                err("allow_failure", format!("jobs:{name}:allow_failure config should be a boolean or a hash with exit_codes"))
            })
        })
        .transpose()?;
    let own_vars = match cfg.get("variables") {
        Some(v) => variables::parse(ctx, Some(name), &join(name, "variables"), &format!("jobs:{name}:variables"), v, VariableOrigin::Job)?,
        None => Vec::new(),
    };
    let globals = inherited_globals(ctx, name, cfg, &g.variables)?;
    let order =
        |i: usize, m: &Map<String, Value>| ctx.key_order(&format!("{name}.parallel.matrix.{i}"), &format!(".parallel.matrix.{i}"), m);
    let instances =
        parallel::instances(name, cfg.get("parallel"), &order).map_err(|m| err("parallel", format!("jobs:{name}:parallel {m}")))?;
    let parallel_kind = match cfg.get("parallel") {
        None => ParallelKind::None,
        Some(v) if v.is_number() => ParallelKind::Count,
        Some(_) => ParallelKind::Matrix,
    };
    let (file, line) = ctx.locate(name);
    let mut out = Vec::new();
    for Instance { name: job_name, matrix, node } in instances {
        *next_id += 1;
        let mut vars = g.predefined.clone();
        vars.extend(predefined::job(&g.project_url, &job_name, &stage, *next_id, node));
        vars.extend(globals.iter().cloned());
        vars.extend(g.workflow_variables.iter().cloned());
        vars.extend(own_vars.iter().cloned());
        vars.extend(matrix.iter().map(|(k, v)| Variable {
            name: k.clone(),
            value: v.clone(),
            expand: false,
            masked: false,
            origin: VariableOrigin::Matrix,
        }));
        let env_of = |vars: &[Variable]| -> HashMap<String, String> { environment(&[vars, &g.run[..]].concat()).into_iter().collect() };
        let env = env_of(&vars);
        let mut needs = cfg.get("needs").cloned();
        let (when, reason, rule_allow) = match cfg.get("rules") {
            Some(r) => match rules::first_match(ctx, Some(name), &join(name, "rules"), r, &env)? {
                Some(m) => {
                    let when = match m.rule.get("when") {
                        Some(w) => fields::when(w, m.rule.get("start_in").or(cfg.get("start_in")))
                            .map_err(|e| err("rules", format!("jobs:{name}:rules:rule {e}")))?,
                        None => job_when,
                    };
                    if let Some(v) = m.rule.get("variables") {
                        vars.extend(variables::parse(
                            ctx,
                            Some(name),
                            &join(name, "rules"),
                            &format!("jobs:{name}:rules:rule:variables"),
                            v,
                            VariableOrigin::Rule,
                        )?);
                    }
                    if let Some(n) = m.rule.get("needs") {
                        needs = Some(n.clone());
                    }
                    let rule_allow = m
                        .rule
                        .get("allow_failure")
                        .map(|v| {
                            allow_failure(v)
                                .ok_or_else(|| err("rules", format!("jobs:{name}:rules:rule allow_failure should be a boolean value")))
                        })
                        .transpose()?;
                    (when, m.reason, rule_allow)
                }
                None => (When::Never, Reason::NoRuleMatched, None),
            },
            None => match rules::only_except(ctx, name, cfg, &env)? {
                Some(reason) => (When::Never, reason, None),
                None => (job_when, Reason::Default, None),
            },
        };
        let (when, reason) = if trigger {
            (When::Never, Reason::Unsupported { text: "trigger: downstream pipelines are not run locally".into() })
        } else {
            (when, reason)
        };
        // Manual jobs may fail by default, except when a rule made them manual.
        let allow = rule_allow.or(job_allow.clone()).unwrap_or(match (when, cfg.contains_key("rules")) {
            (When::Manual, false) => AllowFailure::Yes,
            _ => AllowFailure::No,
        });
        if when == When::Manual {
            vars.push(predefined::var("CI_JOB_MANUAL", "true"));
        }
        let env = env_of(&vars);
        let look = |k: &str| env.get(k).cloned();
        let mut ignored: Vec<String> = IGNORED_KEYS.iter().filter(|k| cfg.contains_key(**k)).map(|k| k.to_string()).collect();
        let artifacts = cfg
            .get("artifacts")
            .filter(|v| !v.is_null())
            .map(|v| artifacts(v, &mut ignored).map_err(|m| err("artifacts", format!("jobs:{name}:artifacts {m}"))))
            .transpose()?;
        let environment = cfg
            .get("environment")
            .map(|v| environment_of(v, &look).map_err(|m| err("environment", format!("jobs:{name}:environment {m}"))))
            .transpose()?;
        if let (Some(e), Some(raw)) = (&environment, cfg.get("environment")) {
            // Deployment variables rank just above the predefined ones, below the file's own.
            let at = vars.iter().position(|v| v.origin != VariableOrigin::Predefined).unwrap_or(vars.len());
            vars.splice(at..at, predefined::environment(e, raw));
        }
        let job = Job {
            name: job_name,
            base_name: name.to_string(),
            file: file.clone().unwrap_or_default(),
            line,
            stage: stage.clone(),
            stage_index,
            image: cfg
                .get("image")
                .filter(|v| !v.is_null())
                .map(|v| image(v, &look).map_err(|m| err("image", format!("jobs:{name}:image {m}"))))
                .transpose()?,
            services: services(ctx, name, cfg.get("services"), &look)?,
            before_script: script_of("before_script")?,
            script: script.clone(),
            after_script: script_of("after_script")?,
            variables: [vars, g.run.clone()].concat(),
            when,
            reason,
            allow_failure: allow,
            needs: None,
            dependencies: None,
            artifacts,
            caches: caches(cfg.get("cache"), &look).map_err(|m| err("cache", format!("jobs:{name}:cache {m}")))?,
            retry: retry(cfg.get("retry")).map_err(|m| err("retry", format!("jobs:{name}:retry {m}")))?,
            timeout: cfg
                .get("timeout")
                .map(|v| fields::duration(v).ok_or_else(|| err("timeout", format!("jobs:{name}:timeout config should be a duration"))))
                .transpose()?,
            interruptible: match cfg.get("interruptible") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(err("interruptible", format!("jobs:{name}:interruptible config should be a boolean value"))),
            },
            resource_group: cfg
                .get("resource_group")
                .map(|v| {
                    v.as_str()
                        .map(|s| expand(s, look))
                        .ok_or_else(|| err("resource_group", format!("jobs:{name}:resource_group config should be a string")))
                })
                .transpose()?,
            coverage: cfg
                .get("coverage")
                .map(|v| coverage(v).map_err(|m| err("coverage", format!("jobs:{name}:coverage config {m}"))))
                .transpose()?,
            environment,
            ignored,
        };
        out.push(Built { job, needs: needs.clone(), dependencies: cfg.get("dependencies").cloned(), matrix, parallel_kind });
    }
    Ok(out)
}

fn join(job: &str, key: &str) -> String {
    if key.is_empty() {
        job.to_string()
    } else {
        format!("{job}.{key}")
    }
}

/// Global variables the job inherits (`inherit:variables: false | [names]`).
fn inherited_globals(ctx: &Ctx, name: &str, cfg: &Map<String, Value>, globals: &[Variable]) -> Result<Vec<Variable>, PipelineError> {
    match cfg.get("inherit").and_then(|i| i.get("variables")) {
        None | Some(Value::Bool(true)) => Ok(globals.to_vec()),
        Some(Value::Bool(false)) => Ok(Vec::new()),
        Some(v) => {
            let names = fields::strings(v).ok_or_else(|| {
                ctx.error(
                    Some(name),
                    &format!("{name}.inherit"),
                    format!("jobs:{name}:inherit:variables config should be a boolean or an array of strings"),
                )
            })?;
            Ok(globals.iter().filter(|g| names.contains(&g.name)).cloned().collect())
        }
    }
}
