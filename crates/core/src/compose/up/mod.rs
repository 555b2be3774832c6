//! `up`: networks and volumes first, then every service once the services it depends on have
//! reached their condition; independent services start together. A service whose config hash
//! (or image) changed is recreated, an unchanged one is left running.

mod resources;

use super::create::{self, Instance};
use super::plan::{plan, UpOptions};
use super::progress::{say, Emit, Progress};
use super::refs::{self, Target, Targets};
use super::{labels, orphans, secrets, Project};
use crate::containers::ContainerState;
use crate::error::{Error, ErrorPayload, Result};
use crate::objects::remove::{discard, remove, remove_unused};
use crate::Engine;
use bollard::models::{Mount, MountType, NetworkConnectRequest};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, RemoveContainerOptions, RenameContainerOptions, StartContainerOptions,
    StopContainerOptions,
};
use futures_util::future::{join_all, BoxFuture, FutureExt, Shared};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
pub use tokio_util::sync::CancellationToken;

/// What one `up` made, so a failed (or cancelled) one can be undone: exactly the containers,
/// networks and volumes it created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename = "ComposeCreated")]
#[serde(rename_all = "camelCase", default)]
pub struct Created {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    /// Not made by this up: the anonymous volumes its recreated containers took over from the
    /// ones they replaced (a database's data). Undo keeps them unless the user confirms.
    pub inherited: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpOutcome {
    /// Which service failed and why; None when everything is up.
    pub error: Option<ErrorPayload>,
    pub created: Created,
    /// What the user should know though nothing failed (orphans left in place).
    pub warnings: Vec<String>,
}

/// What an up (or a compose build) sends while it runs: progress, then how it ended.
#[derive(Clone, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum UpEvent {
    Progress(Progress),
    Done(UpOutcome),
    /// The project could not be loaded or planned: nothing was touched.
    Failed {
        error: ErrorPayload,
    },
}

impl UpEvent {
    /// The last event of an up or a build.
    pub fn end(outcome: Result<UpOutcome>) -> UpEvent {
        match outcome {
            Ok(outcome) => UpEvent::Done(outcome),
            Err(e) => UpEvent::Failed { error: e.into() },
        }
    }
}

type Started<'a> = Shared<BoxFuture<'a, std::result::Result<(), String>>>;

struct Run<'a> {
    engine: &'a Engine,
    project: &'a Project,
    opts: &'a UpOptions,
    emit: Emit<'a>,
    created: Arc<Mutex<Created>>,
    /// Held (shared) by work that must end even when the up is cancelled; see [`Run::shielded`].
    in_flight: Arc<tokio::sync::RwLock<()>>,
    /// The project's containers when the up began, by service (one list call, not one each).
    existing: Mutex<HashMap<String, Vec<crate::containers::ContainerSummary>>>,
    /// Image ids by name, inspected (or pulled) once however many services share an image.
    images: tokio::sync::Mutex<HashMap<String, String>>,
}

/// Bring the project up. Refuses before touching the engine when the project cannot run.
pub async fn up(engine: &Engine, project: &Project, opts: &UpOptions, emit: Emit<'_>) -> Result<UpOutcome> {
    up_cancellable(engine, project, opts, emit, &CancellationToken::new()).await
}

