//! Networks: create with a subnet (and the refusals that name a field), connect and disconnect
//! with aliases, predefined and in-use refusals, remove and prune.

use crate::support::{self, docker, enabled, run_sh, Cleanup};
use berth_core::networks::{self, NetworkSpec};
use berth_core::ErrorCode;
use std::collections::BTreeMap;

struct NetworkCleanup(Vec<String>);

impl Drop for NetworkCleanup {
    fn drop(&mut self) {
        for n in &self.0 {
            let _ = std::process::Command::new("docker").args(["network", "rm", n]).output();
        }
    }
}

fn spec(name: &str, subnet: &str, gateway: &str, extra: &[(&str, String)]) -> NetworkSpec {
    let mut labels: BTreeMap<String, String> = extra.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let (k, v) = support::run_label().split_once('=').unwrap();
    labels.insert(k.into(), v.into());
    NetworkSpec { name: name.into(), subnet: subnet.into(), gateway: gateway.into(), labels, ..Default::default() }
}

/// A /24 unlikely to clash with other networks on the shared engine.
fn subnet() -> (String, String) {
    let n = 100 + std::process::id() % 100;
    (format!("10.231.{n}.0/24"), format!("10.231.{n}.1"))
}

#[tokio::test]
async fn create_connect_disconnect_and_remove() {
    if !enabled("create_connect_disconnect_and_remove") {
        return;
    }
    let engine = support::engine().await;
    let name = support::name("bvol-net");
    let _networks = NetworkCleanup(vec![name.clone()]);
    let (subnet, gateway) = subnet();
    let made = networks::create(&engine, spec(&name, &subnet, &gateway, &[])).await.unwrap();
    assert_eq!(
        (made.driver.as_str(), made.subnets[0].subnet.as_str(), made.subnets[0].gateway.as_str()),
        ("bridge", subnet.as_str(), gateway.as_str())
    );

    let e = networks::create(&engine, spec(&name, "", "", &[])).await.unwrap_err();
    assert_eq!((e.code(), e.field()), (ErrorCode::InvalidInput, Some("name")));
    let other = support::name("bvol-net2");
    let _other = NetworkCleanup(vec![other.clone()]);
    let e = networks::create(&engine, spec(&other, "10.231.0.0/33", "", &[])).await.unwrap_err();
    assert_eq!(e.field(), Some("subnet"), "{e}");
    let e = networks::create(&engine, spec(&other, &subnet, "", &[])).await.unwrap_err();
    assert_eq!(e.field(), Some("subnet"), "an overlapping subnet is refused in words: {e}");
    assert!(e.to_string().contains("overlaps"), "{e}");

    let c = support::name("bvol-member");
    let _container = Cleanup(c.clone());
    run_sh(&c, "sleep 60");
    networks::connect(&engine, &name, &c, vec!["db".into(), " cache ".into()]).await.unwrap();
    let row = networks::list(&engine).await.unwrap().into_iter().find(|n| n.name == name).expect("listed");
    let member = row.containers.iter().find(|m| m.name == c).expect("attached");
    assert!(member.running && member.ipv4.starts_with("10.231."), "{member:?}");
    let aliases = docker(&["inspect", "-f", &format!("{{{{json (index .NetworkSettings.Networks \"{name}\").Aliases}}}}"), &c]);
    assert!(aliases.contains("\"db\"") && aliases.contains("\"cache\""), "{aliases}");
    let e = networks::connect(&engine, &name, &c, vec![]).await.unwrap_err();
    assert!(e.to_string().contains("already connected"), "{e}");

    let e = networks::remove(&engine, &name).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert!(e.to_string().contains(&c), "names the container: {e}");

    networks::disconnect(&engine, &name, &c).await.unwrap();
    let details = networks::inspect(&engine, &name).await.unwrap();
    assert!(details.summary.containers.is_empty() && details.raw.contains(&subnet));
    networks::remove(&engine, &name).await.unwrap();
    assert!(networks::list(&engine).await.unwrap().iter().all(|n| n.name != name));
}

