//! Volumes: create (and its refusals), list with users and size, in-use refusal naming the
//! container, remove, a prune whose estimate matches what it reclaims, and browsing its files.

use crate::relay::Relay;
use crate::support::{self, docker, enabled, Cleanup, IMAGE};
use berth_core::engine::{Environment, Pump};
use berth_core::volumes::{self, FileKind, VolumeSpec};
use berth_core::ErrorCode;
use std::collections::{BTreeMap, HashMap};

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
    docker(&[
        "run",
        "--name",
        &user,
        "--label",
        support::run_label(),
        "-v",
        &mount,
        IMAGE,
        "sh",
        "-c",
        "head -c 300000 /dev/zero > /data/blob",
    ]);

    let row = volumes::measure(&engine).await.unwrap().into_iter().find(|v| v.name == name).expect("listed");
    assert_eq!(
        row.containers.iter().map(|c| (c.name.as_str(), c.running, c.destination.as_str())).collect::<Vec<_>>(),
        [(user.as_str(), false, "/data")]
    );
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
    let report = volumes::prune(&engine, &estimate.volumes).await.unwrap();
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
    docker(&[
        "run",
        "--rm",
        "-v",
        &mount,
        IMAGE,
        "sh",
        "-c",
        "mkdir -p /data/conf && printf hello > /data/conf/app.ini && ln -s conf/app.ini /data/link",
    ]);

    let files = volumes::browse(&engine, &name).await.unwrap();
    let listed: Vec<(&str, FileKind, u64)> = files.entries.iter().map(|f| (f.path.as_str(), f.kind, f.size)).collect();
    assert_eq!(listed, [("conf", FileKind::Dir, 0), ("conf/app.ini", FileKind::File, 5), ("link", FileKind::Symlink, 0)]);
    assert_eq!(files.entries[2].link.as_deref(), Some("conf/app.ini"));
    assert!(files.partial.is_none() && !files.image.is_empty());
    let helpers = docker(&["ps", "-aq", "--filter", "label=berth.helper=volume-browse", "--filter", &format!("volume={name}")]);
    assert!(helpers.is_empty(), "the helper container is removed: {helpers}");

    let e = volumes::browse(&engine, "bvol-no-such-volume").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn prune_removes_exactly_what_was_confirmed() {
    if !enabled("prune_removes_exactly_what_was_confirmed") {
        return;
    }
    let engine = support::engine().await;
    let (gone, taken, late) = (support::name("bvol-confirmed"), support::name("bvol-taken"), support::name("bvol-late"));
    let _volumes = VolumeCleanup(vec![gone.clone(), taken.clone(), late.clone()]);
    let only = vec![format!("bvol.exact={}", std::process::id())];
    let mark = [("bvol.exact", std::process::id().to_string())];
    let labels: Vec<(&str, &str)> = mark.iter().map(|(k, v)| (*k, v.as_str())).collect();
    volumes::create(&engine, spec(&gone, &labels)).await.unwrap();
    volumes::create(&engine, spec(&taken, &labels)).await.unwrap();
    let estimate = volumes::prune_estimate(&engine, &only).await.unwrap();
    assert_eq!(estimate.volumes, vec![gone.clone(), taken.clone()]);

    // After the confirmation: a new unused volume appears, and a listed one is taken into use.
    volumes::create(&engine, spec(&late, &labels)).await.unwrap();
    let user = support::name("bvol-taker");
    let _container = Cleanup(user.clone());
    docker(&["create", "--name", &user, "--label", support::run_label(), "-v", &format!("{taken}:/data"), IMAGE, "true"]);

    let report = volumes::prune(&engine, &estimate.volumes).await.unwrap();
    assert_eq!(report.volumes, vec![gone.clone()]);
    assert_eq!(report.changes.kept.len(), 1, "{report:?}");
    assert_eq!(report.changes.kept[0].name, taken);
    assert!(report.changes.kept[0].why.contains(&user), "{report:?}");
    assert!(report.changes.appeared.contains(&late), "{report:?}");
    assert!(report.changes.notes.iter().any(|n| n.starts_with("1 volume was not removed")), "{report:?}");
    let left: Vec<String> = volumes::list(&engine).await.unwrap().into_iter().map(|v| v.name).collect();
    assert!(left.contains(&late) && left.contains(&taken) && !left.contains(&gone), "{left:?}");
}

