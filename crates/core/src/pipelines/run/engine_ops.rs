//! The engine calls a run makes: labelled networks, containers and volumes, execs whose
//! output is streamed, files in and out, and removal of everything a run made.
//! Networks and volumes are made through [`crate::objects`], as compose makes its own.

use super::labels;
use crate::error::{Error, Result};
use crate::objects;
use crate::pipelines::model::PullPolicy;
use crate::registry::{credentials_for_registry, credentials_in_config, Host};
use crate::Engine;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, EndpointSettings, NetworkCreateRequest, NetworkingConfig, VolumeCreateRequest};
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, DownloadFromContainerOptions, ListContainersOptions, ListNetworksOptions,
    ListVolumesOptions, RemoveContainerOptions, RemoveVolumeOptions, StartContainerOptions, UploadToContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::path::Path;
use tokio::io::AsyncWriteExt;

pub async fn create_network(engine: &Engine, name: &str, labels: HashMap<String, String>) -> Result<()> {
    let request = NetworkCreateRequest { name: name.into(), driver: Some("bridge".into()), labels: Some(labels), ..Default::default() };
    objects::create::network(engine, request).await
}

pub async fn create_volume(engine: &Engine, name: &str, labels: HashMap<String, String>) -> Result<()> {
    let request = VolumeCreateRequest { name: Some(name.into()), labels: Some(labels), ..Default::default() };
    objects::create::volume(engine, request).await
}

pub async fn volume_exists(engine: &Engine, name: &str) -> bool {
    engine.docker().inspect_volume(name).await.is_ok()
}

/// Create a container, attached to `network` under `aliases` when there is one (else on the
/// engine's default bridge); returns its id.
pub async fn create_container(
    engine: &Engine,
    name: &str,
    mut body: ContainerCreateBody,
    network: Option<&str>,
    aliases: Vec<String>,
) -> Result<String> {
    if let Some(network) = network {
        let endpoint = EndpointSettings { aliases: Some(aliases), ..Default::default() };
        body.networking_config = Some(NetworkingConfig { endpoints_config: Some(HashMap::from([(network.to_string(), endpoint)])) });
        body.host_config.get_or_insert_with(Default::default).network_mode = Some(network.into());
    }
    let options = CreateContainerOptions { name: Some(name.into()), ..Default::default() };
    let created = engine.docker().create_container(Some(options), body).await.map_err(engine.err(&format!("Container {name}")))?;
    Ok(created.id)
}

pub async fn start(engine: &Engine, id: &str) -> Result<()> {
    engine.docker().start_container(id, None::<StartContainerOptions>).await.map_err(engine.err("The job container"))
}

pub async fn remove_container(engine: &Engine, id: &str) {
    let options = RemoveContainerOptions { force: true, v: true, link: false };
    if let Err(e) = engine.docker().remove_container(id, Some(options)).await {
        tracing::debug!(%id, %e, "pipeline container already gone");
    }
}

/// The image is on the engine as its `pull_policy` asks (Berth's default: if-not-present):
/// `always` pulls and, when that fails offline, says so and uses the local copy; `never` only
/// uses the local one. A pull logs in as the job's `DOCKER_AUTH_CONFIG` says for the image's
/// registry, else with the stored login, as the runner does. Returns a warning for the job log,
/// and whether the image's processes run as root (its `USER` is unset, `root` or `0`).
pub async fn ensure_image(
    engine: &Engine,
    image: &str,
    policy: &[PullPolicy],
    auth_config: Option<&str>,
) -> Result<(Option<String>, bool)> {
    let root = |i: bollard::models::ImageInspect| is_root(&i.config.and_then(|c| c.user).unwrap_or_default());
    let local = engine.docker().inspect_image(image).await.ok();
    let always = policy.first() == Some(&PullPolicy::Always);
    match local {
        Some(inspect) if !always => Ok((None, root(inspect))),
        _ => {
            let warning = pull(engine, image, policy, auth_config, local.is_some()).await?;
            Ok((warning, engine.docker().inspect_image(image).await.ok().is_some_and(root)))
        }
    }
}

/// `user` (a container's `USER`, `name[:group]`) is root.
pub fn is_root(user: &str) -> bool {
    matches!(user.split(':').next(), Some("" | "root" | "0"))
}

