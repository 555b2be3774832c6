use super::support::*;
use berth_core::containers::{self, ContainerAction, ContainerState};
use berth_core::ErrorCode;

#[tokio::test]
async fn list_shows_a_cli_container_with_its_ports_and_compose_labels() {
    if !enabled("list_shows_a_cli_container") {
        return;
    }
    let engine = engine().await;
    let name = name("list");
    let id = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        run_label(),
        "--label",
        "com.docker.compose.project=shop",
        "--label",
        "com.docker.compose.service=web",
        "-p",
        "127.0.0.1::80",
        IMAGE,
        "httpd",
        "-f",
        "-p",
        "80",
    ]);
    let _c = Cleanup(id.clone());
    let list = containers::list(&engine).await.unwrap();
    let row = list.iter().find(|c| c.id == id).expect("the container is listed");
    assert_eq!(row.name, name);
    assert_eq!(row.image, IMAGE);
    assert_eq!(row.state, ContainerState::Running);
    assert!(row.status.starts_with("Up"), "{}", row.status);
    assert_eq!(row.compose_project.as_deref(), Some("shop"));
    assert_eq!(row.compose_service.as_deref(), Some("web"));
    assert_eq!(row.ports.len(), 1);
    assert_eq!(row.ports[0].private_port, 80);
    assert!(row.ports[0].public_port.is_some(), "a random host port was published");
}

#[tokio::test]
async fn lifecycle_actions_change_the_state() {
    if !enabled("lifecycle_actions_change_the_state") {
        return;
    }
    let engine = engine().await;
    let name = name("life");
    let id = run_sh(&name, "sleep 300");
    let _c = Cleanup(id.clone());
    let state = || async { containers::inspect(&engine, &id).await.unwrap().summary.state };

    containers::act(&engine, &id, ContainerAction::Pause).await.unwrap();
    assert_eq!(state().await, ContainerState::Paused);
    containers::act(&engine, &id, ContainerAction::Unpause).await.unwrap();
    assert_eq!(state().await, ContainerState::Running);
    containers::act(&engine, &id, ContainerAction::Kill).await.unwrap();
    assert_eq!(state().await, ContainerState::Exited);
    containers::act(&engine, &id, ContainerAction::Start).await.unwrap();
    assert_eq!(state().await, ContainerState::Running);
    containers::act(&engine, &id, ContainerAction::Restart).await.unwrap();
    assert_eq!(state().await, ContainerState::Running);

    // Removing a running container without force is refused in words; with force it goes.
    let err = containers::remove(&engine, &id, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("stop it first, or remove it with force"), "{err}");
    containers::remove(&engine, &id, true).await.unwrap();
    let err = containers::inspect(&engine, &id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn rename_changes_the_name_and_refuses_a_taken_or_bad_one() {
    if !enabled("rename_changes_the_name") {
        return;
    }
    let engine = engine().await;
    let (first, second) = (name("ren-a"), name("ren-b"));
    let id = run_sh(&first, "sleep 300");
    let _c = Cleanup(id.clone());
    let other = run_sh(&second, "sleep 300");
    let _o = Cleanup(other);

    let renamed = format!("{first}-new");
    let row = containers::rename(&engine, &id, &renamed).await.unwrap();
    assert_eq!((row.id.as_str(), row.name.as_str()), (id.as_str(), renamed.as_str()));
    assert_eq!(containers::inspect(&engine, &id).await.unwrap().summary.name, renamed);

    let err = containers::rename(&engine, &id, &second).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "{err}");
    let err = containers::rename(&engine, &id, "-bad name").await.unwrap_err();
    assert_eq!((err.code(), err.field()), (ErrorCode::InvalidInput, Some("name")));
}

#[tokio::test]
async fn inspect_gives_a_readable_summary_and_raw_json() {
    if !enabled("inspect_gives_a_readable_summary") {
        return;
    }
    let engine = engine().await;
    let name = name("inspect");
    let id = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        run_label(),
        "-e",
        "GREETING=hi",
        "-v",
        "/tmp:/host-tmp:ro",
        IMAGE,
        "sleep",
        "300",
    ]);
    let _c = Cleanup(id.clone());
    let d = containers::inspect(&engine, &id).await.unwrap();
    assert!(d.env.contains(&"GREETING=hi".to_string()));
    assert_eq!(d.cmd, vec!["sleep", "300"]);
    let m = d.mounts.iter().find(|m| m.destination == "/host-tmp").unwrap();
    assert!(m.read_only);
    assert_eq!(m.kind, "bind");
    assert!(d.networks.iter().any(|n| n.name == "bridge" && !n.ip_address.is_empty()));
    assert_eq!(d.restart_policy, "no");
    assert!(d.started_at.is_some());
    assert!(d.finished_at.is_none());
    let raw: serde_json::Value = serde_json::from_str(&d.raw).unwrap();
    assert_eq!(raw["Id"], id);
}

