//! What the no-engine screen tells the user on this OS, and the buttons that apply: start the
//! `docker` service through polkit on Linux (when systemd and the unit exist), open Docker
//! Desktop on macOS and Windows (when it is installed). Which ones apply is a pure function of
//! the [`Os`] and [`Probes`] of the machine.

use super::Os;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What was found on this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probes {
    /// systemd runs this session's machine (`/run/systemd/system`).
    pub systemd: bool,
    /// A `docker.service` unit is installed.
    pub docker_service: bool,
    /// `pkexec` (polkit), which asks for the password.
    pub pkexec: Option<PathBuf>,
    /// The Docker Engine daemon is installed (`dockerd`).
    pub dockerd: bool,
    /// Docker Desktop's application, when installed.
    pub docker_desktop: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum EngineAction {
    /// `pkexec systemctl start docker`.
    StartDockerService,
    /// Launch the installed Docker Desktop.
    OpenDockerDesktop,
}

/// The no-engine screen's guidance: sentences, then the buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineHelp {
    pub os: Os,
    pub steps: Vec<String>,
    pub actions: Vec<EngineAction>,
}

/// The result of a button: whether it worked, and a sentence saying so or what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineHelpOutcome {
    pub ok: bool,
    pub message: String,
}

const SWITCH: &str = "Running an engine somewhere else? Pick it with the engine switcher, or set DOCKER_HOST or a docker context.";

pub fn help(os: Os, probes: &Probes) -> EngineHelp {
    let mut steps = Vec::new();
    let mut actions = Vec::new();
    match os {
        Os::Linux if probes.docker_service && probes.systemd => {
            steps.push("Docker Engine's service is installed; if it is not running, start it.".to_string());
            if probes.pkexec.is_some() {
                steps.push(
                    "Start it with “Start the Docker service” (it asks for your password), or run: sudo systemctl start docker".into(),
                );
                actions.push(EngineAction::StartDockerService);
            } else {
                steps.push("Start it in a terminal: sudo systemctl start docker".into());
            }
        }
        Os::Linux if probes.dockerd => {
            steps.push("Docker Engine is installed; if it is not running, start it in a terminal: sudo dockerd (or your system's service command).".into());
        }
        Os::Linux => {
            steps.push("Install an engine: Docker Engine (docs.docker.com/engine/install, then sudo systemctl start docker), or Podman (then systemctl --user start podman.socket), or Docker Desktop for Linux.".into());
        }
        Os::MacOs | Os::Windows if probes.docker_desktop.is_some() => {
            steps.push("Docker Desktop is installed; if it is not running, open it and wait until it says the engine is running.".into());
            actions.push(EngineAction::OpenDockerDesktop);
        }
        Os::MacOs => {
            steps.push("Install an engine: Docker Desktop (docker.com/products/docker-desktop), OrbStack, Colima (brew install colima docker, then colima start) or Podman Desktop (then podman machine start).".into());
        }
        Os::Windows => {
            steps.push(
                "Install an engine: Docker Desktop (docker.com/products/docker-desktop) or Podman Desktop (then podman machine start)."
                    .into(),
            );
        }
    }
    steps.push(SWITCH.into());
    EngineHelp { os, steps, actions }
}

/// Where to look for each probe; `exists` tells whether a path is there.
pub fn probe(os: Os, home: Option<&Path>, var: impl Fn(&str) -> Option<String>, exists: impl Fn(&Path) -> bool) -> Probes {
    let first = |paths: &[&str]| paths.iter().map(PathBuf::from).find(|p| exists(p));
    let any = |paths: &[&str]| first(paths).is_some();
    match os {
        Os::Linux => Probes {
            systemd: exists(Path::new("/run/systemd/system")),
            docker_service: any(&[
                "/etc/systemd/system/docker.service",
                "/lib/systemd/system/docker.service",
                "/usr/lib/systemd/system/docker.service",
            ]),
            pkexec: first(&["/usr/bin/pkexec", "/bin/pkexec"]),
            dockerd: any(&["/usr/bin/dockerd", "/usr/local/bin/dockerd", "/usr/sbin/dockerd"]),
            docker_desktop: None,
        },
        Os::MacOs => {
            let mut apps = vec![PathBuf::from("/Applications/Docker.app")];
            apps.extend(home.map(|h| h.join("Applications/Docker.app")));
            Probes { docker_desktop: apps.into_iter().find(|p| exists(p)), ..Probes::default() }
        }
        Os::Windows => {
            let program_files = var("ProgramFiles").unwrap_or_else(|| r"C:\Program Files".into());
            let exe = Path::new(&program_files).join(r"Docker\Docker\Docker Desktop.exe");
            Probes { docker_desktop: exists(&exe).then_some(exe), ..Probes::default() }
        }
    }
}

