//! The run dialog: validate a [`RunSpec`] the way `docker run` reads its flags, then create and
//! start the container. Every rejection names the form field it is about.

use super::model::{ContainerSummary, Protocol};
use crate::error::{Error, Result};
use crate::Engine;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, PortBinding, RestartPolicy, RestartPolicyNameEnum};
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions, StartContainerOptions};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, specta::Type)]
#[serde(rename = "RestartPolicy")]
pub enum Restart {
    #[default]
    #[serde(rename = "no")]
    No,
    #[serde(rename = "always")]
    Always,
    #[serde(rename = "unless-stopped")]
    UnlessStopped,
    #[serde(rename = "on-failure")]
    OnFailure,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RunSpec {
    pub image: String,
    pub name: Option<String>,
    pub command: Option<String>,
    pub env: Vec<String>,
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
    pub network: Option<String>,
    pub restart: Restart,
    pub auto_remove: bool,
}

/// One `-p` mapping after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub host_ip: Option<String>,
    /// None = a random free port.
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: Protocol,
}

/// One `-v` mount after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSpec {
    Bind { source: String, target: String, read_only: bool },
    Named { name: String, target: String, read_only: bool },
    Anonymous { target: String },
}

/// Create and start; a container whose start fails is removed again, so a retry with the same
/// name works and nothing half-made is left behind.
pub async fn run(engine: &Engine, spec: &RunSpec) -> Result<ContainerSummary> {
    let body = to_create_body(spec)?;
    let image = spec.image.trim();
    if engine.docker().inspect_image(image).await.is_err() {
        return Err(Error::invalid("image", format!("The image \"{image}\" is not on this engine. Pull or build it first.")));
    }
    let name = spec.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let options = CreateContainerOptions { name: name.map(str::to_string), ..Default::default() };
    let created = match engine.docker().create_container(Some(options), body).await {
        Ok(c) => c,
        Err(e) => {
            return Err(match engine.err("Container")(e) {
                Error::Conflict { .. } => {
                    Error::invalid("name", format!("The name \"{}\" is already used by another container.", name.unwrap_or_default()))
                }
                other => explain_network(other, spec),
            })
        }
    };
    if let Err(e) = engine.docker().start_container(&created.id, None::<StartContainerOptions>).await {
        let err = match engine.err("Container")(e) {
            Error::PortInUse { message } => Error::invalid("ports", message),
            other => explain_network(other, spec),
        };
        let cleanup = RemoveContainerOptions { force: true, v: true, link: false };
        if let Err(e) = engine.docker().remove_container(&created.id, Some(cleanup)).await {
            tracing::warn!(id = %created.id, %e, "could not remove a container whose start failed");
        }
        return Err(err);
    }
    let filters = HashMap::from([("id".to_string(), vec![created.id.clone()])]);
    let rows = engine
        .docker()
        .list_containers(Some(bollard::query_parameters::ListContainersOptions { all: true, filters: Some(filters), ..Default::default() }))
        .await
        .map_err(engine.err("Container"))?;
    rows.into_iter()
        .next()
        .map(super::convert::summary)
        .ok_or_else(|| Error::Conflict { message: "The container started and exited at once, and was removed (auto-remove).".into() })
}

fn explain_network(e: Error, spec: &RunSpec) -> Error {
    match (&e, spec.network.as_deref()) {
        (Error::NotFound { detail, .. }, Some(net)) if detail.contains("network") => {
            Error::invalid("network", format!("The network \"{net}\" does not exist."))
        }
        _ => e,
    }
}

