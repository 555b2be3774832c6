//! The typed job keywords (`image`, `services`, `artifacts`, `cache`, `retry`,
//! `allow_failure`, `coverage`, `environment`) read into the model, with GitLab's sentences
//! (the caller prefixes `jobs:<job>:<key>`).

use super::context::Ctx;
use super::fields;
use super::variables;
use crate::pipelines::expand::expand;
use crate::pipelines::model::*;
use serde_json::Value;

/// At most this many caches per job (GitLab's limit).
const MAX_CACHES: usize = 4;

pub(super) fn allow_failure(v: &Value) -> Option<AllowFailure> {
    match v {
        Value::Bool(true) => Some(AllowFailure::Yes),
        Value::Bool(false) => Some(AllowFailure::No),
        Value::Object(m) if m.len() == 1 => match m.get("exit_codes")? {
            Value::Number(n) => Some(AllowFailure::ExitCodes(vec![n.as_i64()? as i32])),
            Value::Array(a) => Some(AllowFailure::ExitCodes(a.iter().map(|c| c.as_i64().map(|c| c as i32)).collect::<Option<_>>()?)),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn image(v: &Value, look: &dyn Fn(&str) -> Option<String>) -> Result<Image, String> {
    let bad = || "config should be a hash or a string".to_string();
    match v {
        Value::String(s) => Ok(Image { name: expand(s, look), entrypoint: None, pull_policy: Vec::new(), user: None }),
        Value::Object(m) => {
            if let Some(k) = m.keys().find(|k| !["name", "entrypoint", "pull_policy", "docker", "kubernetes"].contains(&k.as_str())) {
                return Err(format!("config contains unknown keys: {k}"));
            }
            let name = m.get("name").and_then(Value::as_str).ok_or("config should have a name")?;
            let entrypoint =
                m.get("entrypoint").map(|e| fields::strings(e).ok_or("entrypoint config should be an array of strings")).transpose()?;
            let pull_policy = match m.get("pull_policy") {
                None => Vec::new(),
                Some(p) => fields::strings(p)
                    .ok_or_else(bad)?
                    .iter()
                    .map(|p| match p.as_str() {
                        "always" => Ok(PullPolicy::Always),
                        "if-not-present" => Ok(PullPolicy::IfNotPresent),
                        "never" => Ok(PullPolicy::Never),
                        other => Err(format!("pull_policy config contains an unknown value: {other}")),
                    })
                    .collect::<Result<_, _>>()?,
            };
            let user = match m.get("docker") {
                None => None,
                Some(Value::Object(d)) => {
                    if let Some(k) = d.keys().find(|k| !["user", "platform"].contains(&k.as_str())) {
                        return Err(format!("docker config contains unknown keys: {k}"));
                    }
                    d.get("user").map(|u| u.as_str().map(|u| expand(u, look)).ok_or("docker:user config should be a string")).transpose()?
                }
                Some(_) => return Err("docker config should be a hash".into()),
            };
            Ok(Image { name: expand(name, look), entrypoint, pull_policy, user })
        }
        _ => Err(bad()),
    }
}

pub(super) fn services(
    ctx: &Ctx,
    job: &str,
    v: Option<&Value>,
    look: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Service>, PipelineError> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ctx.error(Some(job), &format!("{job}.services"), format!("jobs:{job}:services config should be an array"))),
    };
    let mut out = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let at = format!("{job}.services.{i}");
        let err = |m: String| ctx.error(Some(job), &at, format!("jobs:{job}:services:service {m}"));
        let image_part = match s {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| !["alias", "command", "variables"].contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            other => other.clone(),
        };
        let image = image(&image_part, look).map_err(err)?;
        let aliases = match s.get("alias") {
            None => Vec::new(),
            Some(Value::String(a)) => a.split([',', ' ']).filter(|a| !a.is_empty()).map(|a| expand(a, look)).collect(),
            Some(_) => return Err(err("alias should be a string".into())),
        };
        let command = s
            .get("command")
            .map(|c| fields::strings(c).ok_or_else(|| err("command config should be an array of strings".into())))
            .transpose()?;
        let variables = match s.get("variables") {
            Some(v) => variables::parse(
                ctx,
                Some(job),
                &format!("{at}.variables"),
                &format!("jobs:{job}:services:service:variables"),
                v,
                VariableOrigin::Job,
            )?,
            None => Vec::new(),
        };
        out.push(Service { image, aliases, command, variables });
    }
    Ok(out)
}

