//! Volumes: create (and its refusals), list with users and size, in-use refusal naming the
//! container, remove, a prune whose estimate matches what it reclaims, and browsing its files.

use crate::support::{self, docker, enabled, Cleanup, IMAGE};
use berth_core::volumes::{self, FileKind, VolumeSpec};
use berth_core::ErrorCode;
use std::collections::BTreeMap;

/// Removes volumes when dropped, even if the test panicked.
struct VolumeCleanup(Vec<String>);

impl Drop for VolumeCleanup {
    fn drop(&mut self) {
        for v in &self.0 {
            let _ = std::process::Command::new("docker").args(["volume", "rm", "-f", v]).output();
        }
    }
}

fn spec(name: &str, labels: &[(&str, &str)]) -> VolumeSpec {
    let mut labels: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (k, v) = support::run_label().split_once('=').unwrap();
    labels.insert(k.into(), v.into());
    VolumeSpec { name: name.into(), labels, ..Default::default() }
}

#[tokio::test]
async fn create_list_in_use_and_remove() {
    if !enabled("create_list_in_use_and_remove") {
        return;
    }
    let engine = support::engine().await;
    let name = support::name("bvol");
    let _volumes = VolumeCleanup(vec![name.clone()]);
    let made = volumes::create(&engine, spec(&name, &[("com.docker.compose.project", "bvolproj")])).await.unwrap();
    assert_eq!((made.driver.as_str(), made.compose_project.as_deref()), ("local", Some("bvolproj")));

    let e = volumes::create(&engine, spec(&name, &[])).await.unwrap_err();
    assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("name")));
    assert!(e.to_string().contains("already exists"), "{e}");
    let e = volumes::create(&engine, spec("no spaces", &[])).await.unwrap_err();
    assert_eq!(e.field(), Some("name"));
    let other = support::name("bvol-opts");
    let _other = VolumeCleanup(vec![other.clone()]);
    let bad_opt = VolumeSpec { driver_opts: [("foo".to_string(), "bar".to_string())].into(), ..spec(&other, &[]) };
    let e = volumes::create(&engine, bad_opt).await.unwrap_err();
    assert_eq!(e.field(), Some("driverOpts"), "{e}");
    let bad_driver = VolumeSpec { driver: "bvol-no-such-driver".into(), ..spec(&other, &[]) };
    let e = volumes::create(&engine, bad_driver).await.unwrap_err();
    assert_eq!(e.field(), Some("driver"), "{e}");

    let user = support::name("bvol-user");
    let _container = Cleanup(user.clone());
    let mount = format!("{name}:/data");
    docker(&["run", "--name", &user, "--label", support::run_label(), "-v", &mount, IMAGE, "sh", "-c", "head -c 300000 /dev/zero > /data/blob"]);

    let row = volumes::list(&engine).await.unwrap().into_iter().find(|v| v.name == name).expect("listed");
    assert_eq!(row.containers.iter().map(|c| (c.name.as_str(), c.running, c.destination.as_str())).collect::<Vec<_>>(), [(user.as_str(), false, "/data")]);
    assert!(row.size.is_some_and(|s| s >= 300_000), "measured: {row:?}");
    assert!(!row.mountpoint.is_empty() && !row.created.is_empty());

    let details = volumes::inspect(&engine, &name).await.unwrap();
    assert_eq!(details.summary.containers.len(), 1);
    assert!(details.raw.contains(&name));

    let e = volumes::remove(&engine, &name).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains(&user) && e.to_string().contains("stopped container"), "{e}");

    docker(&["rm", &user]);
    volumes::remove(&engine, &name).await.unwrap();
    assert!(volumes::list(&engine).await.unwrap().iter().all(|v| v.name != name));
    let e = volumes::remove(&engine, &name).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn prune_estimate_matches_what_goes() {
    if !enabled("prune_estimate_matches_what_goes") {
        return;
    }
    let engine = support::engine().await;
    let (unused, used) = (support::name("bvol-unused"), support::name("bvol-used"));
    let _volumes = VolumeCleanup(vec![unused.clone(), used.clone()]);
    // Only this test's volumes: the engine is shared, prune must never touch anything else.
    let only = vec![format!("bvol.prune={}", std::process::id())];
    let mark = [("bvol.prune", std::process::id().to_string())];
    let labels: Vec<(&str, &str)> = mark.iter().map(|(k, v)| (*k, v.as_str())).collect();
    volumes::create(&engine, spec(&unused, &labels)).await.unwrap();
    volumes::create(&engine, spec(&used, &labels)).await.unwrap();
    let user = support::name("bvol-holder");
    let _container = Cleanup(user.clone());
    let mount = format!("{used}:/data");
    docker(&["run", "--name", &user, "--label", support::run_label(), "-v", &mount, IMAGE, "sh", "-c", "true"]);
    let unused_mount = format!("{unused}:/data");
    docker(&["run", "--rm", "-v", &unused_mount, IMAGE, "sh", "-c", "head -c 200000 /dev/zero > /data/blob"]);

    let estimate = volumes::prune_estimate(&engine, &only).await.unwrap();
    assert_eq!(estimate.volumes, vec![unused.clone()]);
    assert!(estimate.bytes >= 200_000, "{estimate:?}");
    let report = volumes::prune(&engine, &only).await.unwrap();
    assert_eq!(report.volumes, vec![unused.clone()]);
    assert!(report.bytes >= 200_000, "{report:?}");
    let left: Vec<String> = volumes::list(&engine).await.unwrap().into_iter().map(|v| v.name).collect();
    assert!(left.contains(&used) && !left.contains(&unused));
}

#[tokio::test]
async fn browse_lists_files_without_running_anything() {
    if !enabled("browse_lists_files_without_running_anything") {
        return;
    }
    let engine = support::engine().await;
    let name = support::name("bvol-browse");
    let _volumes = VolumeCleanup(vec![name.clone()]);
    volumes::create(&engine, spec(&name, &[])).await.unwrap();
    let mount = format!("{name}:/data");
    docker(&["run", "--rm", "-v", &mount, IMAGE, "sh", "-c", "mkdir -p /data/conf && printf hello > /data/conf/app.ini && ln -s conf/app.ini /data/link"]);

    let files = volumes::browse(&engine, &name).await.unwrap();
    let listed: Vec<(&str, FileKind, u64)> = files.entries.iter().map(|f| (f.path.as_str(), f.kind, f.size)).collect();
    assert_eq!(listed, [("conf", FileKind::Dir, 0), ("conf/app.ini", FileKind::File, 5), ("link", FileKind::Symlink, 0)]);
    assert_eq!(files.entries[2].link.as_deref(), Some("conf/app.ini"));
    assert!(!files.truncated && !files.image.is_empty());
    let helpers = docker(&["ps", "-aq", "--filter", "label=berth.helper=volume-browse", "--filter", &format!("volume={name}")]);
    assert!(helpers.is_empty(), "the helper container is removed: {helpers}");

    let e = volumes::browse(&engine, "bvol-no-such-volume").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}
