//! Registry logins against real parts: the htpasswd registry (scripts/registry.sh), GNOME
//! Keyring's Secret Service (scripts/keyring.sh), Docker's docker-credential-secretservice and
//! the docker CLI. Its own test binary because each test points HOME and DOCKER_CONFIG at a
//! temporary folder, one test at a time, which would disturb the engine tests beside it.

#[path = "../engine/support.rs"]
#[allow(dead_code)]
mod support;

use base64::Engine as _;
use berth_core::images::{self, normalize, TransferEvent};
use berth_core::registry::{self, Host, LoginRequest, Places, KEYCHAIN_SERVICE};
use berth_core::ErrorCode;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::MutexGuard;

const USER: &str = "berth";
const SECRET: &str = "berth-test-secret";

/// Everything logged in this run with the app's filter at its most verbose (BERTH_LOG=trace:
/// berth-core at trace, the engine and HTTP clients as far as the app lets them), searched for
/// the secret.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(berth_core::logging::filter(Some("trace"))))
            .with_writer(move || Writer(sink.clone()))
            .init();
        buffer
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Writer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A test's world: a temporary HOME holding DOCKER_CONFIG and Berth's config, the registry
/// as `127.0.0.1:<port>`, and no login for it anywhere yet.
struct Session {
    _turn: MutexGuard<'static, ()>,
    home: tempfile::TempDir,
    places: Places,
    registry: String,
}

impl Session {
    async fn start(test: &str, config_json: &str) -> Option<Session> {
        if !support::enabled(test) {
            return None;
        }
        assert_eq!(
            std::env::var("BERTH_TEST_KEYRING").as_deref(),
            Ok("1"),
            "{test} needs a real Secret Service: run it through scripts/keyring.sh (make test-core does)"
        );
        static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let turn = TURN.lock().await;
        log();
        let registry = support::registry();
        let home = tempfile::tempdir().unwrap();
        let docker_config = home.path().join(".docker");
        std::fs::create_dir_all(&docker_config).unwrap();
        std::fs::write(docker_config.join("config.json"), config_json).unwrap();
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_CONFIG_HOME", home.path().join(".config"));
        std::env::set_var("XDG_DATA_HOME", home.path().join(".local/share"));
        std::env::set_var("DOCKER_CONFIG", &docker_config);
        // Fake credential helpers (fake_helper) go in the session's own bin, first on PATH.
        static PATH: OnceLock<std::ffi::OsString> = OnceLock::new();
        let path = PATH.get_or_init(|| std::env::var_os("PATH").unwrap_or_default());
        let bin = home.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(path));
        std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
        let session = Session { _turn: turn, places: Places::from_process(), home, registry };
        assert!(session.places.berth_config.starts_with(session.home.path()), "{:?}", session.places);
        session.forget_everywhere();
        Some(session)
    }

    /// A docker-credential-<name> script on PATH that records every action it is asked for in
    /// the returned file; `list` names the test registry, `get` answers a login, and `store`
    /// fails when `fail_store`.
    fn fake_helper(&self, name: &str, fail_store: bool) -> PathBuf {
        self.fake_helper_in(&self.home.path().join("bin"), name, fail_store)
    }

    /// [`Session::fake_helper`] in the folder `dir`.
    fn fake_helper_in(&self, dir: &Path, name: &str, fail_store: bool) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let record = self.home.path().join(format!("{name}.calls"));
        let reg = &self.registry;
        let store = if fail_store { "echo 'the keychain refused'; exit 1" } else { "cat >/dev/null" };
        let script = format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\ncase \"$1\" in\n  list) echo '{{\"{reg}\":\"{USER}\"}}' ;;\n  get) cat >/dev/null; echo '{{\"ServerURL\":\"{reg}\",\"Username\":\"{USER}\",\"Secret\":\"fake\"}}' ;;\n  store) {store} ;;\n  *) cat >/dev/null ;;\nesac\n",
            record.display()
        );
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("docker-credential-{name}"));
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        record
    }

    fn config_text(&self) -> String {
        std::fs::read_to_string(self.places.docker_config.join("config.json")).unwrap()
    }

    fn docker_config(&self) -> String {
        self.places.docker_config.display().to_string()
    }

    /// Leftovers of an earlier, failed test in the shared keyring.
    fn forget_everywhere(&self) {
        let _ = Command::new("secret-tool").args(["clear", "service", KEYCHAIN_SERVICE, "username", &self.registry]).status();
        let _ = helper("erase", &self.registry);
    }

    /// config.json's `auths`.
    fn auths(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.places.docker_config.join("config.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["auths"].clone()
    }

    fn request(&self, secret: &str) -> LoginRequest {
        LoginRequest {
            host: self.registry.clone(),
            username: USER.into(),
            secret: secret.into(),
            share_with_cli: true,
            trust_token_host: None,
        }
    }

    /// `docker --config <ours> <args>`, its success and its output.
    fn docker(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new("docker").arg("--config").arg(self.docker_config()).args(args).output().unwrap();
        (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }

    /// The secret, plain or base64 (as config.json would hold it), in no file under HOME
    /// (DOCKER_CONFIG and Berth's config are there) and in no log line.
    fn assert_no_secret_outside_the_keychain(&self) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"));
        let mut files = 0;
        walk(self.home.path(), &mut |path, bytes| {
            files += 1;
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(SECRET) && !text.contains(&encoded), "the secret is in {}", path.display());
        });
        let log = String::from_utf8_lossy(&log().lock().unwrap()).to_string();
        assert!(!log.contains(SECRET) && !log.contains(&encoded), "the secret is in the log");
        assert!(files > 0, "nothing was searched");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.forget_everywhere();
    }
}

