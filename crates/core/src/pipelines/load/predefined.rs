//! The predefined variables a GitLab runner gives a job (`CI_*`, `GITLAB_*`, `CI=true`), from
//! the folder's repository: the server, namespace and name come from the `origin` remote
//! (`git@gitlab.com:group/project.git`); a folder without one is `local/<folder>` on
//! `gitlab.com`.

use super::repo::Repo;
use crate::pipelines::model::{Environment, Project, Variable, VariableOrigin};
use std::path::Path;

/// The GitLab server a project lives on, from its remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub url: String,
}

/// `host` and `namespace/name` of a remote URL (scp-like, ssh://, http(s)://).
pub fn parse_remote(url: &str) -> Option<(String, String)> {
    let (host, path) = if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once('/')?;
        (host.split(':').next()?.to_string(), path.to_string())
    } else {
        let rest = url.rsplit_once('@').map_or(url, |(_, r)| r);
        let (host, path) = rest.split_once(':')?;
        (host.to_string(), path.to_string())
    };
    let path = path.trim_matches('/').trim_end_matches(".git").to_string();
    (path.contains('/') && !host.is_empty()).then_some((host, path))
}

/// GitLab's slug: lowercase, anything but `a-z0-9` → `-`, at most 63 bytes, no `-` at the ends.
pub fn slug(text: &str) -> String {
    let s: String = text.to_lowercase().chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect();
    let s: String = s.chars().take(63).collect();
    s.trim_matches('-').to_string()
}

pub fn project(root: &Path, repo: &Repo) -> (Project, Server) {
    let (host, path) = repo.remote.as_deref().and_then(parse_remote).unwrap_or_else(|| {
        let folder = root.file_name().map(|n| slug(&n.to_string_lossy())).filter(|s| !s.is_empty()).unwrap_or_else(|| "project".into());
        ("gitlab.com".into(), format!("local/{folder}"))
    });
    let (namespace, name) = path.rsplit_once('/').map(|(n, p)| (n.to_string(), p.to_string())).unwrap_or_default();
    let server = Server { url: format!("https://{host}"), host };
    let project = Project { root: root.to_path_buf(), builds_dir: format!("/builds/{path}"), path, namespace, name };
    (project, server)
}

pub fn var(name: &str, value: impl Into<String>) -> Variable {
    Variable { name: name.into(), value: value.into(), expand: false, masked: false, origin: VariableOrigin::Predefined }
}