async fn pull(engine: &Engine, image: &str, policy: &[PullPolicy], auth_config: Option<&str>, local: bool) -> Result<Option<String>> {
    if !local && policy.iter().all(|p| *p == PullPolicy::Never) && !policy.is_empty() {
        return Err(Error::invalid("image", format!("The image \"{image}\" is not on this engine, and its pull_policy is never.")));
    }
    let reference = crate::reference::parse_normalized(image)
        .map_err(|e| Error::invalid("image", format!("The image name \"{image}\" is not valid: {e}.")))?;
    let from_variable = match (auth_config, Host::parse(reference.registry())) {
        (Some(json), Ok(host)) => credentials_in_config(json, &host).await?,
        _ => None,
    };
    let credentials = match from_variable {
        Some(c) => Some(c),
        None => credentials_for_registry(reference.registry()).await,
    };
    let mut failure = None;
    crate::images::pull_as(engine, &reference, credentials, |event| {
        if let crate::images::TransferEvent::Failed { error } = event {
            failure = Some(error.message);
        }
    })
    .await;
    match failure {
        None => Ok(None),
        Some(message) if local => Ok(Some(format!("WARNING: pulling {image} failed ({message}); using the image already on this engine."))),
        Some(message) => {
            Err(Error::invalid("image", format!("The image \"{image}\" is not on this engine and could not be pulled: {message}")))
        }
    }
}

/// Put a tar into the container at `/`.
pub async fn upload(engine: &Engine, id: &str, tar: Vec<u8>, what: &str) -> Result<()> {
    let options = UploadToContainerOptions { path: "/".into(), ..Default::default() };
    engine.docker().upload_to_container(id, Some(options), bollard::body_full(tar.into())).await.map_err(engine.err(what))
}

/// Put the tar in file `tar` into the container at `/`, streamed (a cache can be large).
pub async fn upload_file(engine: &Engine, id: &str, tar: &Path, what: &str) -> Result<()> {
    let file = tokio::fs::File::open(tar).await.map_err(|e| Error::io(what, e))?;
    let options = UploadToContainerOptions { path: "/".into(), ..Default::default() };
    let body = bollard::body_try_stream(tokio_util::io::ReaderStream::new(file));
    engine.docker().upload_to_container(id, Some(options), body).await.map_err(engine.err(what))
}

/// The most of a job's folder that is copied out to pick its artifacts (GitLab's own cap on an
/// artifacts archive is 1 GiB on gitlab.com): a job cannot fill the host's disk.
pub const MAX_DOWNLOAD: u64 = 2 << 30;

/// The engine's tar of `path` in the container, written to `to`; at most `max` bytes, else a
/// sentence (and the part written is removed).
pub async fn download(engine: &Engine, id: &str, path: &str, to: &Path, max: u64) -> Result<()> {
    let mut file = tokio::fs::File::create(to).await.map_err(|e| Error::io("Keeping the job's files", e))?;
    let mut stream = engine.docker().download_from_container(id, Some(DownloadFromContainerOptions { path: path.into() }));
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(engine.err("The job's files"))?;
        written += chunk.len() as u64;
        if written > max {
            drop(file);
            let _ = tokio::fs::remove_file(to).await;
            return Err(too_big(path, max));
        }
        file.write_all(&chunk).await.map_err(|e| Error::io("Keeping the job's files", e))?;
    }
    file.flush().await.map_err(|e| Error::io("Keeping the job's files", e))
}

/// Why a job folder (`path`) over `max` bytes gave no artifacts.
pub fn too_big(path: &str, max: u64) -> Error {
    Error::invalid(
        "artifacts",
        format!(
            "The job's folder {path} holds more than {}, so Berth kept no artifacts from it; make the job leave less there.",
            crate::fsutil::human(max)
        ),
    )
}

/// Run `cmd` in the container, handing each output chunk to `output` (`true` = stderr);
/// returns the exit code.
pub async fn exec(engine: &Engine, id: &str, cmd: Vec<String>, env: Vec<String>, mut output: impl FnMut(bool, &[u8])) -> Result<i64> {
    let options =
        CreateExecOptions { cmd: Some(cmd), env: Some(env), attach_stdout: Some(true), attach_stderr: Some(true), ..Default::default() };
    let docker = engine.docker();
    let exec = docker.create_exec(id, options).await.map_err(engine.err("The job container"))?.id;
    let started = docker.start_exec(&exec, None::<StartExecOptions>).await.map_err(engine.err("The job container"))?;
    if let StartExecResults::Attached { output: stream, .. } = started {
        pump(engine, stream, &mut output).await?;
    }
    let inspect = docker.inspect_exec(&exec).await.map_err(engine.err("The job container"))?;
    Ok(inspect.exit_code.unwrap_or(-1))
}

/// A started container's main process, attached before the start (so no byte is missed).
pub struct Attached {
    output: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = std::result::Result<bollard::container::LogOutput, bollard::errors::Error>> + Send>,
    >,
    input: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>,
}