fn walk(dir: &Path, visit: &mut dyn FnMut(&Path, &[u8])) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, visit);
        } else if let Ok(bytes) = std::fs::read(&path) {
            visit(&path, &bytes);
        }
    }
}

/// What the keychain holds under Berth's item for `host`, via libsecret's own tool.
fn keychain_lookup(host: &str) -> Option<String> {
    let out = Command::new("secret-tool").args(["lookup", "service", KEYCHAIN_SERVICE, "username", host]).output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).to_string()).filter(|s| out.status.success() && !s.is_empty())
}

/// docker-credential-secretservice <action> with `input` on stdin.
fn helper(action: &str, input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("docker-credential-secretservice")
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker-credential-secretservice runs (scripts/deps.sh test installs it)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
}

/// An image on the test registry (the test image under another name), pushed with the
/// registry script's own login; removed locally when dropped.
fn pushed_image(registry: &str, name: &str) -> (String, support::ImageCleanup) {
    let remote = format!("{registry}/berth-reg-{}/{name}:1", std::process::id());
    support::docker(&["tag", support::IMAGE, &remote]);
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/registry/docker-config");
    support::docker(&["--config", config, "push", &remote]);
    support::docker(&["rmi", &remote]);
    (remote.clone(), support::ImageCleanup(vec![remote]))
}

#[tokio::test]
async fn login_is_checked_and_kept_only_in_the_keychain() {
    let Some(s) = Session::start("login_is_checked_and_kept_only_in_the_keychain", "{}").await else { return };

    let e = registry::login(&s.places, s.request("not-the-password")).await.unwrap_err();
    assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("secret")));
    assert!(e.to_string().starts_with("Wrong username or password for"), "{e}");
    assert!(!format!("{e} {}", e.detail()).contains("not-the-password"));
    assert_eq!(keychain_lookup(&s.registry), None, "a wrong password is not stored");
    assert!(registry::list(&s.places).await.unwrap().logins.is_empty());

    let state = registry::login(&s.places, s.request(SECRET)).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).expect("listed");
    assert_eq!((login.username.as_str(), login.keychain, login.plain_text), (USER, true, false));
    assert_eq!(keychain_lookup(&s.registry).as_deref(), Some(SECRET), "the secret is in the Secret Service");
    let found = registry::credentials_for(&s.places, &Host::parse(&s.registry).unwrap()).await.unwrap();
    assert_eq!((found.username.as_str(), found.password.as_str()), (USER, SECRET));
    assert!(serde_json::to_string(&state).unwrap().find(SECRET).is_none(), "never back to the UI");
    s.assert_no_secret_outside_the_keychain();

    let state = registry::logout(&s.places, &s.registry).await.unwrap();
    assert!(state.logins.is_empty(), "{state:?}");
    assert_eq!(keychain_lookup(&s.registry), None, "logout removes the secret");
}