/// [`up`] that stops when `cancel` fires, reporting (as a cancelled outcome) what it created so
/// far so that it can be undone.
pub async fn up_cancellable(
    engine: &Engine,
    project: &Project,
    opts: &UpOptions,
    emit: Emit<'_>,
    cancel: &CancellationToken,
) -> Result<UpOutcome> {
    let order = plan(project, opts)?;
    for name in &order {
        let svc = &project.config["services"][name];
        if svc.get("image").is_none() && svc.get("build").is_none() {
            return Err(Error::Compose(
                super::Problem::new(format!("service \"{name}\" has neither an image nor a build section"))
                    .at(format!("services.{name}"), None),
            ));
        }
        if svc.get("container_name").is_some() && replicas(project, opts, name) > 1 {
            return Err(Error::invalid(
                "scale",
                format!("Service \"{name}\" sets container_name, so it cannot run more than one container."),
            ));
        }
        if let Some((field, message)) = refs::network_conflict(name, svc) {
            return Err(Error::Compose(super::Problem::new(message).at(field, None)));
        }
        secrets::files(project, name, svc)?;
    }
    let warnings = orphans::settle(engine, project, opts, emit).await?;
    let mut existing: HashMap<String, Vec<_>> = HashMap::new();
    for c in super::stack::containers(engine, &project.name, None).await? {
        existing.entry(c.compose_service.clone().unwrap_or_default()).or_default().push(c);
    }
    let run = Run {
        engine,
        project,
        opts,
        emit,
        created: Default::default(),
        in_flight: Default::default(),
        existing: Mutex::new(existing),
        images: Default::default(),
    };
    let result = tokio::select! {
        r = run.go(&order) => r,
        () = cancel.cancelled() => Err(Error::Cancelled),
    };
    // A create the engine was already doing when the up was cancelled still gets recorded.
    drop(run.in_flight.write().await);
    let created = run.created.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(UpOutcome { error: result.err().map(ErrorPayload::from), created, warnings })
}

fn replicas(project: &Project, opts: &UpOptions, name: &str) -> u32 {
    if let Some(n) = opts.scale.get(name) {
        return *n;
    }
    let svc = &project.config["services"][name];
    let num = |v: Option<&Value>| v.and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    num(svc.pointer("/deploy/replicas")).or_else(|| num(svc.get("scale"))).unwrap_or(1) as u32
}