/// This machine's guidance.
pub fn current() -> EngineHelp {
    let os = Os::CURRENT;
    help(os, &probe(os, dirs::home_dir().as_deref(), super::var, Path::exists))
}

/// The program and arguments a button runs, when it applies here.
pub fn command(os: Os, probes: &Probes, action: EngineAction) -> Option<(PathBuf, Vec<String>)> {
    if !help(os, probes).actions.contains(&action) {
        return None;
    }
    match (action, os, &probes.docker_desktop) {
        (EngineAction::StartDockerService, _, _) => {
            Some((probes.pkexec.clone()?, vec!["systemctl".into(), "start".into(), "docker".into()]))
        }
        (EngineAction::OpenDockerDesktop, Os::MacOs, Some(app)) => Some(("/usr/bin/open".into(), vec![app.display().to_string()])),
        (EngineAction::OpenDockerDesktop, _, Some(exe)) => Some((exe.clone(), Vec::new())),
        (EngineAction::OpenDockerDesktop, _, None) => None,
    }
}

/// What an exit status of the button's program means, as a sentence.
pub fn outcome(action: EngineAction, code: Option<i32>, stderr: &str) -> EngineHelpOutcome {
    let (ok, message) = match (action, code) {
        (EngineAction::StartDockerService, Some(0)) => (true, "The Docker service started. Berth connects to it in a moment.".to_string()),
        // pkexec: 126 when the dialog was dismissed or the user not allowed, 127 when no agent could ask.
        (EngineAction::StartDockerService, Some(126)) => {
            (false, "Starting the Docker service was cancelled or not allowed. Run: sudo systemctl start docker".into())
        }
        (EngineAction::StartDockerService, Some(127)) => {
            (false, "No password prompt (polkit agent) is available in this session. Run: sudo systemctl start docker".into())
        }
        (EngineAction::StartDockerService, _) => {
            let said = stderr.trim();
            (
                false,
                format!(
                    "systemctl could not start the Docker service{}. See: journalctl -u docker",
                    if said.is_empty() { String::new() } else { format!(": {said}") }
                ),
            )
        }
        (EngineAction::OpenDockerDesktop, Some(0)) => (true, "Docker Desktop is starting. Berth connects when its engine runs.".into()),
        (EngineAction::OpenDockerDesktop, _) => (
            false,
            format!(
                "Docker Desktop could not be opened{}. Open it from your applications.",
                if stderr.trim().is_empty() { String::new() } else { format!(": {}", stderr.trim()) }
            ),
        ),
    };
    EngineHelpOutcome { ok, message }
}