/// Validate everything and build the engine's create body, without touching the engine.
pub fn to_create_body(spec: &RunSpec) -> Result<ContainerCreateBody> {
    let image = spec.image.trim();
    if image.is_empty() {
        return Err(Error::invalid("image", "Choose an image to run."));
    }
    if let Some(name) = spec.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        validate_name(name)?;
    }
    let cmd = match spec.command.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(shell_words::split(c).map_err(|_| Error::invalid("command", "The command has an unclosed quote."))?),
        None => None,
    };
    let env = spec.env.iter().map(|e| e.trim()).filter(|e| !e.is_empty()).map(validate_env).collect::<Result<Vec<_>>>()?;

    let ports: Vec<PortSpec> = spec
        .ports
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(parse_ports)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut exposed: Vec<String> = Vec::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for p in &ports {
        let key = format!("{}/{}", p.container_port, p.protocol.as_str());
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        bindings
            .entry(key)
            .or_insert_with(|| Some(vec![]))
            .as_mut()
            .unwrap()
            .push(PortBinding { host_ip: p.host_ip.clone(), host_port: Some(p.host_port.map(|h| h.to_string()).unwrap_or_default()) });
    }

    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    let mut volumes: Vec<String> = Vec::new();
    for v in spec.volumes.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match parse_volume(v)? {
            VolumeSpec::Bind { source, target, read_only } => {
                binds.push(format!("{source}:{target}{}", if read_only { ":ro" } else { "" }))
            }
            VolumeSpec::Named { name, target, read_only } => mounts.push(Mount {
                typ: Some(MountType::VOLUME),
                source: Some(name),
                target: Some(target),
                read_only: Some(read_only),
                ..Default::default()
            }),
            VolumeSpec::Anonymous { target } => {
                volumes.push(target);
            }
        }
    }

    if spec.auto_remove && spec.restart != Restart::No {
        return Err(Error::invalid("restart", "A container that removes itself when it exits cannot have a restart policy."));
    }
    let restart = match spec.restart {
        Restart::No => RestartPolicyNameEnum::NO,
        Restart::Always => RestartPolicyNameEnum::ALWAYS,
        Restart::UnlessStopped => RestartPolicyNameEnum::UNLESS_STOPPED,
        Restart::OnFailure => RestartPolicyNameEnum::ON_FAILURE,
    };
    let network = spec.network.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);

    Ok(ContainerCreateBody {
        image: Some(image.to_string()),
        cmd,
        env: (!env.is_empty()).then_some(env),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        volumes: (!volumes.is_empty()).then_some(volumes),
        host_config: Some(HostConfig {
            port_bindings: (!bindings.is_empty()).then_some(bindings),
            binds: (!binds.is_empty()).then_some(binds),
            mounts: (!mounts.is_empty()).then_some(mounts),
            network_mode: network,
            restart_policy: Some(RestartPolicy { name: Some(restart), maximum_retry_count: None }),
            auto_remove: Some(spec.auto_remove),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Docker's container name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn validate_name(name: &str) -> Result<()> {
    let name = name.strip_prefix('/').unwrap_or(name);
    let mut chars = name.chars();
    let ok = name.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            format!("\"{name}\" is not a valid container name: use at least two letters, digits, '_', '.' or '-', starting with a letter or digit."),
        ))
    }
}

fn validate_env(entry: &str) -> Result<String> {
    let Some((key, _)) = entry.split_once('=') else {
        return Err(Error::invalid("env", format!("\"{entry}\" needs a value: write it as KEY=value.")));
    };
    if key.is_empty() || key.chars().any(char::is_whitespace) {
        return Err(Error::invalid("env", format!("\"{entry}\" has an invalid variable name.")));
    }
    Ok(entry.to_string())
}

/// `docker run -p` syntax: `[ip:][hostPort:]containerPort[/proto]`, ports or equal-length
/// ranges (`8000-8002:80-82`), an empty host port meaning a random one.
pub fn parse_ports(spec: &str) -> Result<Vec<PortSpec>> {
    let bad = |why: &str| Error::invalid("ports", format!("\"{spec}\": {why}"));
    let (addr, proto) = match spec.rsplit_once('/') {
        Some((a, p)) => (a, p),
        None => (spec, "tcp"),
    };
    let protocol = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => return Err(bad("the protocol must be tcp, udp or sctp.")),
    };
    // An IPv6 host address is bracketed: [::1]:8080:80.
    let (host_ip, rest) = if let Some(stripped) = addr.strip_prefix('[') {
        let (ip, rest) = stripped.split_once("]:").ok_or_else(|| bad("the IPv6 address needs a closing ']:'."))?;
        (Some(ip.to_string()), rest)
    } else {
        let parts: Vec<&str> = addr.split(':').collect();
        match parts.len() {
            1 | 2 => (None, addr),
            3 => (Some(parts[0].to_string()), &addr[parts[0].len() + 1..]),
            _ => return Err(bad("use [ip:][host port:]container port[/protocol].")),
        }
    };
    if let Some(ip) = &host_ip {
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(bad("the host address is not an IP address."));
        }
    }
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, rest),
    };
    let container = range(container).map_err(|w| bad(&format!("the container port {w}")))?;
    let host = match host.filter(|h| !h.is_empty()) {
        Some(h) => Some(range(h).map_err(|w| bad(&format!("the host port {w}")))?),
        None => None,
    };
    if let Some(h) = &host {
        if h.len() != container.len() && h.len() != 1 {
            return Err(bad("the host and container port ranges differ in length."));
        }
    }
    Ok(container
        .iter()
        .enumerate()
        .map(|(i, &c)| PortSpec {
            host_ip: host_ip.clone(),
            host_port: host.as_ref().map(|h| if h.len() == 1 { h[0] } else { h[i] }),
            container_port: c,
            protocol,
        })
        .collect())
}

fn range(s: &str) -> std::result::Result<Vec<u16>, String> {
    let port = |p: &str| match p.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(format!("must be a number from 1 to 65535 (got \"{p}\").")),
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            if a > b {
                return Err(format!("range {a}-{b} runs backwards."));
            }
            Ok((a..=b).collect())
        }
        None => Ok(vec![port(s)?]),
    }
}

