//! Networks. For now: the names the run dialog offers.

use crate::error::Result;
use crate::Engine;
use bollard::query_parameters::ListNetworksOptions;

pub async fn names(engine: &Engine) -> Result<Vec<String>> {
    let networks = engine.docker().list_networks(None::<ListNetworksOptions>).await.map_err(engine.err("networks"))?;
    let mut names: Vec<String> = networks.into_iter().filter_map(|n| n.name).collect();
    names.sort();
    Ok(names)
}
