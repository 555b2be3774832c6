//! A resolved service (its `docker compose config` JSON) as the engine's create body.

use super::labels;
use crate::error::{Error, Result};
use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, HostConfigLogConfig, Mount, MountTmpfsOptions, MountType,
    MountVolumeOptions, NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use serde_json::Value;
use std::collections::HashMap;

/// What a container of `service` needs beyond the service config.
pub struct Instance<'a> {
    pub project: &'a super::Project,
    pub service: &'a str,
    pub number: u32,
    pub hash: &'a str,
    pub image_id: &'a str,
    /// `links` and `external_links` as the engine takes them (see `refs::links`).
    pub links: Vec<String>,
    /// The name it ends up with (a recreate creates it under a temporary one first).
    pub container_name: String,
}

fn strs(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

/// `command: "a b"` is split as a shell would; a list is taken as is.
fn words(v: Option<&Value>, service: &str, field: &'static str) -> Result<Option<Vec<String>>> {
    match v {
        Some(Value::String(s)) => shell_words::split(s)
            .map(Some)
            .map_err(|_| Error::invalid(field, format!("The {field} of service {service} has an unclosed quote."))),
        Some(Value::Array(_)) => Ok(Some(strs(v))),
        _ => Ok(None),
    }
}

/// Go durations (`1m30s`, `500ms`) and plain seconds, in nanoseconds.
pub fn duration_ns(v: &Value) -> Option<i64> {
    let s = match v {
        Value::Number(n) => return n.as_f64().map(|f| (f * 1e9) as i64),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3.6e12,
            "m" => 6e10,
            "s" | "" => 1e9,
            "ms" => 1e6,
            "us" | "µs" => 1e3,
            "ns" => 1.0,
            _ => return None,
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

/// `512m`, `1g`, `1024` as bytes.
pub fn bytes(v: &Value) -> Option<i64> {
    let s = match v {
        Value::Number(n) => return n.as_i64(),
        Value::String(s) => s.trim().to_lowercase(),
        _ => return None,
    };
    let s = s.trim_end_matches('b');
    let (num, mult) = match s.chars().last()? {
        'k' => (&s[..s.len() - 1], 1i64 << 10),
        'm' => (&s[..s.len() - 1], 1 << 20),
        'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<f64>().ok().map(|n| (n * mult as f64) as i64)
}

fn healthcheck(h: &Value) -> Option<HealthConfig> {
    if h.get("disable").and_then(Value::as_bool) == Some(true) {
        return Some(HealthConfig { test: Some(vec!["NONE".into()]), ..Default::default() });
    }
    let test = match h.get("test") {
        Some(Value::String(s)) => Some(vec!["CMD-SHELL".to_string(), s.clone()]),
        t @ Some(Value::Array(_)) => Some(strs(t)),
        _ => None,
    };
    let d = |k: &str| h.get(k).and_then(duration_ns);
    Some(HealthConfig {
        test,
        interval: d("interval"),
        timeout: d("timeout"),
        start_period: d("start_period"),
        start_interval: d("start_interval"),
        retries: h.get("retries").and_then(|r| r.as_i64().or_else(|| r.as_str()?.parse().ok())),
    })
}

fn restart(policy: &str) -> RestartPolicy {
    let (name, count) = policy.split_once(':').unwrap_or((policy, ""));
    let name = match name {
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        _ => RestartPolicyNameEnum::NO,
    };
    RestartPolicy { name: Some(name), maximum_retry_count: count.parse().ok() }
}

/// The image a service runs: its `image`, or the name Compose gives a built one.
pub fn image_name(project: &str, service: &str, svc: &Value) -> String {
    match svc.get("image").and_then(Value::as_str) {
        Some(i) => i.to_string(),
        None => format!("{project}-{service}"),
    }
}

/// The create body, and the networks to connect before start (API 1.41 takes one at create).
pub fn body(inst: &Instance, svc: &Value) -> Result<(ContainerCreateBody, Vec<(String, EndpointSettings)>)> {
    let p = inst.project;
    let name = inst.service;
    let get = |k: &str| svc.get(k);
    let flag = |k: &str| get(k).and_then(|v| v.as_bool().or_else(|| v.as_str().map(|s| s == "true")));

    let mut exposed: Vec<String> = strs(get("expose")).into_iter().map(|e| if e.contains('/') { e } else { format!("{e}/tcp") }).collect();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for port in get("ports").and_then(Value::as_array).into_iter().flatten() {
        let target =
            port["target"].as_u64().map(|t| t.to_string()).or_else(|| port["target"].as_str().map(str::to_string)).unwrap_or_default();
        let key = format!("{target}/{}", port["protocol"].as_str().unwrap_or("tcp"));
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings.entry(key).or_insert_with(|| Some(vec![])).get_or_insert_with(Vec::new).push(PortBinding {
            host_ip: port["host_ip"].as_str().map(str::to_string),
            host_port: Some(port["published"].as_str().unwrap_or_default().to_string()),
        });
    }

    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for v in get("volumes").and_then(Value::as_array).into_iter().flatten() {
        let target = v["target"].as_str().unwrap_or_default().to_string();
        let read_only = v["read_only"].as_bool().unwrap_or(false);
        match v["type"].as_str().unwrap_or("volume") {
            "bind" => {
                let src = v["source"].as_str().unwrap_or_default();
                let mut opts = vec![];
                if read_only {
                    opts.push("ro".to_string());
                }
                if let Some(z) = v["bind"]["selinux"].as_str() {
                    opts.push(z.into());
                }
                if let Some(prop) = v["bind"]["propagation"].as_str() {
                    opts.push(prop.into());
                }
                let opts = if opts.is_empty() { String::new() } else { format!(":{}", opts.join(",")) };
                binds.push(format!("{src}:{target}{opts}"));
            }
            "tmpfs" => mounts.push(Mount {
                typ: Some(MountType::TMPFS),
                target: Some(target),
                tmpfs_options: v["tmpfs"]["size"].as_i64().map(|s| MountTmpfsOptions { size_bytes: Some(s), ..Default::default() }),
                ..Default::default()
            }),
            _ => {
                let source = v["source"]
                    .as_str()
                    .map(|s| p.config["volumes"][s]["name"].as_str().map(str::to_string).unwrap_or_else(|| s.to_string()));
                mounts.push(Mount {
                    typ: Some(MountType::VOLUME),
                    source,
                    target: Some(target),
                    read_only: Some(read_only),
                    volume_options: v["volume"]["nocopy"].as_bool().map(|n| MountVolumeOptions { no_copy: Some(n), ..Default::default() }),
                    ..Default::default()
                })
            }
        }
    }

    let mut labels = labels::container(p, name, inst.number, inst.hash, inst.image_id, svc);
    for (k, v) in get("labels").and_then(Value::as_object).into_iter().flatten() {
        labels.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
    }
    let env: Vec<String> = get("environment")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();

    // Networks in priority order; the first is given at create, the rest connected after.
    let mut nets: Vec<(String, EndpointSettings)> = Vec::new();
    let network_mode = get("network_mode").and_then(Value::as_str).map(str::to_string);
    if network_mode.is_none() {
        for (key, cfg) in get("networks").and_then(Value::as_object).into_iter().flatten() {
            let net_name = p.config["networks"][key]["name"].as_str().unwrap_or(key).to_string();
            let mut aliases = vec![name.to_string()];
            aliases.extend(strs(cfg.get("aliases")));
            nets.push((
                net_name,
                EndpointSettings {
                    aliases: Some(aliases),
                    links: (!inst.links.is_empty()).then(|| inst.links.clone()),
                    ipam_config: cfg
                        .get("ipv4_address")
                        .and_then(Value::as_str)
                        .map(|ip| bollard::models::EndpointIpamConfig { ipv4_address: Some(ip.to_string()), ..Default::default() }),
                    ..Default::default()
                },
            ));
        }
    }
    let first = nets.first().cloned();
    let extra_hosts = match get("extra_hosts") {
        Some(Value::Object(m)) => m.iter().map(|(h, ip)| format!("{h}:{}", ip.as_str().unwrap_or_default())).collect(),
        other => strs(other).into_iter().map(|e| e.replacen('=', ":", 1)).collect::<Vec<_>>(),
    };
    let tmpfs: HashMap<String, String> = strs(get("tmpfs")).into_iter().map(|t| (t, String::new())).collect();
    let memory = get("mem_limit").or_else(|| svc.pointer("/deploy/resources/limits/memory")).and_then(bytes);
    let cpus =
        get("cpus").or_else(|| svc.pointer("/deploy/resources/limits/cpus")).and_then(|c| c.as_f64().or_else(|| c.as_str()?.parse().ok()));

    let host_config = HostConfig {
        binds: (!binds.is_empty()).then_some(binds),
        mounts: (!mounts.is_empty()).then_some(mounts),
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        network_mode: network_mode.or_else(|| first.as_ref().map(|(n, _)| n.clone())),
        // `service:` references were resolved to `container:<id>` before (refs::resolve).
        ipc_mode: get("ipc").and_then(Value::as_str).map(str::to_string),
        pid_mode: get("pid").and_then(Value::as_str).map(str::to_string),
        uts_mode: get("uts").and_then(Value::as_str).map(str::to_string),
        volumes_from: get("volumes_from").map(|v| strs(Some(v))),
        links: (!inst.links.is_empty()).then(|| inst.links.clone()),
        restart_policy: get("restart").and_then(Value::as_str).map(restart),
        privileged: flag("privileged"),
        readonly_rootfs: flag("read_only"),
        init: flag("init"),
        cap_add: get("cap_add").map(|v| strs(Some(v))),
        cap_drop: get("cap_drop").map(|v| strs(Some(v))),
        dns: get("dns").map(|v| strs(Some(v))),
        dns_search: get("dns_search").map(|v| strs(Some(v))),
        extra_hosts: (!extra_hosts.is_empty()).then_some(extra_hosts),
        security_opt: get("security_opt").map(|v| strs(Some(v))),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        shm_size: get("shm_size").and_then(bytes),
        memory,
        nano_cpus: cpus.map(|c| (c * 1e9) as i64),
        sysctls: get("sysctls")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()),
        log_config: get("logging").map(|l| HostConfigLogConfig {
            typ: l["driver"].as_str().map(str::to_string),
            config: l["options"]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()),
        }),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(image_name(&p.name, name, svc)),
        hostname: get("hostname").and_then(Value::as_str).map(str::to_string),
        domainname: get("domainname").and_then(Value::as_str).map(str::to_string),
        user: get("user").and_then(Value::as_str).map(str::to_string),
        working_dir: get("working_dir").and_then(Value::as_str).map(str::to_string),
        tty: flag("tty"),
        open_stdin: flag("stdin_open"),
        cmd: words(get("command"), name, "command")?,
        entrypoint: words(get("entrypoint"), name, "entrypoint")?,
        env: Some(env),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        healthcheck: get("healthcheck").and_then(healthcheck),
        labels: Some(labels.into_iter().collect()),
        stop_signal: get("stop_signal").and_then(Value::as_str).map(str::to_string),
        stop_timeout: get("stop_grace_period").and_then(duration_ns).map(|ns| ns / 1_000_000_000),
        host_config: Some(host_config),
        networking_config: first.map(|(n, e)| NetworkingConfig { endpoints_config: Some(HashMap::from([(n, e)])) }),
        ..Default::default()
    };
    Ok((body, nets.into_iter().skip(1).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration_ns(&json!("1m30s")), Some(90_000_000_000));
        assert_eq!(duration_ns(&json!("500ms")), Some(500_000_000));
        assert_eq!(duration_ns(&json!("1.5s")), Some(1_500_000_000));
        assert_eq!(bytes(&json!("512m")), Some(512 << 20));
        assert_eq!(bytes(&json!("1gb")), Some(1 << 30));
    }
}
