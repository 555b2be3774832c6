//! Local images: list, tag, remove (in use, force), prune estimate, details, save/load, commit,
//! and Docker Hub's offline answer.

use crate::support::{self, build_image, docker, enabled, ImageCleanup};
use berth_core::images::{self, CommitSpec, PruneScope};
use berth_core::ErrorCode;

#[tokio::test]
async fn list_details_tag_and_remove_in_use() {
    if !enabled("list_details_tag_and_remove_in_use") {
        return;
    }
    let engine = support::engine().await;
    let name = format!("berth-core-img-{}:1", std::process::id());
    let alias = format!("berth-core-img-{}:alias", std::process::id());
    let _cleanup = ImageCleanup(vec![name.clone(), alias.clone()]);
    build_image(&name, "EXPOSE 8080/tcp\nENV GREETING=hi\nRUN head -c 3000000 /dev/urandom > /big\nCMD [\"httpd\", \"-f\"]");

    let row = images::list(&engine).await.unwrap().into_iter().find(|i| i.repo_tags.contains(&name)).expect("listed");
    assert!(!row.dangling && row.size > 3_000_000, "{row:?}");

    let d = images::details(&engine, &name).await.unwrap();
    assert_eq!(d.exposed_ports, vec!["8080/tcp".to_string()]);
    assert!(d.env.contains(&"GREETING=hi".to_string()));
    assert_eq!(d.cmd, vec!["httpd".to_string(), "-f".to_string()]);
    let biggest = d.layers.iter().max_by_key(|l| l.size).unwrap();
    assert!(biggest.instruction.starts_with("RUN head -c 3000000"), "{:?}", d.layers);

    assert_eq!(images::tag(&engine, &name, &alias).await.unwrap(), alias);
    let e = images::tag(&engine, &name, "Bad/Name").await.unwrap_err();
    assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("reference")));

    let c = support::name("img-user");
    let _container = support::Cleanup(c.clone());
    docker(&["create", "--name", &c, "--label", support::run_label(), &name]);
    let e = images::remove(&engine, &row.id, false).await.unwrap_err();
    assert!(e.to_string().contains("several names"), "{e}");
    images::remove(&engine, &alias, false).await.unwrap();
    let e = images::remove(&engine, &name, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains(&c), "names the container: {e}");
    let counted = images::list(&engine).await.unwrap().into_iter().find(|i| i.id == row.id).unwrap();
    assert_eq!(counted.containers, 1);

    images::remove(&engine, &name, true).await.unwrap();
    assert!(images::list(&engine).await.unwrap().iter().all(|i| i.id != row.id));
}

