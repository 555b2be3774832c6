//! Compose stacks against the real engine and the real `docker-compose` CLI (both directions).

use super::support::*;
use berth_core::compose::{self, stack, DownOptions, Options, Project, UpOptions};
use berth_core::containers::{ContainerAction, ContainerState};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// A compose project in a temporary folder, taken down (with volumes) when dropped.
pub(super) struct Stack {
    pub(super) dir: tempfile::TempDir,
    pub(super) name: String,
}

impl Stack {
    fn new(tag: &str, yaml: &str) -> Stack {
        Stack::named(format!("berthcmp-{tag}-{}", std::process::id()), yaml)
    }

    pub(super) fn named(name: String, yaml: &str) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let s = Stack { dir, name };
        s.write(yaml);
        s
    }

    /// (Re)write the project's compose file.
    pub(super) fn write(&self, yaml: &str) {
        std::fs::write(self.dir.path().join("compose.yaml"), yaml.replace("IMAGE", IMAGE)).unwrap();
    }

    pub(super) fn load(&self, env: &[(&str, &str)]) -> Project {
        let opts = Options {
            project_dir: Some(self.dir.path().to_path_buf()),
            name: Some(self.name.clone()),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
            ..Default::default()
        };
        compose::load(&opts).unwrap_or_else(|p| panic!("{p}"))
    }

    pub(super) fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("docker-compose")
            .args(["-p", &self.name])
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("docker-compose runs");
        assert!(out.status.success(), "docker-compose {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(super) fn leftovers(&self) -> String {
        let label = format!("label=com.docker.compose.project={}", self.name);
        [
            docker(&["ps", "-aq", "--filter", &label]),
            docker(&["network", "ls", "-q", "--filter", &label]),
            docker(&["volume", "ls", "-q", "--filter", &label]),
        ]
        .join(" ")
        .trim()
        .to_string()
    }
}

impl Drop for Stack {
    /// Down by labels with the docker CLI: works whatever the file holds (or whether it loads).
    fn drop(&mut self) {
        let label = format!("label=com.docker.compose.project={}", self.name);
        let ids = |what: &[&str]| {
            let out = Command::new("docker").args(what).args(["-q", "--filter", &label]).output().map(|o| o.stdout).unwrap_or_default();
            String::from_utf8_lossy(&out).split_whitespace().map(str::to_string).collect::<Vec<_>>()
        };
        for (list, remove) in
            [(&["ps", "-a"][..], &["rm", "-f", "-v"][..]), (&["network", "ls"], &["network", "rm"]), (&["volume", "ls"], &["volume", "rm"])]
        {
            let found = ids(list);
            if !found.is_empty() {
                let _ = Command::new("docker").args(remove).args(&found).output();
            }
        }
    }
}

pub(super) async fn up(engine: &berth_core::Engine, p: &Project, opts: &UpOptions) -> Vec<String> {
    let lines = Mutex::new(Vec::new());
    let outcome = compose::up(engine, p, opts, &|pr| lines.lock().unwrap().push(format!("{} {}", pr.resource, pr.state))).await.unwrap();
    assert_eq!(outcome.error, None, "{lines:?}");
    lines.into_inner().unwrap()
}

const STACK: &str = r#"
services:
  db:
    image: IMAGE
    command: sh -c "sleep 1; echo ok > /ready; exec sleep 3600"
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD-SHELL", "test -f /ready"]
      interval: 1s
      retries: 30
    volumes: [data:/data]
    networks: [back]
  migrate:
    image: IMAGE
    command: sh -c "echo migrated > /data/done"
    volumes: [data:/data]
    depends_on:
      db: {condition: service_healthy}
  web:
    image: IMAGE
    command: sleep 3600
    stop_grace_period: 1s
    ports: ["127.0.0.1::80"]
    networks: [back, default]
    environment:
      GREETING: ${GREETING:-hello}
    depends_on:
      migrate: {condition: service_completed_successfully}
      db: {condition: service_healthy}
  debug:
    image: IMAGE
    command: sleep 3600
    stop_grace_period: 1s
    profiles: [debug]
volumes:
  data: {}
networks:
  back: {}
"#;

