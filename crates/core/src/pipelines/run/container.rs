//! The job container: made from the job's image with its caches, certificates and socket
//! mounted, and its files (the project, its `.git`, the artifacts it gets and its scripts)
//! unpacked from its main process's stdin or uploaded through the engine ([`Delivery`]).

use super::engine_ops as ops;
use super::files;
use super::handoff;
use super::job::{JobInput, Made, RunContext, DOCKER_AUTH_CONFIG, PID_FILE, SCRIPTS};
use super::keep::{artifact_selections, cache_volumes, CacheVolume, CACHE_MOUNT};
use super::script;
use crate::error::{Error, Result};
use crate::pipelines::expand::expand;
use crate::pipelines::model::{ArtifactsWhen, Image};
use bollard::models::{ContainerCreateBody, HostConfig, HostConfigLogConfig};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The files a job gets, as the pieces of one tar at `/`: the project's, its `.git` (once
/// made), the artifacts kept in `artifacts` (later sets over earlier ones, all over the project,
/// as the runner's downloads), then `scripts`.
async fn job_files(ctx: Arc<RunContext>, artifacts: Vec<PathBuf>, scripts: bytes::Bytes) -> Result<Vec<bytes::Bytes>> {
    let git = ctx.git_dir.clone().await;
    let mut parts = vec![ctx.project_tar.clone()];
    if !git.tar.is_empty() {
        parts.push(git.tar.clone());
    }
    for dir in &artifacts {
        parts.push(handoff::packed(dir, &ctx.builds_dir).await?.into());
    }
    parts.push(scripts);
    Ok(files::chain_tars(parts))
}

/// The job container, made and filled but not started.
pub(super) struct Prepared<'a> {
    pub(super) caches: Vec<CacheVolume<'a>>,
    pub(super) setup: Setup,
    pub(super) container: Container,
}

/// A job container [`make_container`] made.
pub(super) struct Container {
    pub(super) id: String,
    /// The files its main process unpacks from its stdin ([`Delivery::Stdin`]), being packed
    /// ([`job_files`]) while the container is made and started.
    pub(super) stdin: Option<tokio::task::JoinHandle<Result<Vec<bytes::Bytes>>>>,
    /// Its main process sends the job folder when its scripts have ended ([`script::Send`]).
    pub(super) sends: bool,
    /// Its main process, when started before the services were ready (see [`attempt`]).
    pub(super) started: Option<ops::Attached>,
}

/// How the project, the artifacts a job gets and its scripts reach the job container.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivery {
    /// One tar on the main process's stdin, unpacked by the image's `tar` before the script
    /// ([`script::unpack_then`]): the engine runs no extraction of its own (a process apart per
    /// upload, about 100 ms each on Docker 20.10) and fills no volume with artifacts.
    Stdin,
    /// The engine's upload before the start, with artifacts handed through volumes
    /// ([`handoff`]): for a container kept alive for execs (a job with caches), a user other
    /// than root, or an image whose `tar` could not unpack the files.
    Upload,
}

/// What the job container is made from, whichever the [`Delivery`].
pub(super) struct Setup {
    pub(super) image_name: String,
    pub(super) body: ContainerCreateBody,
    /// The script is the container's main process (see [`prepare_container`]).
    pub(super) main: bool,
    pub(super) step_files: Vec<String>,
    /// When the job's artifacts are kept, if it keeps any.
    pub(super) artifacts_when: Option<ArtifactsWhen>,
}

