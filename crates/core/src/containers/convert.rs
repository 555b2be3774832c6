//! bollard's types → Berth's models. Kept in one place so a bollard upgrade stays here.

use super::model::*;
use crate::error::{Error, Result};
use bollard::models::{self as m, ContainerSummaryStateEnum as S};

const PROJECT_LABEL: &str = "com.docker.compose.project";
const SERVICE_LABEL: &str = "com.docker.compose.service";

pub fn summary(c: m::ContainerSummary) -> ContainerSummary {
    let labels: std::collections::BTreeMap<_, _> = c.labels.unwrap_or_default().into_iter().collect();
    let mut ports: Vec<PortMapping> = c
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| PortMapping {
            ip: p.ip.filter(|ip| !ip.is_empty()),
            private_port: p.private_port,
            public_port: p.public_port,
            protocol: protocol(p.typ.map(|t| t.to_string()).as_deref()),
        })
        .collect();
    // The engine lists a binding once per address family (0.0.0.0 and ::): show each port once.
    ports.sort_by_key(|p| (p.private_port, p.public_port, p.protocol.as_str()));
    ports.dedup_by_key(|p| (p.private_port, p.public_port, p.protocol));
    ContainerSummary {
        id: c.id.unwrap_or_default(),
        name: c.names.and_then(|n| n.into_iter().next()).map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default(),
        image: c.image.unwrap_or_default(),
        image_id: c.image_id.unwrap_or_default(),
        command: c.command.unwrap_or_default(),
        state: c.state.map(state).unwrap_or(ContainerState::Unknown),
        status: c.status.unwrap_or_default(),
        created: c.created.unwrap_or_default(),
        ports,
        compose_project: labels.get(PROJECT_LABEL).cloned(),
        compose_service: labels.get(SERVICE_LABEL).cloned(),
        labels,
    }
}

fn state(s: S) -> ContainerState {
    match s {
        S::CREATED => ContainerState::Created,
        S::RUNNING => ContainerState::Running,
        S::PAUSED => ContainerState::Paused,
        S::RESTARTING => ContainerState::Restarting,
        S::REMOVING => ContainerState::Removing,
        S::EXITED => ContainerState::Exited,
        S::DEAD => ContainerState::Dead,
        _ => ContainerState::Unknown,
    }
}

fn protocol(p: Option<&str>) -> Protocol {
    match p {
        Some("udp") => Protocol::Udp,
        Some("sctp") => Protocol::Sctp,
        _ => Protocol::Tcp,
    }
}

pub fn details(c: m::ContainerInspectResponse) -> Result<ContainerDetails> {
    let raw = serde_json::to_string_pretty(&c).map_err(|e| Error::Internal(e.to_string()))?;
    let config = c.config.clone().unwrap_or_default();
    let host = c.host_config.clone().unwrap_or_default();
    let st = c.state.clone().unwrap_or_default();
    let labels: std::collections::BTreeMap<_, _> = config.labels.clone().unwrap_or_default().into_iter().collect();

    let ports = c
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.clone())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(key, bindings)| {
            let (port, proto) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            let private_port: u16 = port.parse().unwrap_or(0);
            let protocol = protocol(Some(proto));
            match bindings.filter(|b| !b.is_empty()) {
                None => vec![PortMapping { ip: None, private_port, public_port: None, protocol }],
                Some(bs) => bs
                    .into_iter()
                    .map(|b| PortMapping {
                        ip: b.host_ip.filter(|ip| !ip.is_empty()),
                        private_port,
                        public_port: b.host_port.and_then(|p| p.parse().ok()),
                        protocol,
                    })
                    .collect(),
            }
        })
        .collect();

    let status = st.status.map(|s| s.to_string()).unwrap_or_default();
    let summary = ContainerSummary {
        id: c.id.clone().unwrap_or_default(),
        name: c.name.clone().unwrap_or_default().trim_start_matches('/').to_string(),
        image: config.image.clone().unwrap_or_default(),
        image_id: c.image.clone().unwrap_or_default(),
        command: [config.entrypoint.clone().unwrap_or_default(), config.cmd.clone().unwrap_or_default()].concat().join(" "),
        state: match status.as_str() {
            "created" => ContainerState::Created,
            "running" => ContainerState::Running,
            "paused" => ContainerState::Paused,
            "restarting" => ContainerState::Restarting,
            "removing" => ContainerState::Removing,
            "exited" => ContainerState::Exited,
            "dead" => ContainerState::Dead,
            _ => ContainerState::Unknown,
        },
        status,
        created: 0,
        ports,
        compose_project: labels.get(PROJECT_LABEL).cloned(),
        compose_service: labels.get(SERVICE_LABEL).cloned(),
        labels,
    };

    let zero_time = |t: Option<String>| t.filter(|t| !t.starts_with("0001-"));
    Ok(ContainerDetails {
        summary,
        hostname: config.hostname.unwrap_or_default(),
        user: config.user.unwrap_or_default(),
        working_dir: config.working_dir.unwrap_or_default(),
        entrypoint: config.entrypoint.unwrap_or_default(),
        cmd: config.cmd.unwrap_or_default(),
        env: config.env.unwrap_or_default(),
        mounts: c
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(|mp| MountInfo {
                kind: mp.typ.map(|t| t.to_string()).unwrap_or_default(),
                name: mp.name.filter(|n| !n.is_empty()),
                source: mp.source.unwrap_or_default(),
                destination: mp.destination.unwrap_or_default(),
                read_only: !mp.rw.unwrap_or(true),
            })
            .collect(),
        networks: c
            .network_settings
            .and_then(|n| n.networks)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, ep)| NetworkAttachment {
                name,
                ip_address: ep.ip_address.unwrap_or_default(),
                gateway: ep.gateway.unwrap_or_default(),
                mac_address: ep.mac_address.unwrap_or_default(),
            })
            .collect(),
        restart_policy: host
            .restart_policy
            .and_then(|r| r.name)
            .map(|n| n.to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "no".into()),
        auto_remove: host.auto_remove.unwrap_or(false),
        started_at: zero_time(st.started_at),
        finished_at: zero_time(st.finished_at),
        exit_code: st.exit_code,
        health: st.health.and_then(|h| h.status).map(|s| s.to_string()).filter(|s| !s.is_empty() && s != "none"),
        tty: config.tty.unwrap_or(false),
        raw,
    })
}