/// `docker run -v` syntax: `/host:/target[:ro|rw]`, `name:/target[:ro|rw]` or `/target`.
pub fn parse_volume(spec: &str) -> Result<VolumeSpec> {
    let bad = |why: &str| Error::invalid("volumes", format!("\"{spec}\": {why}"));
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [target] => {
            return absolute(target)
                .map(|t| VolumeSpec::Anonymous { target: t })
                .map_err(|_| bad("the path inside the container must be absolute."))
        }
        [s, t] => (*s, *t, None),
        [s, t, m] => (*s, *t, Some(*m)),
        _ => return Err(bad("use source:/path/in/container[:ro].")),
    };
    let read_only = match mode {
        None | Some("rw") => false,
        Some("ro") => true,
        Some(m) => return Err(bad(&format!("unknown mode \"{m}\"; use ro or rw."))),
    };
    let target = absolute(target).map_err(|_| bad("the path inside the container must be absolute."))?;
    if source.is_empty() {
        return Err(bad("the source is empty."));
    }
    if source.starts_with('/') || source.starts_with('.') || source.starts_with('~') {
        if !source.starts_with('/') {
            return Err(bad("a host path must be absolute."));
        }
        Ok(VolumeSpec::Bind { source: source.to_string(), target, read_only })
    } else {
        let valid = source.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && source.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !valid {
            return Err(bad("a volume name uses letters, digits, '_', '.' or '-'."));
        }
        Ok(VolumeSpec::Named { name: source.to_string(), target, read_only })
    }
}

fn absolute(path: &str) -> std::result::Result<String, ()> {
    if path.starts_with('/') {
        Ok(path.to_string())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug>) -> &'static str {
        r.unwrap_err().field().unwrap()
    }

    #[test]
    fn ports_follow_docker_run_syntax() {
        let p = parse_ports("8080:80").unwrap();
        assert_eq!(p, vec![PortSpec { host_ip: None, host_port: Some(8080), container_port: 80, protocol: Protocol::Tcp }]);
        let p = parse_ports("80/udp").unwrap();
        assert_eq!(p[0].host_port, None);
        assert_eq!(p[0].protocol, Protocol::Udp);
        let p = parse_ports("127.0.0.1::53/udp").unwrap();
        assert_eq!(p[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(p[0].host_port, None);
        let p = parse_ports("[::1]:9000:90").unwrap();
        assert_eq!(p[0].host_ip.as_deref(), Some("::1"));
        let p = parse_ports("8000-8002:80-82").unwrap();
        assert_eq!(
            p.iter().map(|x| (x.host_port.unwrap(), x.container_port)).collect::<Vec<_>>(),
            vec![(8000, 80), (8001, 81), (8002, 82)]
        );
    }

    #[test]
    fn bad_ports_are_explained() {
        for bad in ["99999", "0", "abc", "80/icmp", "1:2:3:4", "8000-8001:80-82", "x.y:80:80", "90-80"] {
            let e = parse_ports(bad).unwrap_err();
            assert_eq!(e.field(), Some("ports"), "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert!(parse_ports("99999").unwrap_err().to_string().contains("from 1 to 65535"));
    }

    #[test]
    fn volumes_bind_named_anonymous() {
        assert_eq!(
            parse_volume("/src:/app:ro").unwrap(),
            VolumeSpec::Bind { source: "/src".into(), target: "/app".into(), read_only: true }
        );
        assert_eq!(
            parse_volume("data:/var/lib").unwrap(),
            VolumeSpec::Named { name: "data".into(), target: "/var/lib".into(), read_only: false }
        );
        assert_eq!(parse_volume("/cache").unwrap(), VolumeSpec::Anonymous { target: "/cache".into() });
        for bad in ["rel", "data:rel", "/a:/b:xx", "./x:/y", "bad name:/x"] {
            assert_eq!(parse_volume(bad).unwrap_err().field(), Some("volumes"), "{bad}");
        }
    }

    #[test]
    fn spec_validation_names_the_field() {
        let ok = RunSpec { image: "busybox".into(), ..Default::default() };
        assert!(to_create_body(&ok).is_ok());
        assert_eq!(field(to_create_body(&RunSpec { image: " ".into(), ..Default::default() })), "image");
        assert_eq!(field(to_create_body(&RunSpec { name: Some("-x".into()), ..ok.clone() })), "name");
        assert_eq!(field(to_create_body(&RunSpec { name: Some("a".into()), ..ok.clone() })), "name");
        assert_eq!(field(to_create_body(&RunSpec { env: vec!["NOVALUE".into()], ..ok.clone() })), "env");
        assert_eq!(field(to_create_body(&RunSpec { command: Some("sh -c 'x".into()), ..ok.clone() })), "command");
        assert_eq!(field(to_create_body(&RunSpec { auto_remove: true, restart: Restart::Always, ..ok.clone() })), "restart");
    }

    #[test]
    fn command_is_split_like_a_shell() {
        let body =
            to_create_body(&RunSpec { image: "b".into(), command: Some("sh -c 'echo hi there'".into()), ..Default::default() }).unwrap();
        assert_eq!(body.cmd.unwrap(), vec!["sh", "-c", "echo hi there"]);
    }
}
