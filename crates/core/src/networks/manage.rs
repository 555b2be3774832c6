//! Create, inspect, connect, disconnect, remove and prune networks.

use super::list::{endpoints, summary};
use super::model::{NetworkDetails, NetworkPrune, NetworkSpec, NetworkSummary};
use super::{address, PREDEFINED};
use crate::containers::{phrase, them};
use crate::error::{Error, Result};
use crate::prune::{carries, Changes};
use crate::Engine;
use bollard::models::{EndpointSettings, Ipam, IpamConfig, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{InspectNetworkOptions, ListContainersOptions, ListNetworksOptions};
use std::collections::HashMap;

pub async fn create(engine: &Engine, spec: NetworkSpec) -> Result<NetworkSummary> {
    let name = spec.name.trim();
    crate::volumes::check_name("name", "network", name)?;
    let (subnet, gateway) = address::check(&spec.subnet, &spec.gateway)?;
    crate::volumes::check_keys("labels", "label", &spec.labels)?;
    let docker = engine.docker();
    // Older engines accept a second network of the same name, which `docker` then cannot tell apart.
    let filters = HashMap::from([("name".to_string(), vec![name.to_string()])]);
    let same = docker.list_networks(Some(ListNetworksOptions { filters: Some(filters) })).await.map_err(engine.err("networks"))?;
    if same.iter().any(|n| n.name.as_deref() == Some(name)) {
        return Err(Error::invalid("name", format!("A network named “{name}” already exists: pick another name.")));
    }
    let ipam = subnet.clone().map(|subnet| Ipam {
        config: Some(vec![IpamConfig { subnet: Some(subnet), gateway: gateway.clone(), ..Default::default() }]),
        ..Default::default()
    });
    let request = NetworkCreateRequest {
        name: name.to_string(),
        driver: Some(if spec.driver.trim().is_empty() { "bridge".into() } else { spec.driver.trim().to_string() }),
        internal: Some(spec.internal),
        enable_ipv6: Some(subnet.as_deref().is_some_and(|s| s.contains(':'))),
        ipam,
        labels: Some(spec.labels.into_iter().collect()),
        ..Default::default()
    };
    let created = docker.create_network(request).await.map_err(|e| match engine.err(&format!("Network {name}"))(e) {
        Error::Engine { message, .. } | Error::Conflict { message } if message.to_lowercase().contains("overlap") => Error::invalid(
            "subnet",
            format!("Subnet {} overlaps a network the engine already has: pick another range.", subnet.as_deref().unwrap_or("")),
        ),
        other => other,
    })?;
    let network =
        docker.inspect_network(&created.id, None::<InspectNetworkOptions>).await.map_err(engine.err(&format!("Network {name}")))?;
    Ok(summary(as_network(network), &HashMap::new()))
}

/// The inspect answer as the list's shape (same fields, under another name).
fn as_network(n: bollard::models::NetworkInspect) -> bollard::models::Network {
    bollard::models::Network {
        name: n.name,
        id: n.id,
        created: n.created,
        scope: n.scope,
        driver: n.driver,
        enable_ipv6: n.enable_ipv6,
        ipam: n.ipam,
        internal: n.internal,
        attachable: n.attachable,
        labels: n.labels,
        options: n.options,
        ..Default::default()
    }
}

pub async fn inspect(engine: &Engine, network: &str) -> Result<NetworkDetails> {
    let docker = engine.docker();
    let (inspected, containers) = tokio::try_join!(
        docker.inspect_network(network, None::<InspectNetworkOptions>),
        docker.list_containers(Some(ListContainersOptions { all: true, ..Default::default() })),
    )
    .map_err(engine.err(&format!("Network {network}")))?;
    let raw = serde_json::to_string_pretty(&inspected).map_err(|e| Error::Internal(e.to_string()))?;
    let options = inspected.options.clone().unwrap_or_default().into_iter().collect();
    Ok(NetworkDetails { summary: summary(as_network(inspected), &endpoints(&containers)), options, raw })
}

/// Attach a container, reachable on the network under its name and `aliases` too.
pub async fn connect(engine: &Engine, network: &str, container: &str, aliases: Vec<String>) -> Result<()> {
    let aliases: Vec<String> = aliases.into_iter().map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect();
    if let Some(bad) = aliases.iter().find(|a| a.contains(char::is_whitespace)) {
        return Err(Error::invalid("aliases", format!("“{bad}” cannot be an alias: aliases are host names, without spaces.")));
    }
    let request = NetworkConnectRequest {
        container: container.to_string(),
        endpoint_config: Some(EndpointSettings { aliases: Some(aliases), ..Default::default() }),
    };
    engine.docker().connect_network(network, request).await.map_err(|e| {
        match engine.err(&format!("Network {network} or container {container}"))(e) {
            Error::Engine { message, .. } | Error::Conflict { message } if message.contains("already exists") => {
                Error::Conflict { message: format!("Container {container} is already connected to network {network}.") }
            }
            other => other,
        }
    })
}

pub async fn disconnect(engine: &Engine, network: &str, container: &str) -> Result<()> {
    let request = NetworkDisconnectRequest { container: container.to_string(), force: Some(false) };
    engine.docker().disconnect_network(network, request).await.map_err(engine.err(&format!("Network {network} or container {container}")))
}

/// Remove a network. The engine's own networks are refused, and so is one running containers
/// use: they are named.
pub async fn remove(engine: &Engine, network: &str) -> Result<()> {
    let details = inspect(engine, network).await?;
    let name = &details.summary.name;
    if details.summary.predefined {
        return Err(Error::Conflict {
            message: format!("{name} is one of the engine's own networks ({}); the engine keeps it.", PREDEFINED.join(", ")),
        });
    }
    let running: Vec<String> = details.summary.containers.iter().filter(|c| c.running).map(|c| c.name.clone()).collect();
    if !running.is_empty() {
        return Err(Error::Conflict {
            message: format!("Network {name} is used by running {}: disconnect or stop {} first.", phrase(&running), them(&running)),
        });
    }
    engine.docker().remove_network(&details.summary.id).await.map_err(engine.err(&format!("Network {name}")))
}

/// The networks a prune would remove: those of your own that no running container uses.
/// `labels` ("key" or "key=value") narrows it to networks carrying them all.
pub async fn prune_estimate(engine: &Engine, labels: &[String]) -> Result<NetworkPrune> {
    let networks = candidates(super::list(engine).await?, labels).into_iter().map(|n| n.name).collect();
    Ok(NetworkPrune { networks, changes: Changes::default() })
}

fn candidates(list: Vec<NetworkSummary>, labels: &[String]) -> Vec<NetworkSummary> {
    list.into_iter()
        .filter(|n| !n.predefined && n.scope == "local" && n.containers.iter().all(|c| !c.running))
        .filter(|n| labels.iter().all(|l| carries(&n.labels, l)))
        .collect()
}

/// Remove the `confirmed` networks one by one, each only if no running container uses it now.
pub async fn prune(engine: &Engine, confirmed: &[String]) -> Result<NetworkPrune> {
    let now: HashMap<String, NetworkSummary> = super::list(engine).await?.into_iter().map(|n| (n.name.clone(), n)).collect();
    let running = |n: &NetworkSummary| -> Vec<String> { n.containers.iter().filter(|c| c.running).map(|c| c.name.clone()).collect() };
    let blocked = |n: &NetworkSummary| Some(running(n)).filter(|r| !r.is_empty()).map(|r| format!("is now used by running {}", phrase(&r)));
    let (removed, kept) = crate::prune::each(confirmed, &now, String::clone, blocked, |name, _| remove(engine, name)).await;
    let appeared = candidates(super::list(engine).await?, &[]).into_iter().map(|n| n.name).filter(|n| !confirmed.contains(n)).collect();
    Ok(NetworkPrune { networks: removed, changes: Changes::new("network", kept, appeared) })
}