#[tokio::test]
async fn up_follows_conditions_and_the_cli_sees_and_removes_it() {
    if !enabled("compose up") {
        return;
    }
    let engine = engine().await;
    let s = Stack::new("up", STACK);
    let p = s.load(&[]);
    assert_eq!(p.disabled, vec!["debug".to_string()]);
    let lines = up(&engine, &p, &UpOptions::default()).await;
    // web waited for db to be healthy and migrate to finish.
    let at = |needle: &str| lines.iter().position(|l| l == needle).unwrap_or_else(|| panic!("no {needle:?} in {lines:?}"));
    assert!(at(&format!("Container {}-db-1 Healthy", s.name)) < at(&format!("Container {}-web-1 Creating", s.name)));
    assert!(at(&format!("Container {}-migrate-1 Exited", s.name)) < at(&format!("Container {}-web-1 Creating", s.name)));

    let stacks = stack::list(&engine).await.unwrap();
    let st = stacks.iter().find(|x| x.name == s.name).expect("the stack is listed");
    let names: Vec<&str> = st.services.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["db", "migrate", "web"]);
    let web = &st.services[2].containers[0];
    assert_eq!(web.state, ContainerState::Running);
    assert!(web.ports.iter().any(|p| p.private_port == 80 && p.public_port.is_some()), "{:?}", web.ports);
    assert_eq!(st.services[0].containers[0].health.as_deref(), Some("healthy"));
    assert_eq!(st.working_dir.as_deref(), Some(s.dir.path().to_str().unwrap()));

    // Names and labels as the Compose CLI writes them.
    let web_name = format!("{}-web-1", s.name);
    let labels = docker(&["inspect", &web_name, "--format", "{{json .Config.Labels}}"]);
    let labels: BTreeMap<String, String> = serde_json::from_str(&labels).unwrap();
    assert_eq!(labels["com.docker.compose.project"], s.name);
    assert_eq!(labels["com.docker.compose.service"], "web");
    assert_eq!(labels["com.docker.compose.container-number"], "1");
    assert_eq!(labels["com.docker.compose.oneoff"], "False");
    assert_eq!(labels["com.docker.compose.config-hash"].len(), 64);
    assert_eq!(labels["com.docker.compose.project.config_files"], s.dir.path().join("compose.yaml").to_str().unwrap());
    let net = docker(&["network", "inspect", &format!("{}_back", s.name), "--format", "{{json .Labels}}"]);
    assert!(net.contains(r#""com.docker.compose.network":"back""#), "{net}");
    let vol = docker(&["volume", "inspect", &format!("{}_data", s.name), "--format", "{{json .Labels}}"]);
    assert!(vol.contains(r#""com.docker.compose.volume":"data""#), "{vol}");
    assert_eq!(docker(&["exec", &web_name, "sh", "-c", "test -e /data/done || echo none"]), "none", "web has no volume");
    assert_eq!(docker(&["exec", &format!("{}-db-1", s.name), "cat", "/data/done"]), "migrated");

    // Up again: nothing changes. Then one variable changes web only.
    let again = up(&engine, &p, &UpOptions::default()).await;
    assert!(!again.iter().any(|l| l.ends_with("Creating") || l.ends_with("Recreate")), "{again:?}");
    let p2 = s.load(&[("GREETING", "bonjour")]);
    let changed = up(&engine, &p2, &UpOptions::default()).await;
    let recreated: Vec<&String> = changed.iter().filter(|l| l.ends_with("Recreate")).collect();
    assert_eq!(recreated, [&format!("Container {web_name} Recreate")], "{changed:?}");
    assert_eq!(docker(&["exec", &web_name, "sh", "-c", "echo $GREETING"]), "bonjour");

    // Scale one service, then the profile brings its service in.
    up(&engine, &p2, &UpOptions { services: vec!["web".into()], no_deps: true, scale: [("web".into(), 2)].into(), ..Default::default() })
        .await;
    assert!(docker(&["ps", "--format", "{{.Names}}"]).contains(&format!("{}-web-2", s.name)));
    let with_debug = compose::load(&Options {
        project_dir: Some(s.dir.path().into()),
        name: Some(s.name.clone()),
        profiles: vec!["debug".into()],
        ..Default::default()
    })
    .unwrap();
    assert!(with_debug.disabled.is_empty());

    // The Compose CLI sees Berth's stack and takes it down cleanly.
    let ps = s.cli(&["ps"]);
    assert!(ps.contains(&web_name) && ps.contains(&format!("{}-db-1", s.name)), "{ps}");
    s.cli(&["down", "-v"]);
    assert_eq!(s.leftovers(), "", "docker-compose down left something");
}

#[tokio::test]
async fn a_cli_stack_is_listed_stopped_restarted_and_taken_down() {
    if !enabled("compose cli stack") {
        return;
    }
    let engine = engine().await;
    let s = Stack::new("cli", "services:\n  app:\n    image: IMAGE\n    command: sleep 3600\n    stop_grace_period: 1s\n    volumes: [keep:/k]\n  side:\n    image: IMAGE\n    command: sleep 3600\n    stop_grace_period: 1s\nvolumes:\n  keep: {}\n");
    s.cli(&["up", "-d"]);
    let st = stack::list(&engine).await.unwrap().into_iter().find(|x| x.name == s.name).expect("listed");
    assert_eq!((st.running, st.total), (2, 2));
    stack::act(&engine, &s.name, Some("side"), ContainerAction::Stop).await.unwrap();
    let st = stack::list(&engine).await.unwrap().into_iter().find(|x| x.name == s.name).unwrap();
    assert_eq!(st.running, 1);
    stack::act(&engine, &s.name, None, ContainerAction::Restart).await.unwrap();
    let st = stack::list(&engine).await.unwrap().into_iter().find(|x| x.name == s.name).unwrap();
    assert_eq!(st.running, 2);
    stack::down(&engine, &s.name, DownOptions::default(), &|_| {}).await.unwrap();
    let label = format!("label=com.docker.compose.project={}", s.name);
    assert_eq!(docker(&["ps", "-aq", "--filter", &label]), "");
    assert_eq!(docker(&["network", "ls", "-q", "--filter", &label]), "");
    assert_ne!(docker(&["volume", "ls", "-q", "--filter", &label]), "", "volumes stay unless asked");
    stack::down(&engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
    assert_eq!(s.leftovers(), "");
}

fn load_err(dir: &Path, yaml: &str, env: &[(&str, &str)]) -> compose::Problem {
    std::fs::write(dir.join("compose.yaml"), yaml).unwrap();
    let opts = Options {
        project_dir: Some(dir.into()),
        name: Some("berthcmp-broken".into()),
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Default::default()
    };
    compose::load(&opts).expect_err("the file is broken")
}

#[tokio::test]
async fn broken_files_say_where_and_touch_nothing() {
    if !enabled("compose broken files") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let e = load_err(dir.path(), "services:\n  web:\n    image: [a\n", &[]);
    assert_eq!((e.line, e.file.as_deref().map(|f| f.ends_with("compose.yaml"))), (Some(4), Some(true)), "{e:?}");
    let e = load_err(dir.path(), "services:\n  web:\n    image: x\n    imagee: y\n", &[]);
    assert_eq!(e.to_string(), "compose.yaml, line 2: services.web additional properties 'imagee' not allowed.");
    assert_eq!(e.field.as_deref(), Some("services.web"));
    let e = load_err(dir.path(), "services:\n  web:\n    image: x\n    environment:\n      TOKEN: ${TOKEN:?set TOKEN first}\n", &[]);
    assert_eq!(e.to_string(), "compose.yaml, line 5: required variable TOKEN is missing a value: set TOKEN first.");
    let e = load_err(dir.path(), "services:\n  web:\n    image: x\n    depends_on: [db]\n", &[]);
    assert!(e.to_string().contains("depends on undefined service \"db\""), "{e}");
    // Nothing was created for the project.
    let label = "label=com.docker.compose.project=berthcmp-broken";
    assert_eq!(docker(&["ps", "-aq", "--filter", label]) + &docker(&["network", "ls", "-q", "--filter", label]), "");
}

/// Compose labels any container (or image) can carry point the Stacks view at hostile files:
/// each stack still lists, and loading its folder (as the view does for every stack) ends in a
/// sentence naming the file, on a runtime with the app's two async workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stacks_whose_labels_point_at_hostile_files_still_list_with_their_error() {
    if !enabled("compose hostile labels") {
        return;
    }
    let bomb = (b'a'..b'i').fold("x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_string(), |text, c| {
        let (prev, name) = (c as char, (c + 1) as char);
        text + &format!("x-{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", "))
    });
    let deep: String = (0..3000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let hostile = [
        ("include: [{path: [a.yaml, compose.yaml]}]\n", "compose.yaml", "include cycle"),
        (bomb.as_str(), "compose.yaml", "expands to more than"),
        (deep.as_str(), "compose.yaml", "nested more than"),
        ("services:\n  web: {image: a, env_file: /dev/zero}\n", "/dev/zero", "is not a regular file"),
    ];
    let engine = engine().await;
    let mut dirs = Vec::new();
    let mut cleanup = Vec::new();
    for (i, (yaml, _, _)) in hostile.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), yaml).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "services:\n  db: {image: b}\n").unwrap();
        let project = format!("berthhostile{}x{i}", std::process::id());
        let files = dir.path().join("compose.yaml");
        let labels = [
            format!("com.docker.compose.project={project}"),
            "com.docker.compose.service=web".into(),
            "com.docker.compose.oneoff=False".into(),
            format!("com.docker.compose.project.working_dir={}", dir.path().display()),
            format!("com.docker.compose.project.config_files={}", files.display()),
        ];
        let name = name("hostile");
        let mut args = vec!["create", "--name", name.as_str(), "--label", run_label()];
        for l in &labels {
            args.extend(["--label", l.as_str()]);
        }
        args.extend([IMAGE, "true"]);
        docker(&args);
        cleanup.push(Cleanup(name));
        dirs.push((project, dir));
    }
    let stacks = stack::list(&engine).await.unwrap();
    for ((project, dir), (_, file, says)) in dirs.iter().zip(hostile) {
        let listed = stacks.iter().find(|s| &s.name == project).expect("the stack is listed");
        let dir_label = listed.working_dir.clone().unwrap();
        assert_eq!(Path::new(&dir_label), dir.path());
        let opts = Options { project_dir: Some(dir_label.into()), profiles: vec!["*".into()], ..Default::default() };
        let e = compose::load_async(opts).await.expect_err("hostile files do not load").to_string();
        assert!(e.contains(file) && e.contains(says), "{e}");
    }
}