#[tokio::test]
async fn prune_estimate_counts_dangling_images() {
    if !enabled("prune_estimate_counts_dangling_images") {
        return;
    }
    let engine = support::engine().await;
    let name = format!("berth-core-dangle-{}:1", std::process::id());
    let _cleanup = ImageCleanup(vec![name.clone()]);
    let first = build_image(&name, "RUN echo one > /v");
    let old_id = docker(&["image", "inspect", "-f", "{{.Id}}", &first]);
    build_image(&name, "RUN echo two > /v");
    let _old = ImageCleanup(vec![old_id.clone()]);
    // Other tests make and drop dangling images on the same engine meanwhile: take the list and
    // the estimate again until no build or removal fell between the two.
    let mut tries = 0;
    let (whole, estimate) = loop {
        let whole: i64 = images::list(&engine).await.unwrap().iter().filter(|i| i.dangling && i.containers == 0).map(|i| i.size).sum();
        let estimate = images::prune_estimate(&engine, PruneScope::Dangling, &[]).await.unwrap();
        let settled = if estimate.upper_bound { estimate.bytes == whole } else { estimate.bytes < whole };
        tries += 1;
        if settled || tries == 10 {
            break (whole, estimate);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(!estimate.images.is_empty(), "{estimate:?}");
    // The old build shares the test image's layers, which a prune leaves: they are not counted
    // when the engine says what is shared (API 1.42 and later).
    if estimate.upper_bound {
        assert_eq!(estimate.bytes, whole, "{estimate:?}");
    } else {
        assert!(estimate.bytes < whole, "{estimate:?} counts shared layers ({whole} B in all)");
    }
    let unused = images::prune_estimate(&engine, PruneScope::Unused, &[]).await.unwrap();
    assert!(unused.images.len() >= estimate.images.len() && unused.bytes >= estimate.bytes);
}

#[tokio::test]
async fn save_load_and_commit() {
    if !enabled("save_load_and_commit") {
        return;
    }
    let engine = support::engine().await;
    let pid = std::process::id();
    let name = format!("berth-core-save-{pid}:1");
    let committed = format!("berth-core-commit-{pid}:snap");
    let _cleanup = ImageCleanup(vec![name.clone(), committed.clone()]);
    build_image(&name, "RUN echo saved > /marker");

    let dir = tempfile::tempdir().unwrap();
    let tar = dir.path().join("images.tar");
    let mut updates = 0;
    let bytes = images::save(&engine, std::slice::from_ref(&name), &tar, |_| updates += 1).await.unwrap();
    assert!(bytes > 0 && updates >= 1 && std::fs::metadata(&tar).unwrap().len() == bytes);
    docker(&["rmi", &name]);
    let loaded = images::load(&engine, &tar, |_| {}).await.unwrap();
    assert_eq!(loaded, vec![name.clone()]);

    // A failed save keeps what was at the path and leaves no partial file behind.
    let kept = dir.path().join("kept.tar");
    std::fs::write(&kept, b"keep").unwrap();
    assert!(images::save(&engine, &[format!("berth-core-absent-{pid}:1")], &kept, |_| {}).await.is_err());
    assert_eq!(std::fs::read(&kept).unwrap(), b"keep");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "only images.tar and kept.tar");

    let bad = dir.path().join("bad.tar");
    std::fs::write(&bad, b"not a tar").unwrap();
    assert!(images::load(&engine, &bad, |_| {}).await.is_err());

    let c = support::name("commit");
    let _container = support::Cleanup(c.clone());
    docker(&["run", "--name", &c, "--label", support::run_label(), &name, "sh", "-c", "echo changed > /marker"]);
    let spec = CommitSpec {
        container: c.clone(),
        repository: committed.split(':').next().unwrap().into(),
        tag: "snap".into(),
        message: "a snapshot".into(),
        author: "Berth tests".into(),
    };
    let e = images::commit(&engine, &CommitSpec { tag: "v 1".into(), ..spec.clone() }).await.unwrap_err();
    assert_eq!((e.field(), e.to_string().starts_with("“v 1” is not a valid tag")), (Some("tag"), true), "{e}");
    let e = images::commit(&engine, &CommitSpec { repository: "Team/App".into(), ..spec.clone() }).await.unwrap_err();
    assert_eq!((e.field(), e.to_string().contains("must be lowercase")), (Some("repository"), true), "{e}");
    let e = images::commit(&engine, &CommitSpec { repository: "team/app:1".into(), ..spec.clone() }).await.unwrap_err();
    assert_eq!(e.field(), Some("repository"), "{e}");
    assert_eq!(images::commit(&engine, &spec).await.unwrap(), committed);
    let out = docker(&["run", "--rm", &committed, "cat", "/marker"]);
    assert_eq!(out, "changed");
    let author = docker(&["image", "inspect", "-f", "{{.Author}}", &committed]);
    assert_eq!(author, "Berth tests");
}

#[tokio::test]
async fn hub_search_offline_says_so() {
    if !enabled("hub_search_offline_says_so") {
        return;
    }
    let engine = support::engine().await;
    let e = images::search_hub(&engine, "nginx").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Registry, "{e:?}");
    assert!(e.to_string().starts_with("Docker Hub cannot be reached"), "{e}");
}

#[tokio::test]
async fn prune_removes_exactly_what_was_confirmed() {
    if !enabled("image_prune_removes_exactly_what_was_confirmed") {
        return;
    }
    let engine = support::engine().await;
    let tag = format!("berth-core-exact-{}:1", std::process::id());
    let only = vec![format!("berth.test.image={tag}")];
    // Each build of the same tag leaves the previous one dangling.
    let mut ids = Vec::new();
    let mut build = |n: usize| {
        build_image(&tag, &format!("RUN echo {n} > /v"));
        ids.push(docker(&["image", "inspect", "-f", "{{.Id}}", &tag]));
        ids.last().unwrap().clone()
    };
    let (v1, v2, v3) = (build(1), build(2), build(3));
    let _cleanup = ImageCleanup(vec![tag.clone(), v1.clone(), v2.clone(), v3.clone()]);
    let mut estimate = images::prune_estimate(&engine, PruneScope::Dangling, &only).await.unwrap();
    estimate.images.sort();
    let mut want = vec![v1.clone(), v2.clone()];
    want.sort();
    assert_eq!(estimate.images, want);

    // After the confirmation: a container takes a listed image, and a new build leaves v3 dangling.
    let user = support::name("image-taker");
    let _container = support::Cleanup(user.clone());
    docker(&["create", "--name", &user, "--label", support::run_label(), &v2, "true"]);
    let v4 = build(4);
    let _v4 = ImageCleanup(vec![v4]);

    let report = images::prune(&engine, PruneScope::Dangling, &estimate.images).await.unwrap();
    assert_eq!(report.images, vec![v1.clone()], "{report:?}");
    assert_eq!(report.changes.kept.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(), [&v2[7..19]], "{report:?}");
    assert!(report.changes.appeared.iter().any(|a| a == &v3[7..19]), "{report:?}");
    let left: Vec<String> = images::list(&engine).await.unwrap().into_iter().map(|i| i.id).collect();
    assert!(!left.contains(&v1) && left.contains(&v2) && left.contains(&v3));
}
