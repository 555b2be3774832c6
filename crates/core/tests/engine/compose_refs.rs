//! Services that use other services (`network_mode: service:`, `volumes_from`, `links`) and
//! orphans, against the real engine and `docker-compose`.

use super::compose::{up, Stack};
use super::support::*;
use berth_core::compose::{self, orphans, stack, DownOptions, UpOptions};
use berth_core::containers::ContainerAction;
use std::sync::Mutex;

fn stack(tag: &str, yaml: &str) -> Stack {
    Stack::named(format!("berthcmp-{tag}-{}", std::process::id()), yaml)
}

const SHARED: &str = r#"
services:
  web:
    image: IMAGE
    command: sh -c "mkdir -p /www && echo hello-web > /www/index.html && echo from-web > /shared/file && exec httpd -f -p 8080 -h /www"
    volumes: ["/shared"]
    stop_grace_period: 1s
  side:
    image: IMAGE
    network_mode: service:web
    command: sleep 3600
    stop_grace_period: 1s
  reader:
    image: IMAGE
    volumes_from: ["web:ro"]
    command: sleep 3600
    stop_grace_period: 1s
  client:
    image: IMAGE
    links: ["web:www"]
    command: sleep 3600
    stop_grace_period: 1s
"#;

#[tokio::test]
async fn services_share_a_network_volumes_and_links() {
    if !enabled("compose service references") {
        return;
    }
    let engine = engine().await;
    let s = stack("refs", SHARED);
    let p = s.load(&[]);
    // The references are dependencies, as `docker compose config` shows them.
    assert_eq!(p.config["services"]["side"]["depends_on"]["web"]["restart"], true);
    assert_eq!(p.config["services"]["reader"]["depends_on"]["web"]["restart"], false);
    let lines = up(&engine, &p, &UpOptions::default()).await;
    let at = |needle: String| lines.iter().position(|l| *l == needle).unwrap_or_else(|| panic!("no {needle:?} in {lines:?}"));
    for dependent in ["side", "reader", "client"] {
        assert!(at(format!("Container {}-web-1 Started", s.name)) < at(format!("Container {}-{dependent}-1 Creating", s.name)));
    }
    let name = |svc: &str| format!("{}-{svc}-1", s.name);
    let web_id = docker(&["inspect", "--format", "{{.Id}}", &name("web")]);
    assert_eq!(docker(&["inspect", "--format", "{{.HostConfig.NetworkMode}}", &name("side")]), format!("container:{web_id}"));
    let fetch = |from: &str, url: &str| {
        docker(&["exec", &name(from), "sh", "-c", &format!("for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- {url} && exit; sleep 0.3; done")])
    };
    // side reaches web's port on localhost: one network namespace.
    assert_eq!(fetch("side", "http://localhost:8080/"), "hello-web");
    // reader sees web's volume, read-only.
    assert_eq!(docker(&["exec", &name("reader"), "cat", "/shared/file"]), "from-web");
    assert_eq!(docker(&["exec", &name("reader"), "sh", "-c", "echo x > /shared/file 2>/dev/null || echo refused"]), "refused");
    // client resolves the link alias (and Compose's numbered ones).
    assert_eq!(fetch("client", "http://www:8080/"), "hello-web");
    assert_eq!(fetch("client", &format!("http://{}-web-1:8080/", s.name)), "hello-web");

    // Up again changes nothing; a recreated web recreates those sharing its namespace or volumes.
    let again = up(&engine, &p, &UpOptions::default()).await;
    assert!(!again.iter().any(|l| l.ends_with("Creating") || l.ends_with("Recreate")), "{again:?}");
    up(&engine, &p, &UpOptions { services: vec!["web".into()], no_deps: true, force_recreate: true, ..Default::default() }).await;
    let after = up(&engine, &p, &UpOptions::default()).await;
    let mut recreated: Vec<&str> = after.iter().filter(|l| l.ends_with("Recreate")).map(String::as_str).collect();
    recreated.sort();
    assert_eq!(recreated, [format!("Container {} Recreate", name("reader")), format!("Container {} Recreate", name("side"))], "{after:?}");
    assert_eq!(fetch("side", "http://localhost:8080/"), "hello-web");
    assert_eq!(fetch("client", "http://www:8080/"), "hello-web");
    // Restarting web restarts side too (restart: true), after web, so side has a network again.
    stack::act(&engine, &s.name, Some("web"), ContainerAction::Restart).await.unwrap();
    assert_eq!(fetch("side", "http://localhost:8080/"), "hello-web");
    // So does a stop and start of the whole stack.
    stack::act(&engine, &s.name, None, ContainerAction::Stop).await.unwrap();
    stack::act(&engine, &s.name, None, ContainerAction::Start).await.unwrap();
    assert_eq!(fetch("side", "http://localhost:8080/"), "hello-web");

    // The Compose CLI sees the same stack, and takes it down.
    let ps = s.cli(&["ps"]);
    for svc in ["web", "side", "reader", "client"] {
        assert!(ps.contains(&name(svc)), "{ps}");
    }
    // The recreated web mounts the volume it took over by name, so `down -v` keeps it, as it
    // keeps any named mount (docker-compose and the engine agree); the test removes it itself.
    let inherited = docker(&["inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}", &name("web")]);
    s.cli(&["down", "-v"]);
    assert_eq!(s.leftovers(), "", "docker-compose down left something");
    for volume in inherited.split_whitespace() {
        let _ = std::process::Command::new("docker").args(["volume", "rm", volume]).output();
    }
}

