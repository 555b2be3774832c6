use super::support::*;
use berth_core::containers::run::{self, Restart, RunSpec};
use berth_core::containers::ContainerState;
use berth_core::ErrorCode;

fn spec(name: &str) -> RunSpec {
    RunSpec { image: IMAGE.into(), name: Some(name.into()), command: Some("sleep 300".into()), ..Default::default() }
}

#[tokio::test]
async fn run_creates_and_starts_with_ports_env_volumes_and_policy() {
    if !enabled("run_creates_and_starts") {
        return;
    }
    let engine = engine().await;
    let name = name("run");
    let volume = format!("{name}-data");
    let s = RunSpec {
        command: Some("httpd -f -p 80".into()),
        env: vec!["MODE=test".into()],
        ports: vec!["127.0.0.1::80".into()],
        volumes: vec![format!("{volume}:/data"), "/tmp:/host:ro".into()],
        restart: Restart::UnlessStopped,
        ..spec(&name)
    };
    // Dropped last, once the container that uses it is gone.
    let _v = VolumeCleanup(volume.clone());
    let row = run::run(&engine, &s).await.unwrap();
    let _c = Cleanup(row.id.clone());
    assert_eq!(row.name, name);
    assert_eq!(row.state, ContainerState::Running);
    let port = row.ports[0].public_port.expect("a random host port");
    // The web server answers on the published port.
    let body = until(10, "httpd", async || {
        let out =
            std::process::Command::new("docker").args(["exec", &row.id, "wget", "-q", "-O-", "http://127.0.0.1:80/"]).output().ok()?;
        Some(out)
    })
    .await;
    let _ = body;
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(), "port {port} is published");
    let inspect = docker(&["inspect", "-f", "{{.HostConfig.RestartPolicy.Name}} {{range .Config.Env}}{{.}},{{end}}", &row.id]);
    assert!(inspect.starts_with("unless-stopped "), "{inspect}");
    assert!(inspect.contains("MODE=test"), "{inspect}");
    let mounts = docker(&["inspect", "-f", "{{range .Mounts}}{{.Type}}:{{.Destination}}:{{.RW}} {{end}}", &row.id]);
    assert!(mounts.contains("volume:/data:true") && mounts.contains("bind:/host:false"), "{mounts}");
}

struct VolumeCleanup(String);
impl Drop for VolumeCleanup {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker").args(["volume", "rm", "-f", &self.0]).output();
    }
}

#[tokio::test]
async fn run_errors_name_the_field_and_leave_nothing_behind() {
    if !enabled("run_errors_name_the_field") {
        return;
    }
    let engine = engine().await;

    let err = run::run(&engine, &RunSpec { image: "berth-test/not-here:9".into(), ..Default::default() }).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (ErrorCode::InvalidInput, Some("image")));
    assert!(err.to_string().contains("is not on this engine"), "{err}");

    let taken = name("taken");
    let id = run_sh(&taken, "sleep 300");
    let _c = Cleanup(id);
    let err = run::run(&engine, &spec(&taken)).await.unwrap_err();
    assert_eq!(err.field(), Some("name"));
    assert_eq!(err.to_string(), format!("The name \"{taken}\" is already used by another container."));

    // A host port that is already published: the start fails, and the half-made container is
    // removed so the same name can be used again.
    let holder = name("holder");
    let hid = docker(&["run", "-d", "--name", &holder, "--label", run_label(), "-p", "127.0.0.1:18999:80", IMAGE, "sleep", "300"]);
    let _h = Cleanup(hid);
    let clash = name("clash");
    let err = run::run(&engine, &RunSpec { ports: vec!["127.0.0.1:18999:80".into()], ..spec(&clash) }).await.unwrap_err();
    assert_eq!(err.field(), Some("ports"), "{err}");
    assert!(err.to_string().contains("18999 is already in use"), "{err}");
    let left = docker(&["ps", "-a", "-q", "--filter", &format!("name=^{clash}$")]);
    assert!(left.is_empty(), "the failed container was removed");

    let err = run::run(&engine, &RunSpec { network: Some("berth-no-such-net".into()), ..spec(&name("net")) }).await.unwrap_err();
    assert_eq!(err.field(), Some("network"), "{err}");
}