#[tokio::test]
async fn a_failed_up_names_the_service_and_can_be_undone() {
    if !enabled("compose failed up") {
        return;
    }
    let engine = engine().await;
    let s = Stack::new("fail", "services:\n  ok:\n    image: IMAGE\n    command: sleep 3600\n    stop_grace_period: 1s\n  bad:\n    image: berthcmp/missing:1\n    pull_policy: never\n    depends_on: [ok]\n");
    let p = s.load(&[]);
    let outcome = compose::up(&engine, &p, &UpOptions::default(), &|_| {}).await.unwrap();
    let error = outcome.error.expect("the up fails");
    assert!(
        error.message.starts_with("Service \"bad\" failed: The image \"berthcmp/missing:1\" is not on this engine"),
        "{}",
        error.message
    );
    assert_eq!(outcome.created.containers.len(), 1);
    assert_eq!(outcome.created.networks, [format!("{}_default", s.name)]);
    compose::undo(&engine, &outcome.created, false).await.unwrap();
    assert_eq!(s.leftovers(), "");
}

#[tokio::test]
async fn a_service_with_build_is_built_through_the_build_feature() {
    if !enabled("compose build") {
        return;
    }
    let engine = engine().await;
    let s = Stack::new(
        "build",
        "services:\n  app:\n    build:\n      context: ./app\n      args: {GREETING: built-by-berth}\n    stop_grace_period: 1s\n",
    );
    std::fs::create_dir(s.dir.path().join("app")).unwrap();
    std::fs::write(
        s.dir.path().join("app/Dockerfile"),
        format!("FROM {IMAGE}\nARG GREETING\nRUN echo $GREETING > /built\nCMD [\"sleep\", \"3600\"]\n"),
    )
    .unwrap();
    let image = format!("{}-app", s.name);
    let _cleanup = ImageCleanup(vec![image.clone()]);
    let p = s.load(&[]);
    let lines = up(&engine, &p, &UpOptions::default()).await;
    assert!(lines.contains(&format!("Image {image} Built")), "{lines:?}");
    assert_eq!(docker(&["exec", &format!("{}-app-1", s.name), "cat", "/built"]), "built-by-berth");
    // Nothing changed: the image is not rebuilt and the container stays.
    let again = up(&engine, &p, &UpOptions::default()).await;
    assert!(!again.iter().any(|l| l.contains("Building") || l.ends_with("Recreate")), "{again:?}");
    stack::down(&engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
}

#[tokio::test]
async fn pull_fetches_the_stack_images_from_a_registry() {
    if !enabled("compose pull") {
        return;
    }
    let registry = registry();
    let engine = engine().await;
    let remote = format!("{registry}/berthcmp-{}/app:1", std::process::id());
    let _cleanup = ImageCleanup(vec![remote.clone()]);
    docker(&["tag", IMAGE, &remote]);
    docker(&["push", &remote]);
    docker(&["rmi", &remote]);
    let s = Stack::new("pull", &format!("services:\n  app:\n    image: {remote}\n  built:\n    build: .\n"));
    let p = s.load(&[]);
    let lines = Mutex::new(Vec::new());
    compose::pull(&engine, &p, &[], &|pr| lines.lock().unwrap().push(format!("{} {}", pr.resource, pr.state))).await.unwrap();
    assert_eq!(lines.into_inner().unwrap(), [format!("Image {remote} Pulling"), format!("Image {remote} Pulled")]);
    assert!(Command::new("docker").args(["image", "inspect", &remote]).output().unwrap().status.success());
    // A missing image says which service and why.
    let s = Stack::new("pullbad", &format!("services:\n  gone:\n    image: {registry}/berthcmp-none/nothing:1\n"));
    let e = compose::pull(&engine, &s.load(&[]), &[], &|_| {}).await.unwrap_err();
    assert!(e.to_string().starts_with("Service \"gone\" failed: the image"), "{e}");
}

#[tokio::test]
async fn restarting_a_service_restarts_those_that_depend_on_it_with_restart_true() {
    if !enabled("compose restart dependents") {
        return;
    }
    let engine = engine().await;
    let sleeper = "    image: IMAGE\n    command: sleep 3600\n    stop_grace_period: 1s\n";
    let s = Stack::new(
        "restart",
        &format!("services:\n  db:\n{sleeper}  web:\n{sleeper}    depends_on:\n      db: {{condition: service_started, restart: true}}\n  other:\n{sleeper}    depends_on: [db]\n"),
    );
    up(&engine, &s.load(&[]), &UpOptions::default()).await;
    let started = |svc: &str| docker(&["inspect", "--format", "{{.State.StartedAt}}", &format!("{}-{svc}-1", s.name)]);
    let (web, other) = (started("web"), started("other"));
    stack::act(&engine, &s.name, Some("db"), ContainerAction::Restart).await.unwrap();
    assert_ne!(started("web"), web, "web restarts with db");
    assert_eq!(started("other"), other, "other does not ask to");
    stack::down(&engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
}

#[tokio::test]
async fn down_with_volumes_also_removes_anonymous_volumes() {
    if !enabled("compose down anonymous volumes") {
        return;
    }
    let engine = engine().await;
    let s = Stack::new(
        "anon",
        "services:\n  app:\n    image: IMAGE\n    command: sleep 3600\n    stop_signal: SIGKILL\n    volumes: [/scratch]\n",
    );
    up(&engine, &s.load(&[]), &UpOptions::default()).await;
    let anon = docker(&["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", &format!("{}-app-1", s.name)]);
    assert!(!anon.is_empty(), "an anonymous volume");
    stack::down(&engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
    assert_eq!(docker(&["volume", "ls", "-q", "--filter", &format!("name={anon}")]), "", "docker compose down -v removes it too");
}

#[tokio::test]
async fn a_recreated_service_keeps_its_anonymous_volume() {
    if !enabled("compose recreate keeps anonymous volumes") {
        return;
    }
    let engine = engine().await;
    let yaml =
        |cmd: &str| format!("services:\n  app:\n    image: IMAGE\n    command: {cmd}\n    stop_signal: SIGKILL\n    volumes: [/scratch]\n");
    let s = Stack::new("keepanon", &yaml("sh -c 'echo kept > /scratch/f; exec sleep 3600'"));
    up(&engine, &s.load(&[]), &UpOptions::default()).await;
    let app = format!("{}-app-1", s.name);
    let before = docker(&["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", &app]);
    until(10, "the file in the volume", async || (docker(&["exec", &app, "cat", "/scratch/f"]) == "kept").then_some(())).await;
    // A changed command recreates the container, which must get the same volume back.
    s.write(&yaml("sleep 3600"));
    let lines = up(&engine, &s.load(&[]), &UpOptions::default()).await;
    assert!(lines.iter().any(|l| l.ends_with("Recreate")), "{lines:?}");
    assert_eq!(docker(&["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", &app]), before);
    assert_eq!(docker(&["exec", &app, "cat", "/scratch/f"]), "kept");
    stack::down(&engine, &s.name, DownOptions { volumes: true, ..Default::default() }, &|_| {}).await.unwrap();
    assert_eq!(docker(&["volume", "ls", "-q", "--filter", &format!("name={before}")]), "");
}