/// Runs a button's program on this machine and says how it went. Docker Desktop's own program
/// keeps running, so it counts as opened once it started.
pub async fn act(action: EngineAction) -> EngineHelpOutcome {
    let os = Os::CURRENT;
    let probes = probe(os, dirs::home_dir().as_deref(), super::var, Path::exists);
    let Some((program, args)) = command(os, &probes, action) else {
        return EngineHelpOutcome { ok: false, message: "That does not apply on this computer any more. Follow the steps shown.".into() };
    };
    tracing::info!(?action, program = %program.display(), "engine help action");
    let mut command = tokio::process::Command::new(&program);
    command.args(&args).stdin(std::process::Stdio::null());
    if os == Os::Windows {
        return match command.spawn() {
            Ok(_) => outcome(action, Some(0), ""),
            Err(e) => outcome(action, None, &e.to_string()),
        };
    }
    match command.output().await {
        Ok(out) => outcome(action, out.status.code(), &String::from_utf8_lossy(&out.stderr)),
        Err(e) => outcome(action, None, &e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux(found: &[&str]) -> Probes {
        probe(Os::Linux, None, |_| None, |p| found.iter().any(|f| Path::new(f) == p))
    }

    #[test]
    fn linux_offers_the_service_button_only_with_systemd_the_unit_and_polkit() {
        let all = linux(&["/run/systemd/system", "/lib/systemd/system/docker.service", "/usr/bin/pkexec", "/usr/bin/dockerd"]);
        let h = help(Os::Linux, &all);
        assert_eq!(h.actions, [EngineAction::StartDockerService]);
        assert!(h.steps[0].contains("service is installed"), "{h:?}");
        let start = command(Os::Linux, &all, EngineAction::StartDockerService).unwrap();
        assert_eq!(start, (PathBuf::from("/usr/bin/pkexec"), vec!["systemctl".to_string(), "start".into(), "docker".into()]));
        assert_eq!(command(Os::Linux, &all, EngineAction::OpenDockerDesktop), None);

        let no_polkit = help(Os::Linux, &linux(&["/run/systemd/system", "/lib/systemd/system/docker.service"]));
        assert!(no_polkit.actions.is_empty() && no_polkit.steps[1].contains("sudo systemctl start docker"), "{no_polkit:?}");
        // A container or WSL without systemd, dockerd installed: the command, no button.
        let no_systemd = help(Os::Linux, &linux(&["/usr/bin/dockerd", "/usr/bin/pkexec", "/lib/systemd/system/docker.service"]));
        assert!(no_systemd.actions.is_empty() && no_systemd.steps[0].contains("sudo dockerd"), "{no_systemd:?}");
        let nothing = help(Os::Linux, &linux(&[]));
        assert!(nothing.actions.is_empty() && nothing.steps[0].starts_with("Install an engine") && nothing.steps[0].contains("Podman"));
        assert!(nothing.steps.last().unwrap().contains("engine switcher"));
    }

    #[test]
    fn macos_and_windows_offer_docker_desktop_when_installed() {
        let mac = probe(Os::MacOs, Some(Path::new("/Users/a")), |_| None, |p| p == Path::new("/Users/a/Applications/Docker.app"));
        assert_eq!(mac.docker_desktop, Some(PathBuf::from("/Users/a/Applications/Docker.app")));
        assert_eq!(help(Os::MacOs, &mac).actions, [EngineAction::OpenDockerDesktop]);
        assert_eq!(
            command(Os::MacOs, &mac, EngineAction::OpenDockerDesktop).unwrap(),
            (PathBuf::from("/usr/bin/open"), vec!["/Users/a/Applications/Docker.app".to_string()])
        );
        let bare_mac = help(Os::MacOs, &Probes::default());
        assert!(bare_mac.actions.is_empty() && bare_mac.steps[0].contains("Colima"), "{bare_mac:?}");

        let win = probe(Os::Windows, None, |_| None, |p| p.to_string_lossy().ends_with("Docker Desktop.exe"));
        let exe = win.docker_desktop.clone().unwrap();
        assert_eq!(exe.to_string_lossy().replace('/', r"\"), r"C:\Program Files\Docker\Docker\Docker Desktop.exe");
        assert_eq!(command(Os::Windows, &win, EngineAction::OpenDockerDesktop).unwrap(), (exe, vec![]));
        assert_eq!(command(Os::Windows, &win, EngineAction::StartDockerService), None);
        let bare_win = help(Os::Windows, &Probes::default());
        assert!(bare_win.actions.is_empty() && bare_win.steps[0].contains("Podman Desktop"), "{bare_win:?}");
    }

    #[test]
    fn failures_and_cancels_are_sentences() {
        let start = EngineAction::StartDockerService;
        assert!(outcome(start, Some(0), "").ok);
        assert!(outcome(start, Some(126), "").message.contains("cancelled"));
        assert!(outcome(start, Some(127), "").message.contains("polkit"));
        let failed = outcome(start, Some(1), "Job for docker.service failed.\n");
        assert!(
            !failed.ok && failed.message.contains("Job for docker.service failed.") && failed.message.contains("journalctl"),
            "{failed:?}"
        );
        assert!(!outcome(EngineAction::OpenDockerDesktop, None, "not found").ok);
    }
}
