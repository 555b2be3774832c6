//! Compose secrets and configs, and per-service builds, against the real engine.

use super::compose::{up, Stack};
use super::support::*;
use berth_core::compose::{self, UpOptions};
use berth_core::containers::logs::{LogEvent, LogOptions};

const SECRETS: &str = r#"
services:
  app:
    image: IMAGE
    command: sleep 3600
    stop_grace_period: 1s
    user: "1000:1001"
    secrets:
      - pw
      - source: token
        target: tok
        mode: 0400
    configs:
      - source: conf
        target: /etc/app.conf
      - plain
secrets:
  pw: {file: ./pw.txt}
  token: {environment: BSEC_TOKEN}
configs:
  conf: {content: "port=${BSEC_PORT:-80}"}
  plain: {file: ./pw.txt}
"#;

#[tokio::test]
async fn secrets_and_configs_are_mounted_and_copied() {
    if !enabled("compose secrets") {
        return;
    }
    let engine = engine().await;
    let s = Stack::named(format!("berthcmp-secrets-{}", std::process::id()), SECRETS);
    std::fs::write(s.dir.path().join("pw.txt"), "from-a-file").unwrap();
    let p = s.load(&[("BSEC_TOKEN", "from-the-env")]);
    up(&engine, &p, &UpOptions::default()).await;
    let c = format!("{}-app-1", s.name);
    let read = |path: &str| docker(&["exec", &c, "cat", path]);
    assert_eq!(read("/run/secrets/pw"), "from-a-file");
    assert_eq!(read("/run/secrets/tok"), "from-the-env");
    assert_eq!(read("/etc/app.conf"), "port=80");
    assert_eq!(read("/plain"), "from-a-file");
    // Copied files get the mode asked for (0444 by default) and the container's user.
    assert_eq!(docker(&["exec", &c, "stat", "-c", "%a %u:%g", "/run/secrets/tok", "/etc/app.conf"]), "400 1000:1001\n444 1000:1001");
    // A file source is bind-mounted read-only.
    let mounts = docker(&["inspect", "-f", "{{range .Mounts}}{{.Destination}}={{.RW}} {{end}}", &c]);
    assert!(mounts.contains("/run/secrets/pw=false") && mounts.contains("/plain=false"), "{mounts}");
}

#[tokio::test]
async fn a_missing_secret_file_is_named_before_anything_is_created() {
    if !enabled("compose secrets") {
        return;
    }
    let engine = engine().await;
    let s = Stack::named(format!("berthcmp-nofile-{}", std::process::id()), SECRETS);
    let p = s.load(&[("BSEC_TOKEN", "x")]);
    let err = berth_core::compose::up(&engine, &p, &UpOptions::default(), &|_| {}).await.unwrap_err().to_string();
    let file = s.dir.path().join("pw.txt");
    assert_eq!(
        err,
        format!(
            "Secret \"pw\" reads the file {}, which does not exist. Create it, or fix secrets.pw.file in the compose file.",
            file.display()
        )
    );
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("label=com.docker.compose.project={}", s.name)]), "");
}

const LOGGER: &str = r#"
services:
  web:
    image: IMAGE
    command: sh -c "echo started; exec sleep 3600"
    stop_grace_period: 1s
"#;

#[tokio::test]
async fn stack_logs_attach_new_containers_without_repeating_lines() {
    if !enabled("compose logs") {
        return;
    }
    let engine = engine().await;
    let s = Stack::named(format!("berthcmp-logs-{}", std::process::id()), LOGGER);
    let p = s.load(&[]);
    up(&engine, &p, &UpOptions::default()).await;
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = lines.clone();
    let (engine2, name) = (engine.clone(), s.name.clone());
    let follow = tokio::spawn(async move {
        let opts = LogOptions { follow: true, timestamps: false, tail: None };
        compose::logs::follow(&engine2, &name, None, opts, |e| {
            if let LogEvent::Lines { lines } = e {
                seen.lock().unwrap().extend(lines.into_iter().map(|l| l.text));
            }
        })
        .await
    });
    let count = |who: &str| lines.lock().unwrap().iter().filter(|l| l.contains(&format!("{who} |")) && l.ends_with("started")).count();
    until(20, "web-1's first line", async || (count("web-1") == 1).then_some(())).await;

    // Scale up: the new container's lines arrive on the same stream.
    up(&engine, &p, &UpOptions { scale: [("web".to_string(), 2)].into(), ..Default::default() }).await;
    until(20, "web-2's line", async || (count("web-2") == 1).then_some(())).await;

    // Restart: web-1 is followed again from where it stopped, its old line not repeated.
    docker(&["restart", "-t", "1", &format!("{}-web-1", s.name)]);
    until(20, "web-1's second start", async || (count("web-1") == 2).then_some(())).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!((count("web-1"), count("web-2")), (2, 1), "{:?}", lines.lock().unwrap());
    follow.abort();
}

#[tokio::test]
async fn build_then_up_with_build_recreates_only_what_changed() {
    if !enabled("compose build") {
        return;
    }
    let engine = engine().await;
    let yaml = "services:\n  a:\n    build: ./a\n    stop_grace_period: 1s\n  b:\n    build: ./b\n    stop_grace_period: 1s\n  inline:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM IMAGE\n        RUN echo from-inline > /built\n        CMD [\"sleep\", \"3600\"]\n    stop_grace_period: 1s\n";
    let s = Stack::named(format!("berthcmp-rebuild-{}", std::process::id()), yaml);
    let dockerfile = |svc: &str, extra: &str| {
        std::fs::create_dir_all(s.dir.path().join(svc)).unwrap();
        std::fs::write(
            s.dir.path().join(svc).join("Dockerfile"),
            format!("FROM {IMAGE}\nRUN echo {svc}{extra} > /built\nCMD [\"sleep\", \"3600\"]\n"),
        )
        .unwrap();
    };
    dockerfile("a", "");
    dockerfile("b", "");
    let _images = ImageCleanup(["a", "b", "inline"].iter().map(|x| format!("{}-{x}", s.name)).collect());
    let p = s.load(&[]);
    up(&engine, &p, &UpOptions::default()).await;
    let c = |svc: &str| format!("{}-{svc}-1", s.name);
    assert_eq!(docker(&["exec", &c("inline"), "cat", "/built"]), "from-inline");
    // The inline Dockerfile was sent in the context, not written into the folder.
    let names: Vec<_> = std::fs::read_dir(s.dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".dockerfile")), "{names:?}");
    let id = |svc: &str| docker(&["inspect", "-f", "{{.Id}}", &c(svc)]);
    let before = (id("a"), id("b"), id("inline"));

    dockerfile("b", "-changed");
    let lines = std::sync::Mutex::new(Vec::new());
    compose::build(&engine, &p, &["b".to_string()], &|pr| lines.lock().unwrap().push(format!("{} {}", pr.resource, pr.state)))
        .await
        .unwrap();
    assert!(lines.lock().unwrap().contains(&format!("Image {}-b Built", s.name)), "{lines:?}");
    let err = compose::build(&engine, &p, &["nope".to_string()], &|_| {}).await.unwrap_err().to_string();
    assert!(err.contains("no service \"nope\""), "{err}");

    let lines = up(&engine, &p, &UpOptions { build: true, ..Default::default() }).await;
    assert_eq!((id("a"), id("inline")), (before.0, before.2), "{lines:?}");
    assert_ne!(id("b"), before.1, "{lines:?}");
    assert_eq!(docker(&["exec", &c("b"), "cat", "/built"]), "b-changed");
}