/// Makes the job container and puts the project, the artifacts it depends on and its scripts
/// in it. A job without caches runs its script (then its `after_script`, see
/// [`script::step_then_after`]) as the container's main process, as `docker run` would: no
/// shell kept alive, no exec, and the container has stopped by itself when the files are copied
/// out. Otherwise the container is kept alive so that each step and the cache copies can run in it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn prepare_container<'a>(
    ctx: &Arc<RunContext>,
    input: &JobInput<'a>,
    name: &str,
    network: Option<&str>,
    env_map: &HashMap<String, String>,
    env_list: &[String],
    certs: Option<&String>,
    labels: &HashMap<String, String>,
    made: &mut Made,
) -> Result<Prepared<'a>> {
    let (job, engine) = (input.job, &ctx.engine);
    let image =
        job.image.clone().unwrap_or_else(|| Image { name: ctx.default_image.clone(), entrypoint: None, pull_policy: vec![], user: None });
    let image_name = expand(&image.name, |k| env_map.get(k).cloned());
    ctx.say(&job.name, &format!("Using image {image_name}"));
    let auth_config = env_map.get(DOCKER_AUTH_CONFIG).map(String::as_str);
    let (warning, runs_as_root) = ops::ensure_image(engine, &image_name, &image.pull_policy, auth_config).await?;
    if let Some(warning) = warning {
        ctx.say(&job.name, &warning);
    }
    let caches = cache_volumes(ctx, job, env_map).await?;
    let mut binds: Vec<String> = caches.iter().enumerate().map(|(i, c)| format!("{}:{CACHE_MOUNT}/{i}", c.volume)).collect();
    if let Some(certs) = certs {
        binds.push(format!("{certs}:/certs/client"));
    }
    if let Some(socket) = &ctx.host_socket {
        binds.push(format!("{socket}:/var/run/docker.sock"));
    }
    let step_files: Vec<String> = SCRIPT_NAMES.iter().map(|n| format!("{SCRIPTS}/{n}")).collect();
    let main = caches.is_empty();
    // The main process's command depends on how the files come (see [`make_container`]).
    let (cmd, env) = if main {
        (None, env_list.iter().cloned().chain(["CI_JOB_STATUS=running".to_string()]).collect())
    } else {
        (Some(vec!["sh".into(), "-c".into(), "while :; do sleep 3600; done".into()]), env_list.to_vec())
    };
    let body = ContainerCreateBody {
        image: Some(image_name.clone()),
        entrypoint: api_entrypoint(&image),
        cmd,
        env: Some(env),
        working_dir: Some(ctx.builds_dir.clone()),
        user: image.user.clone(),
        labels: Some(labels.clone()),
        // Berth keeps the job's log itself; the engine's own copy would cost it a JSON line
        // per chunk of output (a third of the time of a job that prints 10 MB).
        host_config: Some(HostConfig {
            binds: Some(binds),
            log_config: Some(HostConfigLogConfig { typ: Some("none".into()), config: None }),
            ..Default::default()
        }),
        ..Default::default()
    };
    // tar as root writes where the engine's upload would; another user may not.
    let unpacks = main
        && image.user.as_deref().is_none_or(ops::is_root)
        && runs_as_root
        && !ctx.cannot_unpack.lock().expect("cannot_unpack").contains(&image_name);
    let artifacts_when = artifact_selections(ctx, job, env_map).and(job.artifacts.as_ref()).map(|a| a.when);
    let setup = Setup { image_name, body, main, step_files, artifacts_when };
    let delivery = if unpacks { Delivery::Stdin } else { Delivery::Upload };
    let container = make_container(ctx, input, name, network, &setup, delivery, made).await?;
    Ok(Prepared { caches, setup, container })
}

/// The names of a job's script files in [`SCRIPTS`]: its step, its `after_script`, and the
/// main process that runs both.
const SCRIPT_NAMES: [&str; 3] = ["step_script", "after_script", "main"];

