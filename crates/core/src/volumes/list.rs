//! The volume list: each volume with the containers that mount it, its compose project and size.

use super::model::{VolumeSummary, VolumeUser};
use crate::containers::{is_helper, listed_name, listed_running};
use crate::engine::direct::Direct;
use crate::error::Result;
use crate::objects::labels::PROJECT;
use crate::Engine;
use bollard::models::{ContainerSummary, Volume};
use bollard::query_parameters::{DataUsageOptions, ListContainersOptions, ListVolumesOptions};
use std::collections::HashMap;

/// Every volume, with the sizes last measured on this connection (None before [`measure`]):
/// measuring walks every volume's files, too slow to repeat on every change.
pub async fn list(engine: &Engine) -> Result<Vec<VolumeSummary>> {
    let docker = engine.docker();
    let (volumes, containers) = tokio::try_join!(
        docker.list_volumes(None::<ListVolumesOptions>),
        docker.list_containers(Some(ListContainersOptions { all: true, ..Default::default() })),
    )
    .map_err(engine.err("volumes"))?;
    let users = users(&containers);
    let sizes = measured(engine);
    let mut list: Vec<VolumeSummary> = volumes
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            let size = sizes.get(&v.name).copied();
            summary(v, &users, size)
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

pub(super) fn summary(v: Volume, users: &HashMap<String, Vec<VolumeUser>>, size: Option<i64>) -> VolumeSummary {
    VolumeSummary {
        containers: users.get(&v.name).cloned().unwrap_or_default(),
        compose_project: v.labels.get(PROJECT).cloned(),
        labels: v.labels.into_iter().collect(),
        created: v.created_at.unwrap_or_default(),
        name: v.name,
        driver: v.driver,
        mountpoint: v.mountpoint,
        size,
    }
}

/// Volume name → the containers that mount it.
pub(super) fn users(containers: &[ContainerSummary]) -> HashMap<String, Vec<VolumeUser>> {
    let mut users: HashMap<String, Vec<VolumeUser>> = HashMap::new();
    for c in containers.iter().filter(|c| !is_helper(c)) {
        let (name, running) = (listed_name(c), listed_running(c));
        for m in c.mounts.iter().flatten().filter(|m| m.typ.as_deref() == Some("volume")) {
            let Some(volume) = &m.name else { continue };
            users.entry(volume.clone()).or_default().push(VolumeUser {
                id: c.id.clone().unwrap_or_default(),
                name: name.clone(),
                running,
                destination: m.destination.clone().unwrap_or_default(),
            });
        }
    }
    users
}

/// Measure every volume (one disk-usage query), keep the sizes for later lists, and list.
pub async fn measure(engine: &Engine) -> Result<Vec<VolumeSummary>> {
    let sizes = sizes(engine).await;
    *engine.volume_sizes.lock().unwrap() = Some(sizes);
    list(engine).await
}

/// The sizes last measured on this connection.
pub(super) fn measured(engine: &Engine) -> HashMap<String, i64> {
    engine.volume_sizes.lock().unwrap().clone().unwrap_or_default()
}

/// Volume name → bytes, as `docker system df -v` measures them. Engines before API 1.52 answer
/// in a shape bollard's model no longer has, so Berth reads that answer itself when it can. A
/// failure only costs the sizes, never the list.
async fn sizes(engine: &Engine) -> HashMap<String, i64> {
    let version = engine.docker().client_version();
    // Only volumes are measured when the engine understands `type` (API 1.42); older ones measure all.
    let typed = (version.major_version, version.minor_version) >= (1, 42);
    let answer = match Direct::of(engine) {
        Some(direct) => direct.get_json(engine, if typed { "/system/df?type=volume" } else { "/system/df" }).await,
        None => {
            let options = DataUsageOptions { _type: typed.then(|| vec!["volume".into()]), verbose: false };
            engine
                .docker()
                .df(Some(options))
                .await
                .map_err(engine.err("disk usage"))
                .and_then(|r| serde_json::to_value(r).map_err(|e| crate::Error::Internal(e.to_string())))
        }
    };
    match answer {
        Ok(json) => sizes_from(&json),
        Err(e) => {
            tracing::warn!(%e, "could not measure volumes");
            HashMap::new()
        }
    }
}

fn sizes_from(df: &serde_json::Value) -> HashMap<String, i64> {
    let items = df.get("VolumeUsage").and_then(|u| u.get("Items")).or_else(|| df.get("Volumes"));
    items
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let name = v.get("Name")?.as_str()?.to_string();
            // -1: the engine did not measure it.
            let size = v.get("UsageData")?.get("Size")?.as_i64().filter(|s| *s >= 0)?;
            Some((name, size))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_read_both_answer_shapes() {
        let legacy =
            json!({"Volumes": [{"Name": "a", "UsageData": {"Size": 10, "RefCount": 1}}, {"Name": "b", "UsageData": {"Size": -1}}]});
        assert_eq!(sizes_from(&legacy), HashMap::from([("a".to_string(), 10)]));
        let current = json!({"VolumeUsage": {"TotalSize": 7, "Items": [{"Name": "c", "UsageData": {"Size": 7}}]}});
        assert_eq!(sizes_from(&current), HashMap::from([("c".to_string(), 7)]));
        assert!(sizes_from(&json!({})).is_empty());
    }
}