#[tokio::test]
async fn predefined_networks_are_refused_in_words() {
    if !enabled("predefined_networks_are_refused_in_words") {
        return;
    }
    let engine = support::engine().await;
    for name in ["bridge", "host", "none"] {
        let e = networks::remove(&engine, name).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert!(e.to_string().starts_with(&format!("{name} is one of the engine's own networks")), "{e}");
    }
    let row = networks::list(&engine).await.unwrap().into_iter().find(|n| n.name == "bridge").unwrap();
    assert!(row.predefined && !row.subnets.is_empty());
}

#[tokio::test]
async fn prune_removes_only_unused_networks() {
    if !enabled("prune_removes_only_unused_networks") {
        return;
    }
    let engine = support::engine().await;
    let (unused, used) = (support::name("bvol-pn-unused"), support::name("bvol-pn-used"));
    let _networks = NetworkCleanup(vec![unused.clone(), used.clone()]);
    let mark = [("bvol.prune", std::process::id().to_string())];
    let only = vec![format!("bvol.prune={}", std::process::id())];
    networks::create(&engine, spec(&unused, "", "", &mark)).await.unwrap();
    networks::create(&engine, spec(&used, "", "", &mark)).await.unwrap();
    let c = support::name("bvol-pn-member");
    let _container = Cleanup(c.clone());
    docker(&["run", "-d", "--name", &c, "--label", support::run_label(), "--network", &used, support::IMAGE, "sleep", "60"]);

    let estimate = networks::prune_estimate(&engine, &only).await.unwrap().networks;
    assert_eq!(estimate, vec![unused.clone()]);
    assert_eq!(networks::prune(&engine, &estimate).await.unwrap().networks, vec![unused.clone()]);
    let left: Vec<String> = networks::list(&engine).await.unwrap().into_iter().map(|n| n.name).collect();
    assert!(left.contains(&used) && !left.contains(&unused));
}

#[tokio::test]
async fn prune_removes_exactly_what_was_confirmed() {
    if !enabled("network_prune_removes_exactly_what_was_confirmed") {
        return;
    }
    let engine = support::engine().await;
    let (gone, taken, late) = (support::name("bvol-pn-gone"), support::name("bvol-pn-taken"), support::name("bvol-pn-late"));
    let _networks = NetworkCleanup(vec![gone.clone(), taken.clone(), late.clone()]);
    let mark = [("bvol.exact", std::process::id().to_string())];
    let only = vec![format!("bvol.exact={}", std::process::id())];
    networks::create(&engine, spec(&gone, "", "", &mark)).await.unwrap();
    networks::create(&engine, spec(&taken, "", "", &mark)).await.unwrap();
    let mut estimate = networks::prune_estimate(&engine, &only).await.unwrap().networks;
    estimate.sort();
    let mut want = vec![gone.clone(), taken.clone()];
    want.sort();
    assert_eq!(estimate, want);

    // After the confirmation: a new unused network appears, and a running container joins a listed one.
    networks::create(&engine, spec(&late, "", "", &mark)).await.unwrap();
    let c = support::name("bvol-pn-joiner");
    let _container = Cleanup(c.clone());
    docker(&["run", "-d", "--name", &c, "--label", support::run_label(), "--network", &taken, support::IMAGE, "sleep", "60"]);

    let report = networks::prune(&engine, &estimate).await.unwrap();
    assert_eq!(report.networks, vec![gone.clone()]);
    assert_eq!(report.changes.kept.len(), 1, "{report:?}");
    assert!(report.changes.kept[0].name == taken && report.changes.kept[0].why.contains(&c), "{report:?}");
    assert!(report.changes.appeared.contains(&late), "{report:?}");
    let left: Vec<String> = networks::list(&engine).await.unwrap().into_iter().map(|n| n.name).collect();
    assert!(left.contains(&late) && left.contains(&taken) && !left.contains(&gone), "{left:?}");
}