/// Makes the job container from `setup`, with the project, the artifacts it depends on and its
/// scripts either uploaded or (returned) to be written to its main process's stdin.
pub(super) async fn make_container(
    ctx: &Arc<RunContext>,
    input: &JobInput<'_>,
    name: &str,
    network: Option<&str>,
    setup: &Setup,
    delivery: Delivery,
    made: &mut Made,
) -> Result<Container> {
    let (job, engine) = (input.job, &ctx.engine);
    let mut body = setup.body.clone();
    // The job's own tar sends its folder where it unpacked it.
    let send = setup.artifacts_when.filter(|_| delivery == Delivery::Stdin).map(|when| script::Send { dir: &ctx.builds_dir, when });
    let sends = send.is_some();
    if setup.main {
        body.cmd = Some(vec!["sh".into(), setup.step_files[2].clone()]);
    }
    let mut copy = None;
    let mut fill = None;
    // The artifacts that go with the files on stdin.
    let mut on_stdin = input.artifacts_from.clone();
    match delivery {
        Delivery::Stdin => {
            if ctx.binds_artifacts.load(std::sync::atomic::Ordering::Relaxed) {
                let (binds, mounts) = handoff::bound(&input.artifacts_from);
                copy = handoff::copy_command(mounts.len(), &ctx.builds_dir);
                body.host_config.get_or_insert_with(Default::default).binds.get_or_insert_with(Vec::new).extend(binds);
                body.cmd = body.cmd.take().map(|cmd| script::unpack_then(cmd, &mounts));
                on_stdin = vec![];
            } else {
                body.cmd = body.cmd.take().map(|cmd| script::unpack_then(cmd, &[]));
            }
            (body.open_stdin, body.stdin_once, body.attach_stdin) = (Some(true), Some(true), Some(true));
        }
        Delivery::Upload => {
            let (handed, filled) = ctx.handoff.prepare(engine, &ctx.id, &input.artifacts_from, &setup.image_name).await?;
            copy = handoff::copy_command(handed.len(), &ctx.builds_dir);
            let host = body.host_config.get_or_insert_with(Default::default);
            host.binds.get_or_insert_with(Vec::new).extend(handoff::binds(&handed));
            fill = Some(filled);
        }
    }
    let steps = [
        (SCRIPT_NAMES[0], script::step_script(&ctx.builds_dir, copy.as_deref(), &job.before_script, &job.script)),
        (SCRIPT_NAMES[1], script::after_script(&ctx.builds_dir, &job.after_script)),
        (SCRIPT_NAMES[2], {
            let after = (!job.after_script.is_empty()).then_some(setup.step_files[1].as_str());
            script::step_then_after(&setup.step_files[0], after, PID_FILE, send)
        }),
    ];
    let scripts = bytes::Bytes::from(scripts_tar(&steps)?);
    let Some(filled) = fill else {
        let packing = tokio::spawn(job_files(ctx.clone(), on_stdin, scripts));
        let id = ops::create_container(engine, name, body, network, vec!["build".into()]).await?;
        made.containers.push(id.clone());
        return Ok(Container { id, stdin: Some(packing), sends, started: None });
    };
    let id = ops::create_container(engine, name, body, network, vec!["build".into()]).await?;
    made.containers.push(id.clone());
    let tar = job_files(ctx.clone(), vec![], scripts).await?.concat();
    // The project and its scripts in one upload: each upload is an extraction the engine runs
    // apart. The artifacts it gets are in volumes, copied by the step script.
    let upload = ops::upload(engine, &id, tar, "Copying the project and the job's script into the job container");
    let (uploaded, filled) = tokio::join!(upload, filled);
    uploaded.and(filled)?;
    Ok(Container { id, stdin: None, sends, started: None })
}

fn scripts_tar(steps: &[(&str, String)]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    // Writable by the job's user, whoever it is (sticky, as /tmp): the main process notes its PID here.
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o1777);
    dir.set_size(0);
    tar.append_data(&mut dir, format!("{}/", SCRIPTS.trim_start_matches('/')), std::io::empty())
        .map_err(|e| Error::io("Writing the job's script", e))?;
    for (name, text) in steps {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o755);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, format!("{}/{name}", SCRIPTS.trim_start_matches('/')), text.as_bytes())
            .map_err(|e| Error::io("Writing the job's script", e))?;
    }
    tar.into_inner().map_err(|e| Error::io("Writing the job's script", e))
}

/// `entrypoint: [""]` (no entrypoint) is `[""]` for the engine; an empty list would mean the image's.
pub(super) fn api_entrypoint(image: &Image) -> Option<Vec<String>> {
    image.entrypoint.as_ref().map(|e| if e.is_empty() { vec![String::new()] } else { e.clone() })
}
