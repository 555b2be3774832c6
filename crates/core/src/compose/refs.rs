//! Services that point at other services: `network_mode`/`ipc`/`pid` `service:<name>`,
//! `volumes_from` and `links`. Compose makes each an implicit `depends_on`, and at create time
//! swaps the service name for a real container (the first of that service), as compose v2's
//! `resolveServiceReferences` and `getLinks` do.

use super::Problem;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The namespace attributes that may name a service or a container.
pub const NAMESPACES: [(&str, &str); 3] = [("network_mode", "network"), ("ipc", "IPC"), ("pid", "PID")];

/// A running container of a referenced service, as create needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub name: String,
    pub number: u32,
}

/// The containers of each referenced service, lowest number first.
pub type Targets = HashMap<String, Vec<Target>>;

fn strs(svc: &Value, key: &str) -> Vec<String> {
    svc.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// `service:<name>` as the name; `container:…`, `host`, … are not service references.
pub fn service_of(mode: &str) -> Option<&str> {
    mode.strip_prefix("service:")
}

/// The services `svc` points at, each with whether a recreate of it restarts `svc` (Compose:
/// `restart: true` for links and shared namespaces, not for `volumes_from`).
pub fn referenced(svc: &Value) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut add = |name: &str, restart: bool| {
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), restart));
        }
    };
    for link in strs(svc, "links") {
        add(link.split(':').next().unwrap_or_default(), true);
    }
    for (key, _) in NAMESPACES {
        if let Some(name) = svc.get(key).and_then(Value::as_str).and_then(service_of) {
            add(name, true);
        }
    }
    for v in strs(svc, "volumes_from") {
        if !v.starts_with("container:") {
            add(v.split(':').next().unwrap_or_default(), false);
        }
    }
    out
}

/// Add every reference as a `depends_on` entry unless one is there already, as compose-go's
/// normalisation does, so ordering, cycles and `docker compose config` all see them.
pub fn implicit_depends_on(model: &mut Value) {
    let Some(services) = model.get_mut("services").and_then(Value::as_object_mut) else { return };
    for svc in services.values_mut() {
        let refs = referenced(svc);
        if refs.is_empty() {
            continue;
        }
        let Some(s) = svc.as_object_mut() else { continue };
        let deps = s.entry("depends_on").or_insert_with(|| json!({}));
        let Some(deps) = deps.as_object_mut() else { continue };
        for (name, restart) in refs {
            deps.entry(name).or_insert_with(|| json!({"condition": "service_started", "restart": restart, "required": true}));
        }
    }
}

/// What the loader refuses about references, with compose-go's wording.
pub fn check(name: &str, svc: &Value, services: &serde_json::Map<String, Value>) -> Result<(), Problem> {
    let mode = svc.get("network_mode").and_then(Value::as_str);
    if mode.is_some() && svc.get("networks").and_then(Value::as_object).is_some_and(|n| !n.is_empty()) {
        return Err(Problem::new(format!("service {name} declares mutually exclusive `network_mode` and `networks`"))
            .at(format!("services.{name}.network_mode"), None));
    }
    if let Some(target) = mode.and_then(service_of) {
        if !services.contains_key(target) {
            return Err(Problem::new(format!("service \"{target}\" not found for network_mode 'service:{target}'"))
                .at(format!("services.{name}.network_mode"), None));
        }
    }
    Ok(())
}