#[tokio::test]
async fn docker_cli_pulls_after_a_berth_login() {
    let Some(s) = Session::start("docker_cli_pulls_after_a_berth_login", r#"{"credsStore":"secretservice"}"#).await else { return };
    let (image, _cleanup) = pushed_image(&s.registry, "cli");

    let (ok, out) = s.docker(&["pull", &image]);
    assert!(!ok, "no login yet: {out}");

    let state = registry::login(&s.places, s.request(SECRET)).await.unwrap();
    let login = &state.logins[0];
    assert_eq!((login.keychain, login.helper.as_deref()), (true, Some("secretservice")), "{state:?}");
    assert_eq!(state.cli_helper.as_deref(), Some("secretservice"));
    let (ok, out) = helper("list", "");
    assert!(ok && out.contains(&s.registry), "docker's helper holds it: {out}");
    let (ok, out) = s.docker(&["pull", &image]);
    assert!(ok, "docker pull after a Berth login: {out}");
    s.assert_no_secret_outside_the_keychain();
    // As after `docker login`: an empty entry, which `docker logout` needs to find.
    assert_eq!(s.auths()[&s.registry], serde_json::json!({}));

    registry::logout(&s.places, &s.registry).await.unwrap();
    assert!(s.auths().get(&s.registry).is_none(), "{}", s.auths());
    let (ok, _) = helper("get", &s.registry);
    assert!(!ok, "logout erases the helper's copy too");
    support::docker(&["rmi", &image]);
    let (ok, out) = s.docker(&["pull", &image]);
    assert!(!ok, "logged out everywhere: {out}");
}

#[tokio::test]
async fn a_docker_login_is_seen_and_used() {
    let Some(s) = Session::start("a_docker_login_is_seen_and_used", r#"{"credsStore":"secretservice"}"#).await else { return };
    let (image, _cleanup) = pushed_image(&s.registry, "seen");

    let mut login = Command::new("docker")
        .args(["--config", &s.docker_config(), "login", "-u", USER, "--password-stdin", &s.registry])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut login.stdin.take().unwrap(), SECRET.as_bytes()).unwrap();
    let out = login.wait_with_output().unwrap();
    assert!(out.status.success(), "docker login: {}", String::from_utf8_lossy(&out.stderr));

    let state = registry::list(&s.places).await.unwrap();
    let seen = state.logins.iter().find(|l| l.host == s.registry).expect("the terminal's login is listed");
    assert_eq!((seen.username.as_str(), seen.keychain, seen.helper.as_deref()), (USER, false, Some("secretservice")));

    // Pull and search in Berth use it.
    let engine = support::engine().await;
    let reference = normalize(&image).unwrap();
    let mut last = None;
    images::pull(&engine, &reference, |e| last = Some(e)).await;
    assert!(matches!(last, Some(TransferEvent::Done { .. })), "{last:?}");
    let repos = images::registry_repositories(&s.registry, &format!("berth-reg-{}", std::process::id())).await.unwrap();
    assert!(repos.iter().any(|r| r.ends_with("/seen")), "{repos:?}");
    // And a build from an image there would get it as X-Registry-Config; one from elsewhere would not.
    let config = registry::registry_config(&s.places, &[Host::parse(&s.registry).unwrap()]).await;
    assert_eq!(config.get(&s.registry).and_then(|c| c.password.as_deref()), Some(SECRET));
    assert!(registry::registry_config(&s.places, &[Host::parse("ghcr.io").unwrap()]).await.is_empty());
    s.assert_no_secret_outside_the_keychain();

    let state = registry::logout(&s.places, &s.registry).await.unwrap();
    assert!(state.logins.is_empty(), "{state:?}");
}

#[tokio::test]
async fn a_plain_text_login_moves_into_the_keychain() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"));
    let registry = support::registry();
    let config = format!(r#"{{"auths":{{"{registry}":{{"auth":"{encoded}"}}}},"credsStore":"secretservice","currentContext":"default"}}"#);
    let Some(s) = Session::start("a_plain_text_login_moves_into_the_keychain", &config).await else { return };

    let state = registry::list(&s.places).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).unwrap();
    assert_eq!((login.plain_text, login.keychain), (true, false), "{state:?}");

    let state = registry::move_to_keychain(&s.places, &s.registry, None).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).unwrap();
    assert_eq!((login.plain_text, login.keychain, login.helper.as_deref()), (false, true, Some("secretservice")), "{state:?}");
    assert_eq!(keychain_lookup(&s.registry).as_deref(), Some(SECRET));
    let text = std::fs::read_to_string(s.places.docker_config.join("config.json")).unwrap();
    assert!(text.contains("currentContext") && text.contains("credsStore"), "other settings stay: {text}");
    s.assert_no_secret_outside_the_keychain();
    registry::logout(&s.places, &s.registry).await.unwrap();
}

