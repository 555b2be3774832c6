//! Secrets and configs without Swarm, as `docker compose` v2 gives them: a `file:` source is
//! bind-mounted read-only, an `environment:` or `content:` one is copied into the container
//! after it is created and before it starts. Secrets land in `/run/secrets/<target or name>`,
//! configs at `/<target or name>`.

use super::Project;
use crate::error::{Error, Result};
use crate::Engine;
use bollard::models::{Mount, MountType};
use bollard::query_parameters::UploadToContainerOptions;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    Config,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Secret => "secrets",
            Kind::Config => "configs",
        }
    }
    fn word(self) -> &'static str {
        match self {
            Kind::Secret => "Secret",
            Kind::Config => "Config",
        }
    }
    /// Where a target given without a leading `/` (or none) goes.
    fn target(self, source: &str, target: Option<&str>) -> String {
        let base = if self == Kind::Secret { "/run/secrets/" } else { "/" };
        match target.filter(|t| !t.is_empty()) {
            Some(t) if absolute(t) => t.to_string(),
            Some(t) => format!("{base}{t}"),
            None => format!("{base}{source}"),
        }
    }
}

/// Unix `/x` or Windows `C:\x`, as Compose's `isAbsTarget`.
fn absolute(t: &str) -> bool {
    let b = t.as_bytes();
    t.starts_with('/') || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/'))
}

/// A file written into the container before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub target: String,
    pub content: String,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub mode: u32,
}

/// What a service's secrets and configs need: bind mounts at create, copies before start.
#[derive(Debug, Default, PartialEq)]
pub struct Files {
    pub mounts: Vec<Mount>,
    pub copies: Vec<Copy>,
}

/// `- name` or `{source, target, uid, gid, mode}`.
fn reference(r: &Value) -> (Option<&str>, Option<&str>, &Value) {
    match r {
        Value::String(s) => (Some(s.as_str()), None, &Value::Null),
        _ => (r["source"].as_str(), r["target"].as_str(), r),
    }
}

