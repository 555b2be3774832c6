//! The network list: each network with its subnets and the containers attached to it.

use super::model::{Endpoint, NetworkSummary, Subnet};
use super::PREDEFINED;
use crate::containers::{is_helper, listed_name, listed_running};
use crate::error::Result;
use crate::objects::labels::PROJECT;
use crate::Engine;
use bollard::models::{ContainerSummary, Network};
use bollard::query_parameters::{ListContainersOptions, ListNetworksOptions};
use std::collections::HashMap;

/// Every network, the predefined ones first, then by name.
pub async fn list(engine: &Engine) -> Result<Vec<NetworkSummary>> {
    let docker = engine.docker();
    let (networks, containers) = tokio::try_join!(
        docker.list_networks(None::<ListNetworksOptions>),
        docker.list_containers(Some(ListContainersOptions { all: true, ..Default::default() })),
    )
    .map_err(engine.err("networks"))?;
    let attached = endpoints(&containers);
    let mut list: Vec<NetworkSummary> = networks.into_iter().map(|n| summary(n, &attached)).collect();
    list.sort_by(|a, b| (!a.predefined, &a.name).cmp(&(!b.predefined, &b.name)));
    Ok(list)
}

/// The names the run dialog offers.
pub async fn names(engine: &Engine) -> Result<Vec<String>> {
    let networks = engine.docker().list_networks(None::<ListNetworksOptions>).await.map_err(engine.err("networks"))?;
    let mut names: Vec<String> = networks.into_iter().filter_map(|n| n.name).collect();
    names.sort();
    Ok(names)
}

pub(super) fn summary(n: Network, attached: &HashMap<String, Vec<Endpoint>>) -> NetworkSummary {
    let id = n.id.unwrap_or_default();
    let name = n.name.unwrap_or_default();
    let labels = n.labels.unwrap_or_default();
    let subnets = n
        .ipam
        .and_then(|i| i.config)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| Some(Subnet { subnet: c.subnet?, gateway: c.gateway.unwrap_or_default() }))
        .collect();
    NetworkSummary {
        containers: attached.get(&id).or_else(|| attached.get(&name)).cloned().unwrap_or_default(),
        predefined: PREDEFINED.contains(&name.as_str()),
        driver: n.driver.unwrap_or_default(),
        scope: n.scope.unwrap_or_default(),
        created: n.created.unwrap_or_default(),
        internal: n.internal.unwrap_or(false),
        attachable: n.attachable.unwrap_or(false),
        ipv6: n.enable_ipv6.unwrap_or(false),
        subnets,
        compose_project: labels.get(PROJECT).cloned(),
        labels: labels.into_iter().collect(),
        id,
        name,
    }
}

/// Network id (or name, when the engine gives no id for a stopped container) → its containers.
pub(super) fn endpoints(containers: &[ContainerSummary]) -> HashMap<String, Vec<Endpoint>> {
    let mut attached: HashMap<String, Vec<Endpoint>> = HashMap::new();
    for c in containers.iter().filter(|c| !is_helper(c)) {
        let (name, running) = (listed_name(c), listed_running(c));
        let networks = c.network_settings.as_ref().and_then(|s| s.networks.as_ref());
        for (network, settings) in networks.into_iter().flatten() {
            let key = settings.network_id.clone().filter(|id| !id.is_empty()).unwrap_or_else(|| network.clone());
            attached.entry(key).or_default().push(Endpoint {
                id: c.id.clone().unwrap_or_default(),
                name: name.clone(),
                running,
                ipv4: settings.ip_address.clone().unwrap_or_default(),
            });
        }
    }
    attached
}