/// Variables every job of the pipeline gets. `CI_REGISTRY*` name the server's registry; a run
/// with a Berth login replaces them with `Run` variables.
pub fn pipeline(project: &Project, server: &Server, repo: &Repo, config_path: &str, pipeline_id: u64) -> Vec<Variable> {
    let project_url = format!("{}/{}", server.url, project.path);
    let registry = format!("registry.{}", server.host);
    let title = repo.message.lines().next().unwrap_or_default().to_string();
    let description = repo.message.split_once('\n').map(|(_, d)| d.trim_start_matches('\n').to_string()).unwrap_or_default();
    let login = repo.user_email.split('@').next().unwrap_or_default().to_string();
    let mut out = vec![
        var("CI", "true"),
        var("GITLAB_CI", "true"),
        var("CI_SERVER", "yes"),
        var("CI_SERVER_NAME", "GitLab"),
        var("CI_SERVER_HOST", &server.host),
        var("CI_SERVER_URL", &server.url),
        var("CI_SERVER_PORT", "443"),
        var("CI_SERVER_PROTOCOL", "https"),
        var("CI_SERVER_FQDN", &server.host),
        var("CI_SERVER_SHELL_SSH_HOST", &server.host),
        var("CI_SERVER_SHELL_SSH_PORT", "22"),
        var("CI_TEMPLATE_REGISTRY_HOST", "registry.gitlab.com"),
        var("CI_API_V4_URL", format!("{}/api/v4", server.url)),
        var("CI_PROJECT_PATH", &project.path),
        var("CI_PROJECT_PATH_SLUG", slug(&project.path)),
        var("CI_PROJECT_NAMESPACE", &project.namespace),
        var("CI_PROJECT_ROOT_NAMESPACE", project.namespace.split('/').next().unwrap_or_default()),
        var("CI_PROJECT_NAME", &project.name),
        var("CI_PROJECT_TITLE", &project.name),
        var("CI_PROJECT_DIR", &project.builds_dir),
        var("CI_PROJECT_URL", &project_url),
        var("CI_PROJECT_VISIBILITY", "private"),
        var("CI_BUILDS_DIR", "/builds"),
        var("CI_REPOSITORY_URL", format!("{project_url}.git")),
        var("CI_CONFIG_PATH", config_path),
        var("CI_REGISTRY", &registry),
        var("CI_REGISTRY_IMAGE", format!("{registry}/{}", project.path.to_lowercase())),
        var("CI_COMMIT_SHA", &repo.sha),
        var("CI_COMMIT_SHORT_SHA", &repo.sha[..8]),
        var("CI_COMMIT_BEFORE_SHA", "0".repeat(40)),
        var("CI_COMMIT_REF_NAME", repo.ref_name()),
        var("CI_COMMIT_REF_SLUG", slug(repo.ref_name())),
        var("CI_COMMIT_REF_PROTECTED", "false"),
        var("CI_COMMIT_MESSAGE", &repo.message),
        var("CI_COMMIT_TITLE", title),
        var("CI_COMMIT_DESCRIPTION", description),
        var("CI_COMMIT_AUTHOR", &repo.author),
        var("CI_COMMIT_TIMESTAMP", &repo.timestamp),
        var("CI_DEFAULT_BRANCH", &repo.default_branch),
        var("CI_PIPELINE_ID", pipeline_id.to_string()),
        var("CI_PIPELINE_IID", pipeline_id.to_string()),
        var("CI_PIPELINE_SOURCE", "push"),
        var("CI_PIPELINE_URL", format!("{project_url}/-/pipelines/{pipeline_id}")),
        var("GITLAB_USER_NAME", &repo.user_name),
        var("GITLAB_USER_EMAIL", &repo.user_email),
        var("GITLAB_USER_LOGIN", login),
    ];
    if let Some(b) = &repo.branch {
        out.push(var("CI_COMMIT_BRANCH", b));
    }
    if let Some(t) = &repo.tag {
        out.push(var("CI_COMMIT_TAG", t));
    }
    out
}

/// Variables of one job (after `parallel` expansion).
pub fn job(project_url: &str, name: &str, stage: &str, job_id: u64, node: Option<(usize, usize)>) -> Vec<Variable> {
    let mut out = vec![
        var("CI_JOB_NAME", name),
        var("CI_JOB_NAME_SLUG", slug(name)),
        var("CI_JOB_STAGE", stage),
        var("CI_JOB_ID", job_id.to_string()),
        var("CI_JOB_URL", format!("{project_url}/-/jobs/{job_id}")),
    ];
    // GitLab sets CI_NODE_TOTAL for every job (1 without `parallel`), CI_NODE_INDEX only for parallel ones.
    match node {
        Some((index, total)) => {
            out.push(var("CI_NODE_INDEX", index.to_string()));
            out.push(var("CI_NODE_TOTAL", total.to_string()));
        }
        None => out.push(var("CI_NODE_TOTAL", "1")),
    }
    out
}

/// `CI_ENVIRONMENT_*` of a job with an `environment:` (`raw`, as written; `env`, its name and
/// URL expanded), as GitLab sets them: the slug as GitLab makes it, the action (`start` unless
/// given) and the tier (`deployment_tier`, else guessed from the name as GitLab guesses it).
pub fn environment(env: &Environment, raw: &serde_json::Value) -> Vec<Variable> {
    let field = |k: &str| raw.get(k).and_then(serde_json::Value::as_str);
    let mut out = vec![
        var("CI_ENVIRONMENT_NAME", &env.name),
        var("CI_ENVIRONMENT_SLUG", environment_slug(&env.name)),
        var("CI_ENVIRONMENT_ACTION", field("action").unwrap_or("start")),
        var("CI_ENVIRONMENT_TIER", field("deployment_tier").map(str::to_string).unwrap_or_else(|| guess_tier(&env.name).into())),
    ];
    if let Some(url) = &env.url {
        out.push(var("CI_ENVIRONMENT_URL", url));
    }
    out
}