impl<'a> Run<'a> {
    /// Runs `work` to its end even if the up is cancelled meanwhile, so that nothing the engine
    /// makes goes unrecorded and a recreate is never left half-swapped; a cancelled up waits for
    /// such work before it reports what it created.
    async fn shielded<T: Send + 'static>(&self, work: impl Future<Output = Result<T>> + Send + 'static) -> Result<T> {
        let guard = self.in_flight.clone().read_owned().await;
        let task = tokio::spawn(async move {
            let result = work.await;
            drop(guard);
            result
        });
        task.await.map_err(|e| Error::Internal(format!("an engine call stopped: {e}")))?
    }

    async fn go(&'a self, order: &[String]) -> Result<()> {
        self.networks(order).await?;
        self.volumes(order).await?;
        let mut started: HashMap<String, Started<'a>> = HashMap::new();
        for name in order {
            let waits: Vec<(String, Value, Started<'a>)> = self.project.config["services"][name]
                .get("depends_on")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(dep, spec)| started.get(dep).map(|f| (dep.clone(), spec.clone(), f.clone())))
                .collect();
            let key = name.clone();
            let name = name.clone();
            let fut = async move {
                for (dep, spec, fut) in waits {
                    let required = spec["required"].as_bool().unwrap_or(true);
                    let waited = match fut.await {
                        Ok(()) => self.condition(&dep, spec["condition"].as_str().unwrap_or("service_started")).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = waited {
                        if required {
                            return Err(format!("it depends on \"{dep}\", which did not get ready: {e}"));
                        }
                        tracing::warn!(service = %name, %dep, "optional dependency is not ready: {e}");
                    }
                }
                self.service(&name).await.map_err(|e| e.to_string())
            }
            .boxed()
            .shared();
            started.insert(key, fut);
        }
        let results = join_all(order.iter().map(|n| {
            let f = started[n].clone();
            async move { (n.clone(), f.await) }
        }))
        .await;
        // Report the first service that failed on its own, not those that waited for it.
        let mut failures: Vec<(String, String)> = results.into_iter().filter_map(|(n, r)| r.err().map(|e| (n, e))).collect();
        failures.sort_by_key(|(_, e)| e.starts_with("it depends on"));
        match failures.into_iter().next() {
            Some((service, message)) => Err(Error::Service { service, message }),
            None => Ok(()),
        }
    }

    /// The image's id, pulling it when missing (unless `pull_policy: never`); once per image.
    async fn image(&self, name: &str, svc: &Value) -> Result<String> {
        let image = create::image_name(&self.project.name, name, svc);
        let mut cache = self.images.lock().await;
        if let Some(id) = cache.get(&image) {
            return Ok(id.clone());
        }
        let id = self.find_or_pull(name, svc, &image).await?;
        cache.insert(image, id.clone());
        Ok(id)
    }

    async fn find_or_pull(&self, name: &str, svc: &Value, image: &str) -> Result<String> {
        let image = image.to_string();
        let policy = svc["pull_policy"].as_str().unwrap_or("missing");
        let docker = self.engine.docker();
        let local = docker.inspect_image(&image).await.ok().and_then(|i| i.id);
        // A service with `build:` is built when its image is missing (or always, with
        // `pull_policy: build` or `--build`), as `docker compose up` does.
        if svc.get("build").is_some() && (local.is_none() || policy == "build" || self.opts.build) {
            return super::build::service(self.engine, name, svc, &image, self.emit).await;
        }
        if let Some(id) = local.filter(|_| policy != "always") {
            return Ok(id);
        }
        if policy == "never" {
            return Err(Error::invalid("image", format!("The image \"{image}\" is not on this engine and pull_policy is never.")));
        }
        let reference = crate::images::normalize(&image)?;
        say(self.emit, format!("Image {image}"), Some(name), "Pulling");
        if let Err(failure) = crate::images::pull_quietly(self.engine, &reference).await {
            let message = failure.message;
            return Err(Error::invalid("image", format!("The image \"{image}\" could not be pulled: {message}")));
        }
        say(self.emit, format!("Image {image}"), Some(name), "Pulled");
        let i = docker.inspect_image(&image).await.map_err(self.engine.err(&format!("Image {image}")))?;
        Ok(i.id.unwrap_or_default())
    }

    /// Make the service's containers match the config: recreate changed ones, start stopped
    /// ones, add or remove replicas.
    async fn service(&self, name: &str) -> Result<()> {
        let p = self.project;
        let targets = self.targets(&p.config["services"][name]).await?;
        // Hashed resolved, so a recreated network/IPC/PID/volumes owner recreates this service.
        let svc = &refs::resolve(&p.config["services"][name], &targets).map_err(|m| Error::invalid("services", m))?;
        let image_id = self.image(name, svc).await?;
        let hash = labels::config_hash(svc);
        let want = replicas(p, self.opts, name);
        let existing = self.existing.lock().unwrap_or_else(|e| e.into_inner()).remove(name).unwrap_or_default();
        let docker = self.engine.docker();
        let mut have = Vec::new();
        for c in existing {
            let number: u32 = c.labels.get(labels::NUMBER).and_then(|n| n.parse().ok()).unwrap_or(0);
            let resource = format!("Container {}", c.name);
            let changed = c.labels.get(labels::CONFIG_HASH) != Some(&hash)
                || (!image_id.is_empty() && c.image_id != image_id)
                || self.opts.force_recreate;
            if number > want || number == 0 || have.contains(&number) {
                say(self.emit, resource.clone(), Some(name), "Removing");
                remove(self.engine, &c.id, false).await?;
                say(self.emit, resource, Some(name), "Removed");
            } else if changed {
                say(self.emit, resource.clone(), Some(name), "Recreate");
                let inst = self.instance(name, number, &hash, &image_id, &targets, svc);
                let new = self.recreate(&inst, svc, &c.id).await?;
                say(self.emit, resource.clone(), Some(name), "Recreated");
                self.start(name, &new, &resource).await?;
                have.push(number);
            } else {
                if c.state != ContainerState::Running {
                    say(self.emit, resource.clone(), Some(name), "Starting");
                    docker.start_container(&c.id, None::<StartContainerOptions>).await.map_err(self.engine.err(&resource))?;
                    say(self.emit, resource, Some(name), "Started");
                } else {
                    say(self.emit, resource, Some(name), "Running");
                }
                have.push(number);
            }
        }
        for number in (1..=want).filter(|n| !have.contains(n)) {
            let inst = self.instance(name, number, &hash, &image_id, &targets, svc);
            let id = self.create(&inst, svc, &inst.container_name, &[]).await?;
            self.start(name, &id, &format!("Container {}", inst.container_name)).await?;
        }
        Ok(())
    }

    fn instance<'i>(
        &'i self,
        name: &'i str,
        number: u32,
        hash: &'i str,
        image_id: &'i str,
        targets: &Targets,
        svc: &Value,
    ) -> Instance<'i> {
        let p = self.project;
        Instance {
            project: p,
            service: name,
            number,
            hash,
            image_id,
            links: refs::links(&p.name, svc, number, targets),
            container_name: svc["container_name"].as_str().map(str::to_string).unwrap_or_else(|| format!("{}-{name}-{number}", p.name)),
        }
    }

    /// Replace container `old` as Compose v2 does: create the new one under a temporary name
    /// first, so a failed create (or a cancel) leaves the old one and its anonymous volumes as
    /// they were; only then stop and remove the old one and give the new one its name.
    async fn recreate(&self, inst: &Instance<'_>, svc: &Value, old: &str) -> Result<String> {
        let keep = anonymous_volumes(self.engine, old, svc).await?;
        let temporary = format!("{}_{}", &old[..old.len().min(12)], inst.container_name);
        let new = self.create(inst, svc, &temporary, &keep).await?;
        self.created.lock().unwrap_or_else(|e| e.into_inner()).inherited.extend(keep.iter().filter_map(|m| m.source.clone()));
        let (engine, old, id, name) = (self.engine.clone(), old.to_string(), new.clone(), inst.container_name.clone());
        self.shielded(async move {
            let docker = engine.docker();
            let what = format!("Container {name}");
            // No timeout given: the engine uses the container's own (stop_grace_period).
            let _ = docker.stop_container(&old, None::<StopContainerOptions>).await;
            let options = RemoveContainerOptions { force: true, v: false, link: false };
            docker.remove_container(&old, Some(options)).await.map_err(engine.err(&what))?;
            docker.rename_container(&id, RenameContainerOptions { name }).await.map_err(engine.err(&what))
        })
        .await?;
        Ok(new)
    }

    /// The containers of the services `svc` refers to (`service:`, `volumes_from`, `links`), as
    /// they are now that those services have converged.
    async fn targets(&self, svc: &Value) -> Result<Targets> {
        let mut out = Targets::new();
        for (service, _) in refs::referenced(svc) {
            let mut list: Vec<Target> = super::stack::containers(self.engine, &self.project.name, Some(&service))
                .await?
                .into_iter()
                .map(|c| Target { number: c.labels.get(labels::NUMBER).and_then(|n| n.parse().ok()).unwrap_or(0), id: c.id, name: c.name })
                .collect();
            list.sort_by_key(|t| t.number);
            out.insert(service, list);
        }
        Ok(out)
    }

    /// Create the container `inst` named `cname` (ready to start: networks joined, secret files
    /// copied in) and record it as this up's; `keep`: the replaced container's anonymous volumes,
    /// mounted where they were.
    async fn create(&self, inst: &Instance<'_>, svc: &Value, cname: &str, keep: &[Mount]) -> Result<String> {
        let (p, name) = (self.project, inst.service);
        let (mut body, more_networks) = create::body(inst, svc)?;
        let files = secrets::files(p, name, svc)?;
        if let Some(host) = body.host_config.as_mut().filter(|_| !files.mounts.is_empty()) {
            host.mounts.get_or_insert_with(Vec::new).extend(files.mounts);
        }
        if !keep.is_empty() {
            let mounts = body.host_config.get_or_insert_with(Default::default).mounts.get_or_insert_with(Vec::new);
            mounts.retain(|m| !keep.iter().any(|k| k.target == m.target));
            mounts.extend(keep.iter().cloned());
        }
        let resource = format!("Container {}", inst.container_name);
        let docker = self.engine.docker();
        say(self.emit, resource.clone(), Some(name), "Creating");
        let options = CreateContainerOptions { name: Some(cname.to_string()), ..Default::default() };
        let (engine, created, what) = (self.engine.clone(), self.created.clone(), resource.clone());
        let id = self
            .shielded(async move {
                let id = engine.docker().create_container(Some(options), body).await.map_err(engine.err(&what))?.id;
                created.lock().unwrap_or_else(|e| e.into_inner()).containers.push(id.clone());
                Ok(id)
            })
            .await?;
        for (net, endpoint) in more_networks {
            let req = NetworkConnectRequest { container: id.clone(), endpoint_config: Some(endpoint) };
            docker.connect_network(&net, req).await.map_err(self.engine.err(&format!("Network {net}")))?;
        }
        secrets::inject(self.engine, &id, &files.copies).await?;
        say(self.emit, resource, Some(name), "Created");
        Ok(id)
    }

    async fn start(&self, service: &str, id: &str, resource: &str) -> Result<()> {
        self.engine.docker().start_container(id, None::<StartContainerOptions>).await.map_err(self.engine.err(resource))?;
        say(self.emit, resource.to_string(), Some(service), "Started");
        Ok(())
    }

    /// Wait until every container of `dep` meets `condition`.
    async fn condition(&self, dep: &str, condition: &str) -> std::result::Result<(), String> {
        if condition == "service_started" {
            return Ok(());
        }
        let containers = super::stack::containers(self.engine, &self.project.name, Some(dep)).await.map_err(|e| e.to_string())?;
        for c in containers {
            say(self.emit, format!("Container {}", c.name), Some(dep), "Waiting");
            loop {
                let info = self.engine.docker().inspect_container(&c.id, None).await.map_err(|e| e.to_string())?;
                let state = info.state.unwrap_or_default();
                let status = state.status.map(|s| s.to_string()).unwrap_or_default();
                let exit = state.exit_code.unwrap_or(0);
                match condition {
                    "service_healthy" => match state.health.and_then(|h| h.status).map(|s| s.to_string()).as_deref() {
                        Some("healthy") => {
                            say(self.emit, format!("Container {}", c.name), Some(dep), "Healthy");
                            break;
                        }
                        Some("unhealthy") => return Err(format!("container {} is unhealthy", c.name)),
                        None | Some("none") | Some("") => return Err(format!("service \"{dep}\" has no healthcheck")),
                        _ if status == "exited" || status == "dead" => return Err(format!("container {} exited with code {exit}", c.name)),
                        _ => {}
                    },
                    _ => {
                        if status == "exited" || status == "dead" {
                            if exit == 0 {
                                say(self.emit, format!("Container {}", c.name), Some(dep), "Exited");
                                break;
                            }
                            return Err(format!("service \"{dep}\" didn't complete successfully: exit {exit}"));
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Ok(())
    }
}

/// The anonymous volumes of a container about to be replaced, as mounts for its successor, so
/// their data survives a recreate as with `docker compose up` (no `--renew-anon-volumes`): a
/// volume at a target the service mounts without a source, or at one only the image declares.
async fn anonymous_volumes(engine: &Engine, id: &str, svc: &Value) -> Result<Vec<Mount>> {
    let inspected = engine.docker().inspect_container(id, None::<InspectContainerOptions>).await.map_err(engine.err("Container"))?;
    let declared = |target: &str| svc["volumes"].as_array().into_iter().flatten().find(|v| v["target"].as_str() == Some(target));
    Ok(inspected
        .mounts
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.typ.as_deref() == Some("volume"))
        .filter_map(|m| {
            let (name, target) = (m.name?, m.destination?);
            match declared(&target) {
                Some(v) if v["source"].as_str().is_some_and(|s| !s.is_empty()) || v["type"].as_str().is_some_and(|t| t != "volume") => None,
                _ => Some(Mount {
                    typ: Some(MountType::VOLUME),
                    source: Some(name),
                    target: Some(target),
                    read_only: m.rw.map(|rw| !rw),
                    ..Default::default()
                }),
            }
        })
        .collect())
}

/// Undo a failed or cancelled `up`: remove the containers, networks and volumes it created.
/// The volumes its recreated containers inherited go only with `inherited` (the user confirmed).
pub async fn undo(engine: &Engine, created: &Created, inherited: bool) -> Result<()> {
    join_all(created.containers.iter().map(|id| discard(engine, id, true))).await.into_iter().collect::<Result<Vec<_>>>()?;
    for n in &created.networks {
        engine.docker().remove_network(n).await.map_err(engine.err(&format!("Network {n}")))?;
    }
    for v in &created.volumes {
        engine
            .docker()
            .remove_volume(v, None::<bollard::query_parameters::RemoveVolumeOptions>)
            .await
            .map_err(engine.err(&format!("Volume {v}")))?;
    }
    if inherited {
        remove_unused(engine, &created.inherited).await;
    }
    Ok(())
}
