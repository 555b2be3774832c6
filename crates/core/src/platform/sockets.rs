//! Where engines listen by default on each platform: the docker CLI's `default` context, and
//! the sockets and pipes that Docker Desktop, Podman, Colima, OrbStack and Rancher Desktop
//! create. Hosts are in DOCKER_HOST form (`unix://…`, `npipe:////./pipe/…`).

use super::Os;
use std::path::Path;

/// The CLI's `default` context without DOCKER_HOST. `root` prefixes system paths ("/" except
/// in tests).
pub fn default_host(os: Os, root: &Path) -> String {
    match os {
        Os::Windows => pipe("docker_engine"),
        Os::Linux | Os::MacOs => unix(&root.join("var/run/docker.sock")),
    }
}

/// What the places below depend on besides the Os.
pub struct Places<'a> {
    /// Prefix of system-wide paths: "/" except in tests.
    pub root: &'a Path,
    pub home: Option<&'a Path>,
    /// `$XDG_RUNTIME_DIR` (Linux's per-user sockets).
    pub runtime_dir: Option<&'a Path>,
    /// `$TMPDIR` (macOS's per-user temporary folder, where Podman 5 puts its machine's socket).
    pub temp_dir: Option<&'a Path>,
}

/// (name, host) of every default engine socket or pipe, in the order they are offered.
pub fn well_known(os: Os, at: &Places) -> Vec<(&'static str, String)> {
    if os == Os::Windows {
        return vec![
            ("Docker Desktop", pipe("docker_engine")),
            ("Docker Desktop (Linux engine)", pipe("dockerDesktopLinuxEngine")),
            ("Podman", pipe("podman-machine-default")),
        ];
    }
    let mut list = vec![("Docker Engine", at.root.join("var/run/docker.sock"))];
    if os == Os::Linux {
        if let Some(rt) = at.runtime_dir {
            list.push(("Docker (rootless)", rt.join("docker.sock")));
            list.push(("Podman (rootless)", rt.join("podman/podman.sock")));
        }
        list.push(("Podman", at.root.join("run/podman/podman.sock")));
    }
    if let (Os::MacOs, Some(tmp)) = (os, at.temp_dir) {
        list.push(("Podman machine", tmp.join("podman/podman-machine-default-api.sock")));
    }
    if let Some(home) = at.home {
        match os {
            Os::MacOs => {
                list.push(("Docker Desktop", home.join(".docker/run/docker.sock")));
                list.push(("Podman machine", home.join(".local/share/containers/podman/machine/podman.sock")));
                list.push(("OrbStack", home.join(".orbstack/run/docker.sock")));
            }
            Os::Linux => list.push(("Docker Desktop", home.join(".docker/desktop/docker.sock"))),
            Os::Windows => unreachable!("pipes are listed above"),
        }
        list.push(("Colima", home.join(".colima/default/docker.sock")));
        list.push(("Colima", home.join(".colima/docker.sock")));
        list.push(("Rancher Desktop", home.join(".rd/docker.sock")));
    }
    list.into_iter().map(|(name, path)| (name, unix(&path))).collect()
}

/// Whether it is worth offering: a socket file that exists; pipes and remote hosts cannot be
/// checked cheaply, so the probe decides.
pub fn may_exist(host: &str) -> bool {
    host.strip_prefix("unix://").map_or(true, |path| Path::new(path).exists())
}

fn unix(path: &Path) -> String {
    format!("unix://{}", path.display())
}

fn pipe(name: &str) -> String {
    format!("npipe:////./pipe/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(os: Os) -> Vec<String> {
        let at = Places {
            root: Path::new("/"),
            home: Some(Path::new("/h")),
            runtime_dir: Some(Path::new("/run/user/1000")),
            temp_dir: Some(Path::new("/tmp/T")),
        };
        well_known(os, &at).into_iter().map(|(_, host)| host).collect()
    }

    #[test]
    fn linux_offers_engine_rootless_podman_desktop_colima_rancher() {
        assert_eq!(default_host(Os::Linux, Path::new("/")), "unix:///var/run/docker.sock");
        assert_eq!(
            hosts(Os::Linux),
            [
                "unix:///var/run/docker.sock",
                "unix:///run/user/1000/docker.sock",
                "unix:///run/user/1000/podman/podman.sock",
                "unix:///run/podman/podman.sock",
                "unix:///h/.docker/desktop/docker.sock",
                "unix:///h/.colima/default/docker.sock",
                "unix:///h/.colima/docker.sock",
                "unix:///h/.rd/docker.sock",
            ]
        );
    }

    #[test]
    fn macos_offers_docker_desktop_podman_machine_orbstack_colima_rancher() {
        assert_eq!(default_host(Os::MacOs, Path::new("/")), "unix:///var/run/docker.sock");
        assert_eq!(
            hosts(Os::MacOs),
            [
                "unix:///var/run/docker.sock",
                "unix:///tmp/T/podman/podman-machine-default-api.sock",
                "unix:///h/.docker/run/docker.sock",
                "unix:///h/.local/share/containers/podman/machine/podman.sock",
                "unix:///h/.orbstack/run/docker.sock",
                "unix:///h/.colima/default/docker.sock",
                "unix:///h/.colima/docker.sock",
                "unix:///h/.rd/docker.sock",
            ]
        );
    }

    #[test]
    fn windows_offers_the_named_pipes() {
        assert_eq!(default_host(Os::Windows, Path::new("/")), "npipe:////./pipe/docker_engine");
        assert_eq!(
            hosts(Os::Windows),
            ["npipe:////./pipe/docker_engine", "npipe:////./pipe/dockerDesktopLinuxEngine", "npipe:////./pipe/podman-machine-default"]
        );
        assert!(may_exist("npipe:////./pipe/docker_engine") && may_exist("tcp://h:2375"));
        assert!(!may_exist("unix:///nowhere/docker.sock"));
    }
}