/// Runs itself again in a process whose session bus is nowhere (the D-Bus connection is
/// made once per process), as on a desktop without a Secret Service.
#[tokio::test]
async fn without_a_keychain_nothing_is_stored() {
    const TEST: &str = "without_a_keychain_nothing_is_stored";
    if std::env::var_os("BERTH_TEST_NO_BUS").is_none() {
        let mut again = Command::new(std::env::current_exe().unwrap());
        again.env("BERTH_TEST_NO_BUS", "1").env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/berth-no-bus").env_remove("DISPLAY");
        return run_alone(TEST, again);
    }
    let Some(s) = Session::start(TEST, "{}").await else { return };
    let e = registry::login(&s.places, s.request(SECRET)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Keychain, "{e}");
    assert!(e.to_string().contains("keychain cannot be used, so nothing was saved"), "{e}");
    println!("no keychain: {e}");
    assert!(registry::list(&s.places).await.unwrap().logins.is_empty());
    s.assert_no_secret_outside_the_keychain();
}

#[tokio::test]
async fn unreachable_and_untrusted_registries_are_explained() {
    let Some(s) = Session::start("unreachable_and_untrusted_registries_are_explained", "{}").await else { return };
    let login = |host: &str| {
        let mut request = s.request(SECRET);
        request.host = host.into();
        request
    };

    let e = registry::login(&s.places, login("127.0.0.1:1")).await.unwrap_err();
    assert!(e.to_string().starts_with("Cannot reach the registry 127.0.0.1:1."), "{e}");

    // A TLS server (openssl s_server) whose certificate comes from a private CA.
    let dir = tempfile::tempdir().unwrap();
    let script = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=berth-test-ca -days 1 -keyout ca.key -out ca.pem \
        && openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout k.pem -out s.csr \
        && printf 'subjectAltName=IP:127.0.0.1' > ext \
        && openssl x509 -req -in s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext -out c.pem";
    let ok = Command::new("sh").args(["-c", script]).current_dir(dir.path()).stderr(Stdio::null()).status().unwrap().success();
    assert!(ok, "openssl makes a CA and a server certificate");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-cert", "c.pem", "-key", "k.pem", "-accept", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let host = format!("https://127.0.0.1:{port}");
    let mut result = None;
    for _ in 0..50 {
        let r = registry::login(&s.places, login(&host)).await;
        if !matches!(&r, Err(e) if e.to_string().starts_with("Cannot reach")) {
            result = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let e = result.expect("the TLS server answered").unwrap_err();
    assert!(e.to_string().contains("certificate this computer does not trust"), "{e}");
    assert!(e.to_string().contains(&format!("certs.d/127.0.0.1:{port}/ca.crt")), "{e}");
    assert!(registry::list(&s.places).await.unwrap().logins.is_empty());

    // Trusted the way docker trusts it (certs.d), the TLS handshake passes (s_server answers
    // every request with 200, so the "login" succeeds).
    let certs = s.places.docker_config.join(format!("certs.d/127.0.0.1:{port}"));
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(dir.path().join("ca.pem"), certs.join("ca.crt")).unwrap();
    let r = registry::login(&s.places, login(&host)).await;
    let _ = server.kill();
    let _ = server.wait();
    r.expect("trusted through certs.d");
    registry::logout(&s.places, &host).await.unwrap();
}

/// config.json as the docker CLI writes it (tab-indented, its own key order), with the test
/// registry's login in plain text and settings Berth does not know.
/// Runs `test` again, alone, through `again` (this test binary, or a wrapper of it, with the
/// environment it needs), and asserts it passed there.
fn run_alone(test: &str, mut again: Command) {
    if !support::enabled(test) {
        return;
    }
    let out = again.args(["--exact", test, "--nocapture"]).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.contains("1 passed"), "{said}");
}

fn cli_config(registry: &str, extra: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"));
    format!("{{\n\t\"auths\": {{\n\t\t\"{registry}\": {{\n\t\t\t\"auth\": \"{encoded}\"\n\t\t}}\n\t}},\n\t\"psFormat\": \"table {{{{.Names}}}}\",{extra}\n\t\"aliases\": {{\n\t\t\"builder\": \"buildx\"\n\t}},\n\t\"currentContext\": \"default\"\n}}")
}

#[tokio::test]
async fn moving_into_the_keychain_without_a_cli_helper_keeps_the_cli_logged_in() {
    const TEST: &str = "moving_into_the_keychain_without_a_cli_helper_keeps_the_cli_logged_in";
    let config = cli_config(&support::registry(), "");
    let Some(s) = Session::start(TEST, &config).await else { return };
    let (image, _cleanup) = pushed_image(&s.registry, "plain");

    let state = registry::move_to_keychain(&s.places, &s.registry, None).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).unwrap();
    assert_eq!((login.keychain, login.plain_text, login.helper.as_deref()), (true, true, None), "{state:?}");
    assert_eq!(keychain_lookup(&s.registry).as_deref(), Some(SECRET), "Berth's copy is in the keychain");
    assert_eq!(s.config_text(), config, "config.json is left exactly as it was");
    let (ok, out) = s.docker(&["pull", &image]);
    assert!(ok, "the docker CLI is still logged in: {out}");
    registry::logout(&s.places, &s.registry).await.unwrap();
}

