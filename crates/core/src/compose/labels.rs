//! The labels of a project's containers, networks and volumes, as Compose v2 writes them (the
//! keys are in [`crate::objects::labels`]), and the config hash that tells a changed service.

use super::Project;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub use crate::objects::labels::*;

/// Attributes that do not change a running container (Compose leaves them out of the hash too).
const UNHASHED: &[&str] = &["build", "pull_policy", "scale", "depends_on", "profiles", "develop"];

/// A stable hash of what a container of this service is made from; a change means recreate.
pub fn config_hash(svc: &Value) -> String {
    let mut v = svc.clone();
    if let Some(m) = v.as_object_mut() {
        for k in UNHASHED {
            m.remove(*k);
        }
        if let Some(d) = m.get_mut("deploy").and_then(Value::as_object_mut) {
            d.remove("replicas");
        }
    }
    // serde_json maps are sorted, so the text is canonical.
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

pub fn container(p: &Project, service: &str, number: u32, hash: &str, image_id: &str, svc: &Value) -> BTreeMap<String, String> {
    let files: Vec<String> = p.config_files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    let depends: Vec<String> = svc
        .get("depends_on")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, d)| format!("{k}:{}:{}", d["condition"].as_str().unwrap_or("service_started"), d["restart"].as_bool().unwrap_or(false)))
        .collect();
    let mut l = BTreeMap::from([
        (PROJECT.to_string(), p.name.clone()),
        (SERVICE.into(), service.to_string()),
        (NUMBER.into(), number.to_string()),
        (ONEOFF.into(), "False".into()),
        (CONFIG_HASH.into(), hash.to_string()),
        (WORKING_DIR.into(), p.working_dir.to_string_lossy().into_owned()),
        (CONFIG_FILES.into(), files.join(",")),
        (DEPENDS_ON.into(), depends.join(",")),
        (IMAGE.into(), image_id.to_string()),
        (VERSION.into(), BERTH_VERSION.into()),
    ]);
    if let Some(env) = &p.env_file {
        l.insert(ENV_FILE.into(), env.to_string_lossy().into_owned());
    }
    l
}

/// Labels of a project network or volume (`kind_label` is [`NETWORK`] or [`VOLUME`]).
pub fn resource(project: &str, kind_label: &str, key: &str, own: Option<&Value>) -> std::collections::HashMap<String, String> {
    let mut l: std::collections::HashMap<String, String> = own
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    l.insert(PROJECT.into(), project.into());
    l.insert(kind_label.into(), key.into());
    l.insert(VERSION.into(), BERTH_VERSION.into());
    l
}