pub(super) fn artifacts(v: &Value, ignored: &mut Vec<String>) -> Result<Artifacts, String> {
    let m = v.as_object().ok_or("config should be a hash")?;
    const KEYS: &[&str] = &["paths", "exclude", "untracked", "when", "expire_in", "name", "expose_as", "public", "access", "reports"];
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("config contains unknown keys: {k}"));
    }
    let list = |k: &str| {
        m.get(k)
            .map(|v| fields::strings(v).ok_or(format!("{k} config should be an array of strings")))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let mut dotenv = Vec::new();
    let mut ignored_reports = Vec::new();
    if let Some(reports) = m.get("reports") {
        let reports = reports.as_object().ok_or("reports config should be a hash")?;
        for (kind, files) in reports {
            if kind == "dotenv" {
                dotenv = fields::strings(files).ok_or("reports:dotenv config should be an array of strings or a string")?;
            } else {
                ignored_reports.push(kind.clone());
                ignored.push(format!("artifacts:reports:{kind}"));
            }
        }
    }
    Ok(Artifacts {
        name: m.get("name").and_then(fields::scalar),
        paths: list("paths")?,
        exclude: list("exclude")?,
        untracked: m.get("untracked").and_then(Value::as_bool).unwrap_or(false),
        when: artifacts_when(m.get("when"))?,
        expire_in: m.get("expire_in").and_then(fields::scalar),
        dotenv,
        ignored_reports,
    })
}

fn artifacts_when(v: Option<&Value>) -> Result<ArtifactsWhen, String> {
    match v.map(|v| v.as_str()) {
        None | Some(Some("on_success")) => Ok(ArtifactsWhen::OnSuccess),
        Some(Some("on_failure")) => Ok(ArtifactsWhen::OnFailure),
        Some(Some("always")) => Ok(ArtifactsWhen::Always),
        _ => Err("when should be on_success, on_failure or always".into()),
    }
}

pub(super) fn caches(v: Option<&Value>, look: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Cache>, String> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
    };
    if list.len() > MAX_CACHES {
        return Err(format!("config no more than {MAX_CACHES} caches can be created"));
    }
    list.iter().map(|c| cache(c, look)).collect()
}

fn cache(v: &Value, look: &dyn Fn(&str) -> Option<String>) -> Result<Cache, String> {
    let m = v.as_object().ok_or("config should be a hash")?;
    const KEYS: &[&str] = &["key", "paths", "untracked", "policy", "when", "fallback_keys", "unprotect"];
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("config contains unknown keys: {k}"));
    }
    let key = match m.get("key") {
        None | Some(Value::Null) => CacheKey::Text { text: "default".into() },
        Some(Value::Object(k)) => {
            let files = k.get("files").and_then(fields::strings).ok_or("key:files config should be an array of strings")?;
            if files.is_empty() || files.len() > 2 {
                return Err("key:files config has too many items (maximum is 2)".into());
            }
            CacheKey::Files { files, prefix: k.get("prefix").and_then(fields::scalar) }
        }
        Some(k) => CacheKey::Text { text: fields::scalar(k).ok_or("key should be a string or a hash")? },
    };
    let policy = match m.get("policy").and_then(Value::as_str).map(|p| expand(p, look)).as_deref() {
        None | Some("pull-push") => CachePolicy::PullPush,
        Some("pull") => CachePolicy::Pull,
        Some("push") => CachePolicy::Push,
        Some(other) => return Err(format!("policy should be pull-push, push or pull (got {other})")),
    };
    let list = |k: &str| {
        m.get(k)
            .map(|v| fields::strings(v).ok_or(format!("{k} config should be an array of strings")))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    Ok(Cache {
        key,
        paths: list("paths")?,
        untracked: m.get("untracked").and_then(Value::as_bool).unwrap_or(false),
        policy,
        when: artifacts_when(m.get("when"))?,
        fallback_keys: list("fallback_keys")?,
    })
}

pub(super) fn retry(v: Option<&Value>) -> Result<Retry, String> {
    let none = Retry { max: 0, when: Vec::new(), exit_codes: Vec::new() };
    let (max, when, codes) = match v {
        None | Some(Value::Null) => return Ok(none),
        Some(Value::Number(n)) => (n.as_u64(), None, None),
        Some(Value::Object(m)) => {
            if let Some(k) = m.keys().find(|k| !["max", "when", "exit_codes"].contains(&k.as_str())) {
                return Err(format!("config contains unknown keys: {k}"));
            }
            (m.get("max").map_or(Some(0), Value::as_u64), m.get("when"), m.get("exit_codes"))
        }
        Some(_) => return Err("config has to be either an integer or a hash".into()),
    };
    let max = max.filter(|m| *m <= 2).ok_or("max config must be less than or equal to 2")? as u8;
    let when = match when {
        None => Vec::new(),
        Some(w) => fields::strings(w)
            .ok_or("when config should be an array of strings")?
            .iter()
            .map(|w| retry_when(w).ok_or(format!("when config contains unknown values: {w}")))
            .collect::<Result<_, _>>()?,
    };
    let exit_codes = match codes {
        None => Vec::new(),
        Some(Value::Number(n)) => vec![n.as_i64().ok_or("exit_codes should be integers")? as i32],
        Some(Value::Array(a)) => {
            a.iter().map(|c| c.as_i64().map(|c| c as i32)).collect::<Option<_>>().ok_or("exit_codes should be integers")?
        }
        Some(_) => return Err("exit_codes should be an integer or an array of integers".into()),
    };
    Ok(Retry { max, when, exit_codes })
}

