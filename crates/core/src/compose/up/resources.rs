//! The project's networks and volumes an `up` needs, created before any container (existing
//! ones are kept; `external` ones must exist).

use super::Run;
use crate::compose::labels;
use crate::compose::progress::say;
use crate::error::{Error, Result};
use crate::objects::create;
use bollard::models::{NetworkCreateRequest, VolumeCreateRequest};
use futures_util::future::join_all;
use serde_json::Value;

impl Run<'_> {
    pub(super) async fn networks(&self, order: &[String]) -> Result<()> {
        let p = self.project;
        let used: Vec<&str> = order
            .iter()
            .flat_map(|s| p.config["services"][s].get("networks").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.as_str()))
            .collect();
        for (key, net) in p.config["networks"].as_object().into_iter().flatten().filter(|(k, _)| used.contains(&k.as_str())) {
            let name = net["name"].as_str().unwrap_or(key).to_string();
            let exists = self.engine.docker().inspect_network(&name, None).await.is_ok();
            if net["external"].as_bool() == Some(true) {
                if !exists {
                    return Err(Error::invalid(
                        "networks",
                        format!(
                            "Network \"{name}\" is declared as external but does not exist. Create it with `docker network create {name}`."
                        ),
                    ));
                }
                continue;
            }
            if exists {
                continue;
            }
            let ipam = net.get("ipam").map(|i| bollard::models::Ipam {
                driver: i["driver"].as_str().map(str::to_string),
                config: i["config"].as_array().map(|c| {
                    c.iter()
                        .map(|x| bollard::models::IpamConfig {
                            subnet: x["subnet"].as_str().map(str::to_string),
                            gateway: x["gateway"].as_str().map(str::to_string),
                            ip_range: x["ip_range"].as_str().map(str::to_string),
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            });
            let req = NetworkCreateRequest {
                name: name.clone(),
                driver: Some(net["driver"].as_str().unwrap_or("bridge").to_string()),
                internal: net["internal"].as_bool(),
                attachable: net["attachable"].as_bool(),
                enable_ipv6: net["enable_ipv6"].as_bool(),
                options: net["driver_opts"]
                    .as_object()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()),
                labels: Some(labels::resource(&p.name, labels::NETWORK, key, net.get("labels"))),
                ipam,
                ..Default::default()
            };
            say(self.emit, format!("Network {name}"), None, "Creating");
            let (engine, created, made) = (self.engine.clone(), self.created.clone(), name.clone());
            self.shielded(async move {
                create::network(&engine, req).await?;
                created.lock().unwrap_or_else(|e| e.into_inner()).networks.push(made);
                Ok(())
            })
            .await?;
            say(self.emit, format!("Network {name}"), None, "Created");
        }
        Ok(())
    }

    pub(super) async fn volumes(&self, order: &[String]) -> Result<()> {
        let p = self.project;
        let used: Vec<&str> = order
            .iter()
            .flat_map(|s| p.config["services"][s].get("volumes").and_then(Value::as_array).into_iter().flatten())
            .filter(|v| v["type"] == "volume")
            .filter_map(|v| v["source"].as_str())
            .collect();
        let wanted = p.config["volumes"].as_object().into_iter().flatten().filter(|(k, _)| used.contains(&k.as_str()));
        join_all(wanted.map(|(key, vol)| self.volume(key, vol))).await.into_iter().collect::<Result<Vec<_>>>()?;
        Ok(())
    }

    async fn volume(&self, key: &str, vol: &Value) -> Result<()> {
        let p = self.project;
        let name = vol["name"].as_str().unwrap_or(key).to_string();
        let exists = self.engine.docker().inspect_volume(&name).await.is_ok();
        if vol["external"].as_bool() == Some(true) {
            if !exists {
                return Err(Error::invalid(
                    "volumes",
                    format!("Volume \"{name}\" is declared as external but does not exist. Create it with `docker volume create {name}`."),
                ));
            }
            return Ok(());
        }
        if exists {
            return Ok(());
        }
        let req = VolumeCreateRequest {
            name: Some(name.clone()),
            driver: vol["driver"].as_str().map(str::to_string),
            driver_opts: vol["driver_opts"]
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()),
            labels: Some(labels::resource(&p.name, labels::VOLUME, key, vol.get("labels"))),
            ..Default::default()
        };
        say(self.emit, format!("Volume {name}"), None, "Creating");
        let (engine, created, made) = (self.engine.clone(), self.created.clone(), name.clone());
        self.shielded(async move {
            create::volume(&engine, req).await?;
            created.lock().unwrap_or_else(|e| e.into_inner()).volumes.push(made);
            Ok(())
        })
        .await?;
        say(self.emit, format!("Volume {name}"), None, "Created");
        Ok(())
    }
}