#[tokio::test]
async fn a_failed_relogin_keeps_the_working_secret() {
    let Some(s) = Session::start("a_failed_relogin_keeps_the_working_secret", r#"{"credsStore":"secretservice"}"#).await else { return };
    registry::login(&s.places, s.request(SECRET)).await.unwrap();

    let e = registry::login(&s.places, s.request("not-the-password")).await.unwrap_err();
    assert_eq!(e.field(), Some("secret"), "{e}");
    assert_eq!(keychain_lookup(&s.registry).as_deref(), Some(SECRET), "the keychain keeps the working secret");
    let (ok, out) = helper("get", &s.registry);
    assert!(ok && out.contains(SECRET), "the helper keeps it too: {out}");

    // The right password, but the docker CLI's helper refuses to store it: the login that
    // worked before stays, in the keychain and in Berth's list.
    s.fake_helper("refusing", true);
    std::fs::write(s.places.docker_config.join("config.json"), format!(r#"{{"credHelpers":{{"{}":"refusing"}}}}"#, s.registry)).unwrap();
    let e = registry::login(&s.places, s.request(SECRET)).await.unwrap_err();
    assert!(e.to_string().contains("the keychain refused"), "{e}");
    assert_eq!(keychain_lookup(&s.registry).as_deref(), Some(SECRET), "the keychain keeps the working secret");
    let found = registry::credentials_for(&s.places, &Host::parse(&s.registry).unwrap()).await;
    assert_eq!(found.map(|c| c.password.clone()).as_deref(), Some(SECRET), "Berth still uses it");
    std::fs::write(s.places.docker_config.join("config.json"), r#"{"credsStore":"secretservice"}"#).unwrap();
    registry::logout(&s.places, &s.registry).await.unwrap();
}

#[tokio::test]
async fn listing_logins_asks_no_helper_for_a_secret() {
    let registry = support::registry();
    let config = format!(r#"{{"credHelpers":{{"{registry}":"recording"}}}}"#);
    let Some(s) = Session::start("listing_logins_asks_no_helper_for_a_secret", &config).await else { return };
    let record = s.fake_helper("recording", false);

    let state = registry::list(&s.places).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).expect("the helper's login is listed");
    assert_eq!((login.username.as_str(), login.helper.as_deref()), (USER, Some("recording")), "{state:?}");
    let calls = || std::fs::read_to_string(&record).unwrap_or_default();
    assert_eq!(calls(), "list\n", "only `list` is asked");

    // The window lists on every focus: the helper (which may ask to unlock its keychain) is
    // asked again only once config.json changed, as `docker login` in a terminal changes it.
    registry::list(&s.places).await.unwrap();
    assert_eq!(calls(), "list\n", "nothing changed, nothing asked");
    let file = std::fs::File::options().write(true).open(s.places.docker_config.join("config.json")).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(2)).unwrap();
    let state = registry::list(&s.places).await.unwrap();
    assert_eq!(calls(), "list\nlist\n", "config.json changed");
    assert!(state.logins.iter().any(|l| l.host == s.registry), "{state:?}");
}

/// A desktop launch gives a bare PATH: a helper the docker CLI's installers put in one of the
/// folders searched after PATH (here ~/.docker/bin, HOME being the session's) is still used to
/// list and read logins.
#[tokio::test]
async fn a_helper_off_path_is_found_where_installers_put_it() {
    let registry = support::registry();
    let config = format!(r#"{{"credHelpers":{{"{registry}":"offpath"}}}}"#);
    let Some(s) = Session::start("a_helper_off_path_is_found_where_installers_put_it", &config).await else { return };
    let record = s.fake_helper_in(&s.home.path().join(".docker/bin"), "offpath", false);
    let path = std::env::var_os("PATH").unwrap();
    assert!(!std::env::split_paths(&path).any(|d| d.join("docker-credential-offpath").exists()), "not on PATH");

    let state = registry::list(&s.places).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).expect("the off-PATH helper's login is listed");
    assert_eq!((login.username.as_str(), login.helper.as_deref()), (USER, Some("offpath")), "{state:?}");
    let found = registry::credentials_for(&s.places, &Host::parse(&s.registry).unwrap()).await.expect("the helper answers get");
    assert_eq!((found.username.as_str(), found.password.as_str()), (USER, "fake"));
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "list\nget\n");
}

/// Debug logging (BERTH_LOG=debug, and trace for the engine client) shows no request body: a
/// container created with a secret in its environment, as Berth's run and compose up do, leaves
/// no trace of it in the log.
#[tokio::test]
async fn debug_logging_shows_no_request_bodies() {
    let Some(s) = Session::start("debug_logging_shows_no_request_bodies", "{}").await else { return };
    let engine = support::engine().await;
    let (key, value) = support::run_label().split_once('=').unwrap();
    let body = bollard::models::ContainerCreateBody {
        image: Some(support::IMAGE.into()),
        env: Some(vec![format!("TOKEN={SECRET}")]),
        labels: Some([(key.to_string(), value.to_string())].into()),
        ..Default::default()
    };
    let created = engine.docker().create_container(None::<bollard::query_parameters::CreateContainerOptions>, body).await.unwrap();
    let _cleanup = support::Cleanup(created.id.clone());
    engine.docker().inspect_container(&created.id, None).await.unwrap();
    s.assert_no_secret_outside_the_keychain();
}

/// With the platform's helper installed but not configured, moving sets it up for the docker
/// CLI: the login goes into it, config.json names it and loses the plain copy. The file is a
/// symlink (dotfiles) and stays one; every other byte stays as the docker CLI wrote it.
#[tokio::test]
async fn moving_into_the_keychain_can_set_up_the_cli_helper() {
    const TEST: &str = "moving_into_the_keychain_can_set_up_the_cli_helper";
    let registry = support::registry();
    let config = cli_config(&registry, "");
    let Some(s) = Session::start(TEST, &config).await else { return };
    let (image, _cleanup) = pushed_image(&s.registry, "helper");
    let link = s.places.docker_config.join("config.json");
    let target = s.home.path().join("dotfiles/docker.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::rename(&link, &target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let state = registry::list(&s.places).await.unwrap();
    assert_eq!((state.cli_helper.as_deref(), state.installable_helper.as_deref()), (None, Some("secretservice")));
    let state = registry::move_to_keychain(&s.places, &s.registry, Some("secretservice")).await.unwrap();
    let login = state.logins.iter().find(|l| l.host == s.registry).unwrap();
    assert_eq!((login.keychain, login.plain_text, login.helper.as_deref()), (true, false, Some("secretservice")), "{state:?}");

    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "config.json is still a link");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SECRET}"));
    let expected = config
        .replace(&format!("{{\n\t\t\t\"auth\": \"{encoded}\"\n\t\t}}"), "{}")
        .replace("\"currentContext\": \"default\"\n}", "\"currentContext\": \"default\",\n\t\"credsStore\": \"secretservice\"\n}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), expected, "only the login's entry and credsStore change");
    let (ok, out) = helper("get", &s.registry);
    assert!(ok && out.contains(SECRET), "docker's helper holds it: {out}");
    let (ok, out) = s.docker(&["pull", &image]);
    assert!(ok, "the docker CLI is still logged in: {out}");
    s.assert_no_secret_outside_the_keychain();
    registry::logout(&s.places, &s.registry).await.unwrap();
}

/// The keychain locked, hung, then gone, in the middle of a session: login, list and lookup answer
/// within a bound (a locked Secret Service may wait forever on a prompt nobody sees), login
/// with the Keychain sentence. Runs itself again beside a keyring of its own
/// (scripts/keyring.sh), since it locks and kills that keyring's daemon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_or_vanished_keychain_answers_with_a_sentence() {
    const TEST: &str = "a_locked_or_vanished_keychain_answers_with_a_sentence";
    if std::env::var_os("BERTH_TEST_OWN_KEYRING").is_none() {
        let mut again = Command::new("bash");
        again.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/keyring.sh")).arg(std::env::current_exe().unwrap());
        again.env("BERTH_TEST_OWN_KEYRING", "1").env_remove("BERTH_TEST_KEYRING");
        return run_alone(TEST, again);
    }
    let Some(s) = Session::start(TEST, "{}").await else { return };
    let host = Host::parse(&s.registry).unwrap();
    registry::login(&s.places, s.request(SECRET)).await.expect("the unlocked keychain keeps the login");
    let bound = std::time::Duration::from_secs(40);
    let bus = |args: &[&str]| {
        let out =
            Command::new("dbus-send").args(["--session", "--print-reply", "--dest=org.freedesktop.secrets"]).args(args).output().unwrap();
        assert!(out.status.success(), "dbus-send {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let check = async |state: &str| {
        let e = tokio::time::timeout(bound, registry::login(&s.places, s.request(SECRET)))
            .await
            .unwrap_or_else(|_| panic!("login with the keychain {state} did not answer"));
        match e {
            Err(e) => {
                println!("keychain {state}: {e}");
                assert_eq!(e.code(), ErrorCode::Keychain, "{e}");
                assert!(e.to_string().starts_with("The system keychain cannot be used"), "{e}");
            }
            // Unlocking without a prompt is the keyring's choice; then the login simply works.
            Ok(_) => println!("keychain {state}: the login was kept"),
        }
        tokio::time::timeout(bound, registry::list(&s.places)).await.expect("list answers").expect("list works");
        tokio::time::timeout(bound, registry::credentials_for(&s.places, &host)).await.expect("the lookup answers");
    };

    bus(&["/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login"]);
    check("locked").await;

    // The daemon of this run's own keyring (its bus is private to this process tree) goes away.
    let pid = Command::new("dbus-send")
        .args(["--session", "--print-reply=literal", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
        .args(["org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout).split_whitespace().last().unwrap_or_default().to_string();
    assert!(pid.parse::<u32>().is_ok(), "the keyring daemon's pid: {pid:?}");
    // First it hangs (a keychain that never answers, like one waiting on a prompt), then it dies.
    assert!(Command::new("kill").args(["-STOP", &pid]).status().unwrap().success());
    check("hung").await;
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let e = tokio::time::timeout(bound, registry::login(&s.places, s.request(SECRET)))
        .await
        .expect("login without a keychain answers")
        .expect_err("no keychain, no login");
    println!("keychain gone: {e}");
    assert_eq!(e.code(), ErrorCode::Keychain, "{e}");
    tokio::time::timeout(bound, registry::list(&s.places)).await.expect("list answers").expect("list works");
    assert!(tokio::time::timeout(bound, registry::credentials_for(&s.places, &host)).await.expect("the lookup answers").is_none());
}
