//! What a failed, cancelled or recreating `up` leaves behind: undo removes exactly what the up
//! created, a recreate never loses the old container before the new one exists.

use super::compose::Stack;
use super::support::*;
use berth_core::compose::{self, stack, CancellationToken, DownOptions, UpOptions};
use berth_core::error::ErrorCode;

fn stack(tag: &str, yaml: &str) -> Stack {
    Stack::named(format!("berthundo-{tag}-{}", std::process::id()), yaml)
}

/// The names of the volumes mounted by `container`.
fn mounts(container: &str) -> String {
    docker(&["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", container])
}

/// The file `f` in volume `volume`, read through a throwaway container.
fn read_volume(volume: &str) -> String {
    docker(&["run", "--rm", "--label", run_label(), "-v", &format!("{volume}:/v"), IMAGE, "cat", "/v/f"])
}

const APP: &str = "  app:\n    image: IMAGE\n    command: CMD\n    stop_signal: SIGKILL\n    volumes: [/scratch]\n";

/// Up `app` with an anonymous volume holding data; its container and that volume.
async fn app_with_data(engine: &berth_core::Engine, s: &Stack) -> (String, String) {
    s.write(&format!("services:\n{}", APP.replace("CMD", "sh -c 'echo kept > /scratch/f; exec sleep 3600'")));
    super::compose::up(engine, &s.load(&[]), &UpOptions::default()).await;
    let app = format!("{}-app-1", s.name);
    until(20, "the file in the volume", async || (docker(&["exec", &app, "cat", "/scratch/f"]) == "kept").then_some(())).await;
    let volume = mounts(&app);
    assert!(!volume.is_empty(), "an anonymous volume");
    (app, volume)
}

async fn down(engine: &berth_core::Engine, s: &Stack) {
    stack::down(engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
}

#[tokio::test]
async fn undo_after_a_recreate_keeps_the_volume_the_new_container_inherited() {
    if !enabled("compose undo keeps inherited volumes") {
        return;
    }
    let engine = engine().await;
    let s = stack("inherit", "");
    let (app, volume) = app_with_data(&engine, &s).await;
    // A changed command recreates app (which takes the volume over); then a second service fails.
    let bad = "  bad:\n    image: berthundo/missing:1\n    pull_policy: never\n    depends_on: [app]\n";
    s.write(&format!("services:\n{}{bad}", APP.replace("CMD", "sleep 3600")));
    let outcome = compose::up(&engine, &s.load(&[]), &UpOptions::default(), &|_| {}).await.unwrap();
    assert!(outcome.error.is_some(), "bad fails");
    assert_eq!(outcome.created.containers.len(), 1, "{:?}", outcome.created);
    assert_eq!(outcome.created.inherited, std::slice::from_ref(&volume), "listed apart, to confirm");
    assert_eq!(mounts(&app), volume, "the new app container has the old volume");
    compose::undo(&engine, &outcome.created, false).await.unwrap();
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("name={app}")]), "", "the recreated container is gone");
    assert_eq!(docker(&["volume", "ls", "-q", "--filter", &format!("name={volume}")]), volume, "the data volume is kept");
    assert_eq!(read_volume(&volume), "kept");
    docker(&["volume", "rm", &volume]);
}

#[tokio::test]
async fn a_recreate_whose_create_fails_leaves_the_old_container_and_its_volume() {
    if !enabled("compose recreate create fails") {
        return;
    }
    let engine = engine().await;
    let s = stack("createfails", "");
    let (app, volume) = app_with_data(&engine, &s).await;
    let id = docker(&["inspect", "-f", "{{.Id}}", &app]);
    // Below the engine's 6 MB minimum: only the engine's create refuses it.
    s.write(&format!("services:\n{}    mem_limit: 1m\n", APP.replace("CMD", "sleep 3600")));
    let outcome = compose::up(&engine, &s.load(&[]), &UpOptions::default(), &|_| {}).await.unwrap();
    let error = outcome.error.expect("the create fails");
    assert!(error.message.contains("app"), "{}", error.message);
    assert_eq!(docker(&["inspect", "-f", "{{.Id}} {{.State.Running}}", &app]), format!("{id} true"), "the old container is untouched");
    assert_eq!(mounts(&app), volume);
    assert_eq!(docker(&["exec", &app, "cat", "/scratch/f"]), "kept");
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("label=com.docker.compose.project={}", s.name)]).lines().count(),
        1,
        "no temporary container left"
    );
    down(&engine, &s).await;
}