#[tokio::test]
async fn a_shared_network_refuses_ports_before_touching_the_engine() {
    if !enabled("compose network_mode conflicts") {
        return;
    }
    let engine = engine().await;
    let s = stack(
        "conflict",
        "services:\n  web:\n    image: IMAGE\n  side:\n    image: IMAGE\n    network_mode: service:web\n    ports: ['8080:80']\n",
    );
    let e = compose::up(&engine, &s.load(&[]), &UpOptions::default(), &|_| {}).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("port publishing and the container type network mode") && text.contains("Move ports to service \"web\""),
        "{text}"
    );
    assert_eq!(s.leftovers(), "");
}

#[tokio::test]
async fn orphans_are_reported_and_removed_on_request() {
    if !enabled("compose orphans") {
        return;
    }
    let engine = engine().await;
    let sleeper = "    image: IMAGE\n    command: sleep 3600\n    stop_grace_period: 1s\n";
    let s = stack("orphans", &format!("services:\n  a:\n{sleeper}  b:\n{sleeper}"));
    up(&engine, &s.load(&[]), &UpOptions::default()).await;
    // One-off `run` containers: an exited one is an orphan, a running one is someone's session.
    let one_off = |name: &str, cmd: &str| {
        let labels = [
            format!("com.docker.compose.project={}", s.name),
            "com.docker.compose.service=a".into(),
            "com.docker.compose.oneoff=True".into(),
        ];
        let mut args = vec!["run", "-d", "--name", name];
        for l in &labels {
            args.extend(["--label", l]);
        }
        args.extend([IMAGE, "sh", "-c", cmd]);
        docker(&args);
    };
    let (ran, running) = (format!("{}-a-run-1", s.name), format!("{}-a-run-2", s.name));
    one_off(&ran, "true");
    one_off(&running, "sleep 3600");
    docker(&["wait", &ran]);

    // b leaves the file (renamed c): b's container is an orphan, reported, left in place.
    s.write(&format!("services:\n  a:\n{sleeper}  c:\n{sleeper}"));
    let p = s.load(&[]);
    let found: Vec<String> = orphans::find(&engine, &p).await.unwrap().into_iter().map(|o| o.name).collect();
    let b = format!("{}-b-1", s.name);
    assert_eq!(found, [ran.clone(), b.clone()]);
    let lines = Mutex::new(Vec::new());
    let outcome =
        compose::up(&engine, &p, &UpOptions::default(), &|pr| lines.lock().unwrap().push(format!("{} {}", pr.resource, pr.state)))
            .await
            .unwrap();
    assert_eq!(outcome.error, None);
    assert!(outcome.warnings[0].starts_with(&format!("Found orphan containers ({ran}, {b}) for this project.")), "{:?}", outcome.warnings);
    assert!(lines.lock().unwrap().contains(&format!("Container {b} Orphan")));
    assert_eq!(docker(&["inspect", "--format", "{{.State.Running}}", &b]), "true");

    // With remove_orphans they go; the running one-off stays.
    let outcome = compose::up(&engine, &p, &UpOptions { remove_orphans: true, ..Default::default() }, &|_| {}).await.unwrap();
    assert!(outcome.warnings.is_empty());
    assert!(orphans::find(&engine, &p).await.unwrap().is_empty());
    let left = docker(&["ps", "-a", "--format", "{{.Names}}", "--filter", &format!("label=com.docker.compose.project={}", s.name)]);
    let mut left: Vec<&str> = left.lines().collect();
    left.sort();
    assert_eq!(left, [format!("{}-a-1", s.name), running.clone(), format!("{}-c-1", s.name)]);

    // Down with remove_orphans also takes the one-off container, as `down --remove-orphans` does.
    stack::down(&engine, &s.name, DownOptions { remove_orphans: true, ..Default::default() }, &|_| {}).await.unwrap();
    assert_eq!(s.leftovers(), "");
}