/// GitLab's environment slug: lowercase letters, digits and single dashes, starting with a
/// letter; at most 24 characters, and when that changed the name, 17 of them, a dash and six
/// base-36 digits of the name's SHA-256, so that two names never share a slug.
fn environment_slug(name: &str) -> String {
    let mut slug: String =
        name.to_lowercase().chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect();
    if !slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug.insert_str(0, "env-");
    }
    let mut squeezed = String::with_capacity(slug.len());
    for c in slug.chars() {
        if !(c == '-' && squeezed.ends_with('-')) {
            squeezed.push(c);
        }
    }
    if squeezed.len() <= 24 && squeezed == name {
        return squeezed.trim_end_matches('-').to_string();
    }
    let mut short: String = squeezed.chars().take(17).collect();
    if !short.ends_with('-') {
        short.push('-');
    }
    // The hash as one number, modulo 36⁶: its last six base-36 digits.
    const MOD: u64 = 36u64.pow(6);
    let hash = <sha2::Sha256 as sha2::Digest>::digest(name.as_bytes());
    let mut rest = hash.iter().fold(0u64, |r, &b| (r * 256 + u64::from(b)) % MOD);
    let mut digits = [b'0'; 6];
    for d in digits.iter_mut().rev() {
        *d = b"0123456789abcdefghijklmnopqrstuvwxyz"[(rest % 36) as usize];
        rest /= 36;
    }
    short + std::str::from_utf8(&digits).expect("ascii")
}

/// The tier GitLab gives an environment whose `deployment_tier` is not set, from its name.
fn guess_tier(name: &str) -> &'static str {
    let n = name.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if any(&["dev", "review", "trunk"]) {
        "development"
    } else if any(&["test", "tst", "int", "accept", "acpt", "qa", "qc", "control", "quality"]) {
        "testing"
    } else if any(&["stag", "stg", "model", "modl", "pre", "demo", "non"]) {
        "staging"
    } else if any(&["prod", "prd", "live"]) {
        "production"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_slugs_and_tiers_as_gitlab_makes_them() {
        assert_eq!(environment_slug("Stage Domain"), "stage-domain-ip33nk");
        assert_eq!(environment_slug("stage-domain-foobar-long-string"), "stage-domain-foob-yafktx");
        assert_eq!(environment_slug("review-app"), "review-app");
        assert!(environment_slug("1st").starts_with("env-1st-"));
        assert_eq!(guess_tier("production"), "production");
        assert_eq!(guess_tier("Stage Domain"), "staging");
        assert_eq!(guess_tier("review/feature"), "development");
        assert_eq!(guess_tier("sandbox"), "other");
        let env = Environment { name: "Stage Domain".into(), url: Some("http://s".into()) };
        let raw = serde_json::json!({"name": "Stage Domain", "action": "stop", "deployment_tier": "production"});
        let vars: Vec<(String, String)> = environment(&env, &raw).into_iter().map(|v| (v.name, v.value)).collect();
        assert!(vars.contains(&("CI_ENVIRONMENT_ACTION".into(), "stop".into())));
        assert!(vars.contains(&("CI_ENVIRONMENT_TIER".into(), "production".into())));
        assert!(vars.contains(&("CI_ENVIRONMENT_URL".into(), "http://s".into())));
    }

    #[test]
    fn remotes_and_slugs() {
        assert_eq!(parse_remote("git@gitlab.com:gcl/test-project.git"), Some(("gitlab.com".into(), "gcl/test-project".into())));
        assert_eq!(parse_remote("https://user@git.example.org:8443/a/b/c.git"), Some(("git.example.org".into(), "a/b/c".into())));
        assert_eq!(parse_remote("ssh://git@host:2222/grp/proj"), Some(("host".into(), "grp/proj".into())));
        assert_eq!(parse_remote("/srv/repo.git"), None);
        assert_eq!(slug("Feature/ABC_1--x-"), "feature-abc-1--x");
        assert_eq!(slug(&"a".repeat(80)).len(), 63);
    }
}