/// Attach to the container's main process (its input too, when `stdin`: the container must
/// have been made with `open_stdin` and `stdin_once`), then start it, as `docker run` does.
pub async fn attach_and_start(engine: &Engine, id: &str, stdin: bool) -> Result<Attached> {
    let options = AttachContainerOptions { stream: true, stdin, stdout: true, stderr: true, ..Default::default() };
    let attached = engine.docker().attach_container(id, Some(options)).await.map_err(engine.err("The job container"))?;
    start(engine, id).await?;
    Ok(Attached { output: attached.output, input: attached.input })
}

/// Hand the main process's output to `output` (`true` = stderr) until it ends, after writing
/// the pieces of `stdin` to its input (then closed) when given; returns its exit code: the one
/// `said` gives once the output has ended, if it gives one (the process said it on its way
/// out), else the engine's, once the engine has handled the exit (tens of milliseconds more,
/// more under load).
pub async fn run_attached(
    engine: &Engine,
    id: &str,
    attached: Attached,
    stdin: Option<Vec<bytes::Bytes>>,
    mut output: impl FnMut(bool, &[u8]),
    said: impl FnOnce() -> Option<i64>,
) -> Result<i64> {
    let Attached { output: stream, mut input } = attached;
    let feed = async move {
        if let Some(pieces) = stdin {
            for piece in pieces {
                // A process that stops reading early says why in its output; a failed write
                // here only means that it has.
                if input.write_all(&piece).await.is_err() {
                    break;
                }
            }
            let _ = input.shutdown().await;
        }
    };
    let (_, pumped) = tokio::join!(feed, pump(engine, stream, &mut output));
    pumped?;
    if let Some(code) = said() {
        return Ok(code);
    }
    // The output ends as the process does; `wait` returns once the engine has its exit code.
    let mut waited = engine.docker().wait_container(id, None::<WaitContainerOptions>);
    match waited.next().await {
        Some(Ok(exit)) => Ok(exit.status_code),
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
        Some(Err(e)) => Err(engine.err("The job container")(e)),
        None => Ok(-1),
    }
}

async fn pump(
    engine: &Engine,
    mut stream: impl futures_util::Stream<Item = std::result::Result<bollard::container::LogOutput, bollard::errors::Error>> + Unpin,
    output: &mut impl FnMut(bool, &[u8]),
) -> Result<()> {
    while let Some(item) = stream.next().await {
        match item.map_err(engine.err("The job's output"))? {
            bollard::container::LogOutput::StdErr { message } => output(true, &message),
            other => output(false, &other.into_bytes()),
        }
    }
    Ok(())
}

/// Remove every container, network and volume of run `only`, or (`None`) of every run that is
/// not in `keep` and whose owning process is gone. Cache volumes carry another label and stay.
pub async fn remove_runs(engine: &Engine, only: Option<&str>, keep: &[String]) -> Result<usize> {
    let docker = engine.docker();
    let filter = match only {
        Some(run) => format!("{}={run}", labels::RUN),
        None => labels::RUN.to_string(),
    };
    let filters = HashMap::from([("label".to_string(), vec![filter])]);
    let owned = |l: Option<&HashMap<String, String>>| {
        l.is_some_and(|l| {
            l.get(labels::RUN).is_some_and(|r| !keep.contains(r)) && (only.is_some() || labels::owner_gone(l.get(labels::OWNER)))
        })
    };
    let mut removed = 0;
    let containers = docker
        .list_containers(Some(ListContainersOptions { all: true, filters: Some(filters.clone()), ..Default::default() }))
        .await
        .map_err(engine.err("Pipeline containers"))?;
    for c in containers.into_iter().filter(|c| owned(c.labels.as_ref())) {
        if let Some(id) = c.id {
            remove_container(engine, &id).await;
            removed += 1;
        }
    }
    let networks = docker
        .list_networks(Some(ListNetworksOptions { filters: Some(filters.clone()) }))
        .await
        .map_err(engine.err("Pipeline networks"))?;
    for n in networks.into_iter().filter(|n| owned(n.labels.as_ref())) {
        if let Some(name) = n.name {
            if docker.remove_network(&name).await.is_ok() {
                removed += 1;
            }
        }
    }
    let volumes = docker.list_volumes(Some(ListVolumesOptions { filters: Some(filters) })).await.map_err(engine.err("Pipeline volumes"))?;
    for v in volumes.volumes.unwrap_or_default().into_iter().filter(|v| owned(Some(&v.labels))) {
        if docker.remove_volume(&v.name, Some(RemoveVolumeOptions { force: true })).await.is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}