fn retry_when(w: &str) -> Option<RetryWhen> {
    use RetryWhen::*;
    Some(match w {
        "always" => Always,
        "unknown_failure" => UnknownFailure,
        "script_failure" => ScriptFailure,
        "api_failure" => ApiFailure,
        "stuck_or_timeout_failure" => StuckOrTimeoutFailure,
        "runner_system_failure" => RunnerSystemFailure,
        "runner_unsupported" => RunnerUnsupported,
        "stale_schedule" => StaleSchedule,
        "job_execution_timeout" => JobExecutionTimeout,
        "archived_failure" => ArchivedFailure,
        "unmet_prerequisites" => UnmetPrerequisites,
        "scheduler_failure" => SchedulerFailure,
        "data_integrity_failure" => DataIntegrityFailure,
        _ => return None,
    })
}

pub(super) fn coverage(v: &Value) -> Result<String, String> {
    let text = v.as_str().ok_or("should be a regular expression")?;
    let inner = text.strip_prefix('/').and_then(|t| t.strip_suffix('/')).ok_or("should be a regular expression")?;
    super::expr::regex(text).map_err(|e| e.0)?;
    Ok(inner.to_string())
}

/// `environment:` as GitLab's lint checks it (`Err` is its sentence after `environment `),
/// with its name and URL expanded.
pub(super) fn environment_of(v: &Value, look: &dyn Fn(&str) -> Option<String>) -> Result<Environment, String> {
    const KEYS: [&str; 7] = ["name", "url", "action", "on_stop", "auto_stop_in", "kubernetes", "deployment_tier"];
    const ACTIONS: [&str; 5] = ["start", "prepare", "stop", "verify", "access"];
    const TIERS: [&str; 5] = ["production", "staging", "testing", "development", "other"];
    let (name, url) = match v {
        Value::String(_) => (Some(v), None),
        Value::Object(m) => {
            if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
                return Err(format!("config contains unknown keys: {k}"));
            }
            let text =
                |key: &str| m.get(key).filter(|v| !v.is_null()).map(|v| v.as_str().ok_or(format!("{key} should be a string"))).transpose();
            if let Some(url) = text("url")? {
                if url.chars().count() > 255 {
                    return Err("url is too long (maximum is 255 characters)".into());
                }
            }
            if text("action")?.is_some_and(|a| !ACTIONS.contains(&a)) {
                return Err("action should be start, stop, prepare, verify, or access".into());
            }
            if text("deployment_tier")?.is_some_and(|t| !TIERS.contains(&t)) {
                return Err(format!("deployment tier must be one of {}", TIERS.join(", ")));
            }
            text("on_stop")?;
            if m.get("kubernetes").is_some_and(|k| !k.is_object() && !k.is_null()) {
                return Err("kubernetes should be a hash".into());
            }
            if let Some(d) = m.get("auto_stop_in").filter(|d| !d.is_null()) {
                if super::fields::duration(d).is_none() {
                    return Err("auto stop in should be a duration".into());
                }
            }
            (m.get("name"), m.get("url").and_then(Value::as_str))
        }
        _ => return Err("config should be a hash or a string".into()),
    };
    let name =
        match name {
            None | Some(Value::Null) => return Err("name can't be blank".into()),
            Some(Value::String(s)) if s.trim().is_empty() => return Err("name can't be blank".into()),
            Some(Value::String(s)) if valid_environment_name(s) => s,
            Some(_) => return Err(
                "name can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'"
                    .into(),
            ),
        };
    Ok(Environment { name: expand(name, look), url: url.map(|u| expand(u, look)) })
}

/// GitLab's environment name rule, checked before variables are expanded.
fn valid_environment_name(name: &str) -> bool {
    !name.starts_with('/')
        && !name.ends_with('/')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '/' | '$' | '{' | '}' | '.'))
}