#[tokio::test]
async fn actions_on_missing_containers_say_so() {
    if !enabled("actions_on_missing_containers_say_so") {
        return;
    }
    let engine = engine().await;
    let err = containers::act(&engine, "berth-no-such-container", ContainerAction::Start).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(err.to_string(), "Container berth-no-such-container was not found. It may have been removed meanwhile.");
    // Removing what is already gone is not an error.
    containers::remove(&engine, "berth-no-such-container", true).await.unwrap();
}

/// The list read ahead for the window's first ask (issue 15) is served while no change notice
/// went out since it began; after one, or for another engine, the engine is listed again.
#[tokio::test]
async fn the_list_read_ahead_is_served_only_while_no_change_notice_went_out() {
    if !enabled("the_list_read_ahead_is_served") {
        return;
    }
    let engine = engine().await;
    let ahead = containers::ListAhead::default();
    let listed = |list: &[containers::ContainerSummary], id: &str| list.iter().any(|c| c.id == id);

    // Unchanged: the read ahead answers, even for a container made after it (the pump's events
    // would have sent a notice for that one).
    ahead.start(&engine);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await; // the read is in
    let later = docker(&["create", "--label", run_label(), "--name", &name("ahead"), IMAGE, "true"]);
    let _c = Cleanup(later.clone());
    assert!(!listed(&ahead.list(&engine).await.unwrap(), &later), "the read made before it was served");

    // A notice went out meanwhile: listed again.
    ahead.start(&engine);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let noticed = docker(&["create", "--label", run_label(), "--name", &name("ahead"), IMAGE, "true"]);
    let _d = Cleanup(noticed.clone());
    ahead.notice();
    assert!(listed(&ahead.list(&engine).await.unwrap(), &noticed), "a fresh list after a notice");

    // Served once: an ask after the one it answered lists again, and sees what came since.
    ahead.start(&engine);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    ahead.list(&engine).await.unwrap();
    let since = docker(&["create", "--label", run_label(), "--name", &name("ahead"), IMAGE, "true"]);
    let _s = Cleanup(since.clone());
    assert!(listed(&ahead.list(&engine).await.unwrap(), &since), "a read ahead is served once");

    // Another engine (the same one, reached another way): listed again.
    ahead.start(&engine);
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let other = remote_engine().await;
    let elsewhere = docker(&["create", "--label", run_label(), "--name", &name("ahead"), IMAGE, "true"]);
    let _e = Cleanup(elsewhere.clone());
    assert!(listed(&ahead.list(&other).await.unwrap(), &elsewhere), "a fresh list for another engine");
}

/// The read ahead that index.html carries (issue 15): taken once, only while good, and a read
/// still in flight past the wait stays for the page's own ask.
#[tokio::test]
async fn the_list_read_ahead_is_taken_for_the_page_once_and_only_while_good() {
    if !enabled("the_list_read_ahead_is_taken") {
        return;
    }
    let engine = engine().await;
    let ahead = containers::ListAhead::default();
    let wait = std::time::Duration::from_secs(5);
    let made = docker(&["create", "--label", run_label(), "--name", &name("take"), IMAGE, "true"]);
    let _m = Cleanup(made.clone());

    // Nothing read: nothing to take. `ensure` starts a read; a second `ensure` keeps it.
    assert!(ahead.take(&engine, wait).await.is_none());
    ahead.ensure(&engine);
    ahead.ensure(&engine);
    let taken = ahead.take(&engine, wait).await.expect("the read is taken");
    assert!(taken.iter().any(|c| c.id == made), "the list holds the container");
    assert!(ahead.take(&engine, wait).await.is_none(), "taken once");

    // A notice since the read began: not taken (the page lists once it listens).
    ahead.ensure(&engine);
    ahead.notice();
    assert!(ahead.take(&engine, wait).await.is_none(), "a read older than a notice");

    // Another engine: not taken.
    ahead.ensure(&engine);
    assert!(ahead.take(&remote_engine().await, wait).await.is_none(), "a read of another engine");

    // Not in within the wait: left for the page's ask, which it answers. On a loaded machine a
    // read can beat even a zero wait (its answer and the timer come due in one turn of the
    // runtime, and the answer is looked at first); then it is rightly taken, and a new one tried.
    let mut left = false;
    for _ in 0..20 {
        ahead.ensure(&engine);
        if ahead.take(&engine, std::time::Duration::ZERO).await.is_none() {
            left = true;
            break;
        }
    }
    assert!(left, "a read not in within the wait is left for the page");
    let listed = ahead.list(&engine).await.unwrap();
    assert!(listed.iter().any(|c| c.id == made));
}