/// A mode as Compose reads it: a number as given, a string in octal.
fn mode(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().map(|m| m as u32),
        Value::String(s) => u32::from_str_radix(s.trim_start_matches("0o"), 8).ok(),
        _ => None,
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The mounts and copies of `service`; every source is checked here, before the engine is
/// touched, so a missing file or variable fails the up with a sentence, not half a stack.
pub fn files(project: &Project, service: &str, svc: &Value) -> Result<Files> {
    let mut out = Files::default();
    for kind in [Kind::Secret, Kind::Config] {
        for r in svc[kind.key()].as_array().into_iter().flatten() {
            let (Some(source), target, long) = reference(r) else {
                continue;
            };
            let what = kind.word();
            let def = project.config[kind.key()].get(source).ok_or_else(|| {
                Error::invalid(
                    "secrets",
                    format!(
                        "Service \"{service}\" uses {} \"{source}\", which the compose file does not define under {}.",
                        what.to_lowercase(),
                        kind.key()
                    ),
                )
            })?;
            let name = def["name"].as_str().unwrap_or(source);
            if def["external"].as_bool() == Some(true) {
                return Err(Error::invalid(
                    "secrets",
                    format!(
                        "{what} \"{name}\" is external, which only Swarm provides; give it a file, environment or content source to use it here."
                    ),
                ));
            }
            if kind == Kind::Config {
                for attr in ["driver", "template_driver"] {
                    if def.get(attr).is_some() {
                        return Err(Error::invalid(
                            "configs",
                            format!("Config \"{name}\" sets {attr}, which Compose does not support without Swarm; remove it."),
                        ));
                    }
                }
            }
            let target = kind.target(source, target);
            let content = match (def["content"].as_str(), def["environment"].as_str()) {
                (Some(c), _) if kind == Kind::Config => Some(c.to_string()),
                (_, Some(var)) => Some(project.env.get(var).cloned().ok_or_else(|| {
                    Error::invalid(
                        "secrets",
                        format!("{what} \"{source}\" takes its value from the environment variable {var}, which is not set. Set it (or add it to the project's .env file) and try again."),
                    )
                })?),
                _ => None,
            };
            if let Some(content) = content {
                if content.is_empty() {
                    continue;
                }
                if svc["read_only"].as_bool() == Some(true) {
                    return Err(Error::invalid(
                        "read_only",
                        format!("{what} \"{source}\" cannot be written into service \"{service}\", whose filesystem is read-only; give it a file source instead."),
                    ));
                }
                out.copies.push(Copy {
                    target,
                    content,
                    uid: id_text(&long["uid"]),
                    gid: id_text(&long["gid"]),
                    mode: mode(&long["mode"]).unwrap_or(0o444),
                });
                continue;
            }
            let Some(file) = def["file"].as_str() else {
                return Err(Error::invalid(
                    "secrets",
                    format!("{what} \"{source}\" has no file, environment or content to take its value from."),
                ));
            };
            if !std::path::Path::new(file).exists() {
                return Err(Error::invalid(
                    "secrets",
                    format!(
                        "{what} \"{source}\" reads the file {file}, which does not exist. Create it, or fix {}.{source}.file in the compose file.",
                        kind.key()
                    ),
                ));
            }
            // Compose ignores uid, gid and mode for bind-mounted files (with a warning).
            out.mounts.push(Mount {
                typ: Some(MountType::BIND),
                source: Some(file.to_string()),
                target: Some(target),
                read_only: Some(true),
                ..Default::default()
            });
        }
    }
    Ok(out)
}

/// A tar of one file, as Compose's `createTar`: the target as the entry's name, the owner and
/// mode it asks for.
fn tar(copy: &Copy, uid: u64, gid: u64) -> Result<Vec<u8>> {
    let mut header = tar::Header::new_gnu();
    header.set_size(copy.content.len() as u64);
    header.set_mode(copy.mode);
    header.set_uid(uid);
    header.set_gid(gid);
    header.set_mtime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
    header.set_entry_type(tar::EntryType::Regular);
    let mut builder = tar::Builder::new(Vec::new());
    builder
        .append_data(&mut header, copy.target.trim_start_matches('/'), copy.content.as_bytes())
        .map_err(|e| Error::io(format!("Packing {}", copy.target), e))?;
    builder.into_inner().map_err(|e| Error::io(format!("Packing {}", copy.target), e))
}

/// Write the copies into the created container; the owner defaults to the container's user
/// (numeric ids; a user name counts as root), as Compose does.
pub async fn inject(engine: &Engine, id: &str, copies: &[Copy]) -> Result<()> {
    if copies.is_empty() {
        return Ok(());
    }
    let docker = engine.docker();
    let user = match copies.iter().any(|c| c.uid.is_none() && c.gid.is_none()) {
        true => docker.inspect_container(id, None).await.map_err(engine.err("Container"))?.config.and_then(|c| c.user).unwrap_or_default(),
        false => String::new(),
    };
    let (user_uid, user_gid) = user.split_once(':').unwrap_or((&user, ""));
    let num = |s: &str| s.parse::<u64>().unwrap_or(0);
    for copy in copies {
        let (uid, gid) = match (&copy.uid, &copy.gid) {
            (None, None) => (num(user_uid), num(user_gid)),
            (u, g) => (u.as_deref().map(num).unwrap_or(0), g.as_deref().map(num).unwrap_or(0)),
        };
        let body = tar(copy, uid, gid)?;
        // The owner is in the tar headers: the engine's copyUIDGID would look the user up in the
        // image's passwd file, which a scratch image does not have, and override uid/gid.
        let options = UploadToContainerOptions { path: "/".into(), ..Default::default() };
        docker
            .upload_to_container(id, Some(options), bollard::body_full(body.into()))
            .await
            .map_err(engine.err(&format!("Copying {} into the container", copy.target)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project(config: Value, env: &[(&str, &str)]) -> Project {
        Project {
            name: "p".into(),
            working_dir: "/".into(),
            config_files: vec![],
            sources: vec![],
            env_file: None,
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            active_profiles: vec![],
            profiles: vec![],
            disabled: vec![],
            config,
            warnings: vec![],
        }
    }

    #[test]
    fn targets_follow_compose() {
        assert_eq!(Kind::Secret.target("db", None), "/run/secrets/db");
        assert_eq!(Kind::Secret.target("db", Some("pw")), "/run/secrets/pw");
        assert_eq!(Kind::Secret.target("db", Some("/etc/pw")), "/etc/pw");
        assert_eq!(Kind::Config.target("app", None), "/app");
        assert_eq!(Kind::Config.target("app", Some("etc/app.conf")), "/etc/app.conf");
        assert_eq!(Kind::Config.target("app", Some("C:\\app.conf")), "C:\\app.conf");
    }

    #[test]
    fn files_are_mounted_and_values_copied() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw.txt");
        std::fs::write(&file, "s3cret").unwrap();
        let f = file.display().to_string();
        let p = project(
            json!({
                "secrets": {"pw": {"file": f}, "token": {"environment": "TOKEN"}},
                "configs": {"conf": {"content": "a=1"}, "other": {"file": f}},
            }),
            &[("TOKEN", "t0k")],
        );
        let svc = json!({
            "secrets": ["pw", {"source": "token", "target": "tok", "uid": "100", "gid": "101", "mode": "0440"}],
            "configs": [{"source": "conf", "target": "/etc/c.conf", "mode": 0o600}, "other"],
        });
        let out = files(&p, "web", &svc).unwrap();
        let targets: Vec<_> = out.mounts.iter().map(|m| (m.source.clone().unwrap(), m.target.clone().unwrap(), m.read_only)).collect();
        assert_eq!(targets, vec![(f.clone(), "/run/secrets/pw".to_string(), Some(true)), (f, "/other".to_string(), Some(true))]);
        assert_eq!(
            out.copies,
            vec![
                Copy {
                    target: "/run/secrets/tok".into(),
                    content: "t0k".into(),
                    uid: Some("100".into()),
                    gid: Some("101".into()),
                    mode: 0o440
                },
                Copy { target: "/etc/c.conf".into(), content: "a=1".into(), uid: None, gid: None, mode: 0o600 },
            ]
        );
        let entry = tar(&out.copies[0], 100, 101).unwrap();
        let mut archive = tar::Archive::new(entry.as_slice());
        let e = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(e.path().unwrap().to_str(), Some("run/secrets/tok"));
        assert_eq!((e.header().mode().unwrap(), e.header().uid().unwrap()), (0o440, 100));
    }

    #[test]
    fn missing_sources_are_sentences() {
        let p = project(
            json!({"secrets": {"pw": {"file": "/nowhere/pw.txt"}, "tok": {"environment": "NOPE"}, "ext": {"external": true}}}),
            &[],
        );
        let err = |s: Value| files(&p, "web", &json!({"secrets": [s]})).unwrap_err().to_string();
        assert_eq!(
            err(json!("pw")),
            "Secret \"pw\" reads the file /nowhere/pw.txt, which does not exist. Create it, or fix secrets.pw.file in the compose file."
        );
        assert!(err(json!("tok")).contains("environment variable NOPE, which is not set"));
        assert!(err(json!("ext")).contains("only Swarm provides"));
        assert!(err(json!("undefined")).contains("does not define"));
        let ro = project(json!({"configs": {"c": {"content": "x"}}}), &[]);
        assert!(files(&ro, "web", &json!({"read_only": true, "configs": ["c"]})).unwrap_err().to_string().contains("read-only"));
    }
}