#[tokio::test]
async fn a_cancelled_up_reports_what_it_created_and_undo_removes_exactly_that() {
    if !enabled("compose cancelled up") {
        return;
    }
    let engine = engine().await;
    let keep = "  keep:\n    image: IMAGE\n    command: sleep 3600\n    stop_signal: SIGKILL\n";
    let s = stack("cancel", &format!("services:\n{keep}"));
    super::compose::up(&engine, &s.load(&[]), &UpOptions::default()).await;
    // `waiter` never gets healthy, so the up is still waiting for it when cancelled.
    let more = "  waiter:\n    image: IMAGE\n    command: sleep 3600\n    stop_signal: SIGKILL\n    networks: [side]\n    \
                healthcheck: {test: [CMD, \"false\"], interval: 1s, retries: 1000}\n  \
                last:\n    image: IMAGE\n    command: sleep 3600\n    depends_on: {waiter: {condition: service_healthy}}\n\
                networks:\n  side: {}\n";
    s.write(&format!("services:\n{keep}{more}"));
    let cancel = CancellationToken::new();
    let emit = |p: compose::Progress| {
        if p.state == "Waiting" {
            cancel.cancel();
        }
    };
    let outcome = compose::up_cancellable(&engine, &s.load(&[]), &UpOptions::default(), &emit, &cancel).await.unwrap();
    assert_eq!(outcome.error.map(|e| e.code), Some(ErrorCode::Cancelled));
    let waiter = docker(&["inspect", "-f", "{{.Id}}", &format!("{}-waiter-1", s.name)]);
    assert_eq!(outcome.created.containers, [waiter]);
    assert_eq!(outcome.created.networks, [format!("{}_side", s.name)]);
    compose::undo(&engine, &outcome.created, false).await.unwrap();
    let label = format!("label=com.docker.compose.project={}", s.name);
    let left = docker(&["ps", "-a", "--format", "{{.Names}}", "--filter", &label]);
    assert_eq!(left, format!("{}-keep-1", s.name), "what the up did not create stays");
    assert_eq!(docker(&["network", "ls", "--format", "{{.Name}}", "--filter", &label]), format!("{}_default", s.name));
    down(&engine, &s).await;
}

#[tokio::test]
async fn removing_orphans_removes_only_those_the_user_confirmed() {
    if !enabled("compose confirmed orphans") {
        return;
    }
    let engine = engine().await;
    let sleeper = "    image: IMAGE\n    command: sleep 3600\n    stop_signal: SIGKILL\n";
    let s = stack("orphans", &format!("services:\n  a:\n{sleeper}  b:\n{sleeper}  c:\n{sleeper}"));
    super::compose::up(&engine, &s.load(&[]), &UpOptions::default()).await;
    // The user was shown (and confirmed) b as an orphan; c left the file after that.
    let (b, c) = (format!("{}-b-1", s.name), format!("{}-c-1", s.name));
    let shown = docker(&["inspect", "-f", "{{.Id}}", &b]);
    s.write(&format!("services:\n  a:\n{sleeper}"));
    let opts = UpOptions { remove_orphans: true, orphans: vec![shown], ..Default::default() };
    let outcome = compose::up(&engine, &s.load(&[]), &opts, &|_| {}).await.unwrap();
    assert_eq!(outcome.error, None);
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("name={b}")]), "", "the confirmed orphan is gone");
    assert_eq!(docker(&["inspect", "-f", "{{.State.Running}}", &c]), "true", "the one nobody confirmed stays");
    assert!(outcome.warnings.iter().any(|w| w.contains(&c)), "{:?}", outcome.warnings);
    down(&engine, &s).await;
}
