//! Search: Docker Hub through the engine's search endpoint, and private registries through
//! their v2 catalog and tags list.

use super::model::SearchResult;
use crate::error::{Error, Result};
use crate::registry::{confirmed_token_host, credentials_for, is_network_failure, Client, Host, Places};
use crate::Engine;
use bollard::models::ImageSearchResponseItem;
use bollard::query_parameters::SearchImagesOptions;
use serde::Deserialize;

const HUB_LIMIT: i32 = 50;

/// Search Docker Hub. When the engine cannot reach it, says so in words.
pub async fn search_hub(engine: &Engine, term: &str) -> Result<Vec<SearchResult>> {
    let term = term.trim();
    if term.is_empty() {
        return Err(Error::invalid("term", "Type a word to search Docker Hub for."));
    }
    let options = SearchImagesOptions { term: term.to_string(), limit: Some(HUB_LIMIT), filters: None };
    match engine.docker().search_images(options).await {
        Ok(items) => Ok(items.into_iter().map(hub_result).collect()),
        Err(bollard::errors::Error::DockerResponseServerError { message, .. }) if is_network_failure(&message) => {
            Err(Error::Registry {
                message: "Docker Hub cannot be reached from this computer, so it cannot be searched. Check the network (or the engine's proxy settings), or search a private registry.".into(),
                detail: message,
            })
        }
        Err(e) => Err(engine.err("Docker Hub search")(e)),
    }
}

fn hub_result(item: ImageSearchResponseItem) -> SearchResult {
    SearchResult {
        name: item.name.unwrap_or_default(),
        description: item.description.unwrap_or_default(),
        stars: item.star_count.unwrap_or(0).max(0) as u32,
        official: item.is_official.unwrap_or(false),
        automated: item.is_automated.unwrap_or(false),
    }
}

#[derive(Deserialize)]
struct Catalog {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default)]
    tags: Option<Vec<String>>,
}

/// A v2 client for `registry` with the user's login for it.
async fn client(registry: &str) -> Result<Client> {
    let host = Host::parse(registry)?;
    let places = Places::from_process();
    let credentials = credentials_for(&places, &host).await;
    let token_host = confirmed_token_host(&places, &host);
    Client::new(host, credentials, &places.docker_config).map(|c| c.trusting(token_host))
}

/// Repositories of a private registry whose name contains `term` (all when empty).
pub async fn registry_repositories(registry: &str, term: &str) -> Result<Vec<String>> {
    let client = client(registry).await?;
    let catalog: Catalog = client.get("/v2/_catalog?n=1000", "catalog").await?;
    let term = term.trim().to_lowercase();
    Ok(catalog.repositories.unwrap_or_default().into_iter().filter(|r| r.contains(&term)).collect())
}

/// The tags of `repository` on a private registry, newest-looking first (`latest`, then
/// descending by name).
pub async fn registry_tags(registry: &str, repository: &str) -> Result<Vec<String>> {
    let client = client(registry).await?;
    let path = format!("/v2/{}/tags/list", repository.trim_matches('/'));
    let tags: Tags = client.get(&path, &format!("repository {repository}")).await?;
    let mut tags = tags.tags.unwrap_or_default();
    tags.sort_by(|a, b| (b == "latest").cmp(&(a == "latest")).then(b.cmp(a)));
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response of the engine's /images/search, as recorded from Docker Engine 24.
    const SAMPLE: &str = r#"[
      {"star_count":17789,"is_official":true,"name":"nginx","is_automated":false,"description":"Official build of Nginx."},
      {"star_count":89,"is_official":false,"name":"bitnami/nginx","is_automated":true,"description":"Bitnami nginx Docker Image"},
      {"star_count":0,"is_official":false,"name":"someone/nginx-proxy","is_automated":false,"description":""}
    ]"#;

    #[test]
    fn parses_a_recorded_hub_search() {
        let items: Vec<ImageSearchResponseItem> = serde_json::from_str(SAMPLE).unwrap();
        let results: Vec<SearchResult> = items.into_iter().map(hub_result).collect();
        assert_eq!(results.len(), 3);
        assert_eq!(
            results[0],
            SearchResult {
                name: "nginx".into(),
                description: "Official build of Nginx.".into(),
                stars: 17789,
                official: true,
                automated: false
            }
        );
        assert!(results[1].automated && !results[1].official);
    }
}