#[tokio::test]
async fn browse_of_a_large_volume_is_partial_and_bounded() {
    if !enabled("browse_of_a_large_volume_is_partial_and_bounded") {
        return;
    }
    let engine = support::engine().await;
    let name = support::name("bvol-big");
    let _volumes = VolumeCleanup(vec![name.clone()]);
    volumes::create(&engine, spec(&name, &[])).await.unwrap();
    let mount = format!("{name}:/data");
    // More data than the browser reads (64 MiB), in one file, then small ones after it.
    docker(&["run", "--rm", "-v", &mount, IMAGE, "sh", "-c", "head -c 100000000 /dev/zero > /data/a-big && touch /data/b /data/c"]);
    let start = std::time::Instant::now();
    let files = volumes::browse(&engine, &name).await.unwrap();
    assert!(start.elapsed() < std::time::Duration::from_secs(60), "took {:?}", start.elapsed());
    assert!(files.partial.as_deref().is_some_and(|p| p.contains("MiB")), "the listing says it is partial: {files:?}");
    assert_eq!(files.entries.first().map(|f| f.path.as_str()), Some("a-big"));
    let helpers = docker(&["ps", "-aq", "--filter", "label=berth.helper=volume-browse", "--filter", &format!("volume={name}")]);
    assert!(helpers.is_empty(), "the helper container is removed: {helpers}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_browse_leaves_no_helper() {
    if !enabled("cancelled_browse_leaves_no_helper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The archive download never answers: the browse waits until it is cancelled.
    let relay = Relay::start(dir.path(), &["/archive"]);
    let engine = relay.engine().await;
    let name = support::name("bvol-cancel");
    let _volumes = VolumeCleanup(vec![name.clone()]);
    volumes::create(&engine, spec(&name, &[])).await.unwrap();
    let browsing = tokio::spawn({
        let (engine, name) = (engine.clone(), name.clone());
        async move { volumes::browse(&engine, &name).await }
    });
    let helpers = || docker(&["ps", "-aq", "--filter", "label=berth.helper=volume-browse", "--filter", &format!("volume={name}")]);
    support::until(30, "the helper container", async || (!helpers().is_empty()).then_some(())).await;
    until_count(&relay, "/archive").await;
    browsing.abort();
    assert!(browsing.await.unwrap_err().is_cancelled());
    support::until(30, "the helper to be removed", async || helpers().is_empty().then_some(())).await;
}

async fn until_count(relay: &Relay, needle: &str) {
    support::until(30, needle, async || (relay.count(needle) > 0).then_some(())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_helpers_are_removed_on_connect() {
    if !enabled("stale_helpers_are_removed_on_connect") {
        return;
    }
    let engine = support::engine().await;
    let name = support::name("bvol-stale");
    let _volumes = VolumeCleanup(vec![name.clone()]);
    volumes::create(&engine, spec(&name, &[])).await.unwrap();
    // What a crash in the middle of a browse leaves: a helper, hidden from every list, whose time is up.
    let helper = support::name("bvol-stale-helper");
    let _helper = Cleanup(helper.clone());
    docker(&[
        "create",
        "--name",
        &helper,
        "--label",
        support::run_label(),
        "--label",
        "berth.helper=volume-browse",
        "--label",
        "berth.helper.expires=1",
        "-v",
        &format!("{name}:/volume:ro"),
        IMAGE,
        "true",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let env = Environment {
        vars: HashMap::from([("DOCKER_HOST".to_string(), format!("unix://{}", support::socket()))]),
        home: Some(dir.path().to_path_buf()),
        root: dir.path().to_path_buf(),
        os: berth_core::platform::Os::CURRENT,
    };
    let pump = Pump::start(env, |_| {});
    pump.connected(std::time::Duration::from_secs(10)).await.expect("connects");
    let gone = || docker(&["ps", "-aq", "--filter", &format!("name={helper}")]).is_empty();
    support::until(30, "the stale helper to be removed", async || gone().then_some(())).await;
    volumes::remove(&engine, &name).await.unwrap();
}
