//! Pull, push and search against a real registry with htpasswd login (scripts/registry.sh),
//! with images built here and pushed there first; plus the failures a user meets.

use crate::support::{self, build_image, docker, enabled, ImageCleanup};
use berth_core::build;
use berth_core::images::{self, normalize, TransferEvent};
use berth_core::ErrorCode;
use std::process::Command;

/// Run a pull or push to the end, collecting its events.
async fn events(run: impl AsyncFnOnce(&mut dyn FnMut(TransferEvent))) -> Vec<TransferEvent> {
    let mut out = Vec::new();
    run(&mut |e| out.push(e)).await;
    out
}

fn failed(events: &[TransferEvent]) -> Option<&berth_core::error::ErrorPayload> {
    match events.last() {
        Some(TransferEvent::Failed { error }) => Some(error),
        _ => None,
    }
}

fn exists(name: &str) -> bool {
    Command::new("docker").args(["image", "inspect", name]).output().unwrap().status.success()
}

#[tokio::test]
async fn push_search_pull_remove_round_trip() {
    if !enabled("push_search_pull_remove_round_trip") {
        return;
    }
    let registry = support::registry();
    let engine = support::engine().await;
    let repo = format!("berth-core-rt-{}/app", std::process::id());
    let local = format!("berth-core-rt-{}:1", std::process::id());
    let remote = format!("{registry}/{repo}:1");
    let _cleanup = ImageCleanup(vec![local.clone(), remote.clone()]);
    build_image(&local, "RUN head -c 2000000 /dev/urandom > /a\nRUN head -c 1000000 /dev/urandom > /b");

    images::tag(&engine, &local, &remote).await.unwrap();
    let r = normalize(&remote).unwrap();
    let pushed = events(async |emit| images::push(&engine, &r, emit).await).await;
    assert!(matches!(pushed.last(), Some(TransferEvent::Done { .. })), "{pushed:#?}");
    assert!(pushed.iter().any(|e| matches!(e, TransferEvent::Progress(p) if p.bytes_total > 0)), "push reports bytes");
    // Per layer: each of the image's layers (the test image's two, then /a and /b) accounted for.
    let layers: usize = docker(&["image", "inspect", "-f", "{{len .RootFS.Layers}}", &local]).parse().unwrap();
    let last = pushed
        .iter()
        .rev()
        .find_map(|e| match e {
            TransferEvent::Progress(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!((last.layers_total as usize, last.layers_done as usize), (layers, layers), "{last:?}");
    assert!(last.layers.iter().filter(|l| l.total >= 1_000_000).count() >= 2, "the two big layers show their sizes: {last:?}");

    let repos = images::registry_repositories(&registry, &format!("berth-core-rt-{}", std::process::id())).await.unwrap();
    assert_eq!(repos, vec![repo.clone()]);
    assert_eq!(images::registry_tags(&registry, &repo).await.unwrap(), vec!["1".to_string()]);
    let e = images::registry_tags(&registry, "berth-core-none/nothing").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Registry, "{e}");

    docker(&["rmi", &remote, &local]);
    let pulled = events(async |emit| images::pull(&engine, &r, emit).await).await;
    assert_eq!(pulled.last(), Some(&TransferEvent::Done { reference: remote.clone() }), "{pulled:#?}");
    let last_progress = pulled
        .iter()
        .rev()
        .find_map(|e| match e {
            TransferEvent::Progress(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!(last_progress.fraction, 1.0, "{last_progress:?}");
    assert!(last_progress.layers_total >= 2);
    assert!(exists(&remote));

    images::remove(&engine, &remote, false).await.unwrap();
    assert!(!exists(&remote));
}

#[tokio::test]
async fn cancelled_pull_leaves_no_image() {
    if !enabled("cancelled_pull_leaves_no_image") {
        return;
    }
    let registry = support::registry();
    let engine = support::engine().await;
    let local = format!("berth-core-big-{}:1", std::process::id());
    let remote = format!("{registry}/berth-core-{}/big:1", std::process::id());
    let _cleanup = ImageCleanup(vec![local.clone(), remote.clone()]);
    let layers: String = (0..4).map(|i| format!("RUN head -c 30000000 /dev/urandom > /f{i}\n")).collect();
    build_image(&local, &layers);
    docker(&["tag", &local, &remote]);
    let r = normalize(&remote).unwrap();
    let pushed = events(async |emit| images::push(&engine, &r, emit).await).await;
    assert!(matches!(pushed.last(), Some(TransferEvent::Done { .. })), "{pushed:#?}");
    docker(&["rmi", &remote]);
    docker(&["rmi", &local]);

    // Drop the pull at its first byte of progress.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let pull = images::pull(&engine, &r, move |e| {
        if matches!(&e, TransferEvent::Progress(p) if p.bytes_done > 0) {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        }
    });
    tokio::select! {
        _ = pull => panic!("the pull finished before it could be cancelled"),
        _ = rx => {}
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!exists(&remote), "a cancelled pull must not leave {remote} tagged");
}

#[tokio::test]
async fn registry_failures_are_sentences() {
    if !enabled("registry_failures_are_sentences") {
        return;
    }
    let registry = support::registry();
    let engine = support::engine().await;

    // Wrong password: the same registry under the name the test login has a bad password for.
    let port = registry.rsplit(':').next().unwrap();
    let r = normalize(&format!("localhost:{port}/berth/nothing:1")).unwrap();
    let out = events(async |emit| images::pull(&engine, &r, emit).await).await;
    let e = failed(&out).expect("fails");
    assert_eq!(e.code, ErrorCode::Registry);
    assert!(e.message.contains("did not accept the saved user name and password"), "{}", e.message);
    let e = images::registry_repositories(&format!("localhost:{port}"), "").await.unwrap_err();
    assert!(e.to_string().contains("did not accept"), "{e}");

    // Unknown repository.
    let r = normalize(&format!("{registry}/berth/does-not-exist:1")).unwrap();
    let out = events(async |emit| images::pull(&engine, &r, emit).await).await;
    let e = failed(&out).expect("fails");
    assert!(e.message.contains("does not exist on"), "{}", e.message);

    // Nothing listens there.
    let r = normalize("127.0.0.1:1/berth/app:1").unwrap();
    let out = events(async |emit| images::pull(&engine, &r, emit).await).await;
    let e = failed(&out).expect("fails");
    assert!(e.message.starts_with("Cannot reach the registry 127.0.0.1:1."), "{}", e.message);
    let e = images::registry_repositories("127.0.0.1:1", "").await.unwrap_err();
    assert!(e.to_string().starts_with("Cannot reach the registry"), "{e}");

    // Pushing an image that is not here.
    let r = normalize(&format!("{registry}/berth/not-local:1")).unwrap();
    let out = events(async |emit| images::push(&engine, &r, emit).await).await;
    assert!(failed(&out).is_some(), "{out:#?}");
}

#[test]
fn malformed_references_are_refused_precisely() {
    for (input, says) in [
        ("Ubuntu", "must be lowercase"),
        ("ubuntu@sha256:abc", "not a valid image reference"),
        (&format!("ubuntu@sha256:{}", "a".repeat(40)), "wrong length"),
        ("ubuntu:", "not a valid image reference"),
        (":tag", "not a valid image reference"),
        (&format!("a/{}", "b".repeat(260)), "the limit is 255"),
    ] {
        let e = normalize(input).unwrap_err();
        assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("reference")));
        assert!(e.to_string().contains(says), "{input}: {e}");
    }
}

/// A Dockerfile `FROM` an image in the login-protected registry builds with both builders,
/// because the build sends the stored logins (X-Registry-Config) as the CLI does; the base image
/// is not on the engine beforehand, so the engine must pull it with them.
#[tokio::test]
async fn build_from_a_private_base_image() {
    if !enabled("build_from_a_private_base_image") {
        return;
    }
    let registry = support::registry();
    let engine = support::engine().await;
    let pid = std::process::id();
    let local = format!("berth-core-privbase-{pid}:1");
    let base = format!("{registry}/berth-core-{pid}/privbase:1");
    let built = format!("berth-core-fromprivate-{pid}");
    let _cleanup = ImageCleanup(vec![local.clone(), base.clone(), built.clone()]);
    build_image(&local, "RUN echo private > /marker");
    images::tag(&engine, &local, &base).await.unwrap();
    let pushed = events(async |emit| images::push(&engine, &normalize(&base).unwrap(), emit).await).await;
    assert!(matches!(pushed.last(), Some(TransferEvent::Done { .. })), "{pushed:#?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {base}\nRUN cat /marker > /copied\n")).unwrap();
    for builder in [build::Builder::Classic, build::Builder::BuildKit] {
        docker(&["rmi", "-f", &base, &local, &built]);
        assert!(!exists(&base), "the base image must come from the registry");
        let request = build::BuildRequest {
            folder: dir.path().to_path_buf(),
            dockerfile: "Dockerfile".into(),
            tags: vec![built.clone()],
            builder: Some(builder),
            ..Default::default()
        };
        let result = build::build(&engine, &request, |_| {}).await;
        assert!(result.is_ok(), "{builder:?}: {}", result.err().map(|e| e.to_string()).unwrap_or_default());
        let out = docker(&["run", "--rm", &built, "cat", "/copied"]);
        assert_eq!(out, "private", "{builder:?}");
    }

    // "Always pull" with BuildKit pulls the bases afresh; a base the registry lacks is named
    // with its line.
    let mut request = build::BuildRequest {
        folder: dir.path().to_path_buf(),
        dockerfile: "Dockerfile".into(),
        tags: vec![built.clone()],
        pull: true,
        ..Default::default()
    };
    build::build(&engine, &request, |_| {}).await.unwrap();
    std::fs::write(dir.path().join("Dockerfile"), format!("FROM {registry}/berth-core-{pid}/absent:1\nRUN true\n")).unwrap();
    request.pull = false;
    let e = build::build(&engine, &request, |_| {}).await.unwrap_err().to_string();
    assert!(e.contains("absent:1") && e.contains("(line 1) could not be pulled"), "{e}");
}