/// Why the engine would refuse this service's container: with another container's network it
/// cannot publish, expose, link or name its host (moby's own wording, checked before anything
/// is created so a half-made stack is not left behind).
pub fn network_conflict(name: &str, svc: &Value) -> Option<(String, String)> {
    let mode = svc.get("network_mode").and_then(Value::as_str)?;
    if !(mode.starts_with("service:") || mode.starts_with("container:")) {
        return None;
    }
    let set = |k: &str| match svc.get(k) {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    let (field, what) = [
        ("ports", "port publishing and the container type network mode"),
        ("expose", "port exposing and the container type network mode"),
        ("links", "container type network can't be used with links"),
        ("hostname", "hostname and the network mode"),
        ("dns", "dns and the network mode"),
        ("extra_hosts", "custom host-to-IP mapping and the network mode"),
        ("mac_address", "mac-address and the network mode"),
    ]
    .into_iter()
    .find(|(k, _)| set(k))?;
    let owner = service_of(mode).map(|s| format!("service \"{s}\"")).unwrap_or_else(|| mode.to_string());
    Some((
        format!("services.{name}.{field}"),
        format!(
            "Service \"{name}\" uses the network of {owner} (network_mode: {mode}), so the engine refuses its {field} \
             (conflicting options: {what}). Move {field} to {owner} or remove it."
        ),
    ))
}

/// The service with its `service:` references swapped for the first container of that service:
/// `network_mode`/`ipc`/`pid` become `container:<id>`, `volumes_from` entries `<id>[:mode]`
/// (`container:<name>[:mode]` becomes `<name>[:mode]`). The result is what gets hashed, so a
/// recreated target (a new id) recreates the services that share it.
pub fn resolve(svc: &Value, targets: &Targets) -> Result<Value, String> {
    let mut out = svc.clone();
    let first = |service: &str, what: &str| -> Result<String, String> {
        targets.get(service).and_then(|c| c.first()).map(|c| c.id.clone()).ok_or_else(|| {
            format!("it cannot share the {what} of service \"{service}\", which has no container; bring \"{service}\" up first")
        })
    };
    for (key, what) in NAMESPACES {
        if let Some(target) = svc.get(key).and_then(Value::as_str).and_then(service_of) {
            out[key] = json!(format!("container:{}", first(target, &format!("{what} namespace"))?));
        }
    }
    if svc.get("volumes_from").is_some() {
        let mut from = Vec::new();
        for v in strs(svc, "volumes_from") {
            from.push(match v.strip_prefix("container:") {
                Some(container) => container.to_string(),
                None => {
                    let (service, mode) = v.split_once(':').map(|(s, m)| (s, Some(m))).unwrap_or((v.as_str(), None));
                    let id = first(service, "volumes")?;
                    mode.map(|m| format!("{id}:{m}")).unwrap_or(id)
                }
            });
        }
        out["volumes_from"] = json!(from);
    }
    Ok(out)
}

/// The engine's links for container `number` of the service: for each container of a linked
/// service `<name>:<alias>`, `<name>:<service>-<number>` and `<name>:<project>-<service>-<number>`
/// (compose v2's `getLinks`, which numbers them after the linking container), then
/// `external_links` as `<container>:<alias>`.
pub fn links(project: &str, svc: &Value, number: u32, targets: &Targets) -> Vec<String> {
    let mut out = Vec::new();
    for link in strs(svc, "links") {
        let (service, alias) = link.split_once(':').unwrap_or((&link, &link));
        for c in targets.get(service).into_iter().flatten() {
            out.push(format!("{}:{alias}", c.name));
            out.push(format!("{}:{service}-{number}", c.name));
            out.push(format!("{}:{project}-{service}-{number}", c.name));
        }
    }
    for link in strs(svc, "external_links") {
        let (container, alias) = link.split_once(':').unwrap_or((&link, &link));
        out.push(format!("{container}:{alias}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        HashMap::from([
            ("web".to_string(), vec![Target { id: "abc".into(), name: "p-web-1".into(), number: 1 }]),
            (
                "db".to_string(),
                vec![
                    Target { id: "d1".into(), name: "p-db-1".into(), number: 1 },
                    Target { id: "d2".into(), name: "p-db-2".into(), number: 2 },
                ],
            ),
        ])
    }

    #[test]
    fn references_become_depends_on_without_overriding_explicit_ones() {
        let mut model = json!({"services": {
            "side": {"network_mode": "service:web", "ipc": "service:web", "links": ["db:database"],
                     "volumes_from": ["data:ro", "container:other"], "depends_on": {"db": {"condition": "service_healthy", "required": true}}},
            "web": {}, "db": {}, "data": {}, "host": {"network_mode": "host", "pid": "container:x"}}});
        implicit_depends_on(&mut model);
        let deps = &model["services"]["side"]["depends_on"];
        assert_eq!(deps["web"], json!({"condition": "service_started", "restart": true, "required": true}));
        assert_eq!(deps["db"]["condition"], "service_healthy");
        assert_eq!(deps["data"]["restart"], false);
        assert!(deps.get("other").is_none());
        assert!(model["services"]["host"].get("depends_on").is_none());
    }

    #[test]
    fn resolve_swaps_services_for_their_first_container() {
        let svc = json!({"network_mode": "service:web", "pid": "service:db", "ipc": "shareable",
                         "volumes_from": ["web", "db:ro", "container:keep:rw"]});
        let r = resolve(&svc, &targets()).unwrap();
        assert_eq!(r["network_mode"], "container:abc");
        assert_eq!(r["pid"], "container:d1");
        assert_eq!(r["ipc"], "shareable");
        assert_eq!(r["volumes_from"], json!(["abc", "d1:ro", "keep:rw"]));
        let e = resolve(&json!({"network_mode": "service:gone"}), &targets()).unwrap_err();
        assert_eq!(e, "it cannot share the network namespace of service \"gone\", which has no container; bring \"gone\" up first");
    }

    #[test]
    fn links_as_compose_v2_builds_them() {
        let svc = json!({"links": ["web", "db:database"], "external_links": ["redis_1", "proj_db_1:mysql"]});
        assert_eq!(
            links("p", &svc, 3, &targets()),
            [
                "p-web-1:web",
                "p-web-1:web-3",
                "p-web-1:p-web-3",
                "p-db-1:database",
                "p-db-1:db-3",
                "p-db-1:p-db-3",
                "p-db-2:database",
                "p-db-2:db-3",
                "p-db-2:p-db-3",
                "redis_1:redis_1",
                "proj_db_1:mysql",
            ]
        );
    }

    #[test]
    fn a_cycle_through_references_is_reported() {
        let mut model = json!({"services": {"a": {"network_mode": "service:b"}, "b": {"volumes_from": ["a:ro"]}}});
        implicit_depends_on(&mut model);
        let e = super::super::checks::references(&model, &[]).unwrap_err();
        assert!(e.message.starts_with("dependency cycle detected: a -> b -> a"), "{}", e.message);
    }

    #[test]
    fn a_shared_network_refuses_what_the_engine_would() {
        assert!(network_conflict("s", &json!({"network_mode": "service:web"})).is_none());
        assert!(network_conflict("s", &json!({"network_mode": "host", "ports": [{"target": 80}]})).is_none());
        let (field, msg) = network_conflict("s", &json!({"network_mode": "service:web", "ports": [{"target": 80}]})).unwrap();
        assert_eq!(field, "services.s.ports");
        assert!(msg.contains("port publishing and the container type network mode"), "{msg}");
        let services = json!({"web": {}}).as_object().unwrap().clone();
        let both = json!({"network_mode": "host", "networks": {"a": null}});
        assert!(check("s", &both, &services).unwrap_err().message.contains("mutually exclusive"));
        let e = check("s", &json!({"network_mode": "service:nope"}), &services).unwrap_err();
        assert_eq!(e.message, "service \"nope\" not found for network_mode 'service:nope'");
    }
}
