//! The About panel's facts and the "Copy diagnostics" text: versions, OS and the engine in use.
//! Only these named facts go in: no endpoint address (it can carry a user name), no environment,
//! no registry login, no path under the home folder.

use crate::engine::{EngineInfo, EngineStatus};
use crate::platform::Os;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub app_version: String,
    pub tauri_version: String,
    /// WebKitGTK, WKWebView or WebView2, as the runtime reports it.
    pub webview_version: Option<String>,
    /// "Debian GNU/Linux 12 (bookworm), x86_64".
    pub os: String,
    pub engine: Option<AboutEngine>,
    /// Where the log files are (shown in the panel; not part of the diagnostics text).
    pub log_dir: Option<String>,
    /// The text "Copy diagnostics" copies.
    pub diagnostics: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AboutEngine {
    /// "Docker Engine - Community", "Podman Engine", …
    pub product: String,
    pub version: String,
    pub api_version: String,
    /// How it is reached: "Unix socket", "named pipe", "TCP", "TCP with TLS", "SSH".
    pub endpoint: &'static str,
    /// Where the choice came from: "context: default", "DOCKER_HOST", …
    pub chosen_by: String,
    /// The engine's own OS and architecture ("Debian GNU/Linux 12 (bookworm), x86_64").
    pub runs_on: String,
}

impl About {
    pub fn new(
        app_version: &str,
        tauri_version: &str,
        webview_version: Option<String>,
        os: String,
        status: &EngineStatus,
        log_dir: Option<String>,
    ) -> About {
        let engine = match status {
            EngineStatus::Connected { engine } => Some(AboutEngine::from(engine)),
            _ => None,
        };
        let mut about = About {
            app_version: app_version.into(),
            tauri_version: tauri_version.into(),
            webview_version,
            os,
            engine,
            log_dir,
            diagnostics: String::new(),
        };
        about.diagnostics = about.text();
        about
    }

    fn text(&self) -> String {
        let mut lines = vec![
            format!("Berth {}", self.app_version),
            format!("Tauri {}", self.tauri_version),
            format!("Web view: {}", self.webview_version.as_deref().unwrap_or("unknown")),
            format!("OS: {}", self.os),
        ];
        lines.push(match &self.engine {
            Some(e) => format!(
                "Engine: {} {} (API {}), over {}, chosen by {}, running on {}",
                e.product, e.version, e.api_version, e.endpoint, e.chosen_by, e.runs_on
            ),
            None => "Engine: not connected".into(),
        });
        lines.join("\n") + "\n"
    }
}

impl From<&EngineInfo> for AboutEngine {
    fn from(e: &EngineInfo) -> Self {
        AboutEngine {
            product: e.product.clone(),
            version: e.version.clone(),
            api_version: e.api_version.clone(),
            endpoint: endpoint_kind(&e.host),
            // A context's name is the user's; DOCKER_HOST and the well-known names are fixed.
            chosen_by: e.name.clone(),
            runs_on: [e.os.as_str(), e.arch.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        }
    }
}

/// How an endpoint is reached, without its address.
pub fn endpoint_kind(host: &str) -> &'static str {
    match host.split_once("://").map(|(scheme, _)| scheme) {
        Some("unix") => "Unix socket",
        Some("npipe") => "named pipe",
        Some("tcp" | "http") => "TCP",
        Some("https") => "TCP with TLS",
        Some("ssh") => "SSH",
        _ => "another transport",
    }
}

/// This machine's OS as people name it, with the architecture: the distribution's
/// PRETTY_NAME on Linux (`os_release` is /etc/os-release's text), else the platform's name.
pub fn describe_os(os: Os, os_release: Option<&str>, arch: &str) -> String {
    let pretty = os_release.and_then(|text| {
        text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim().trim_matches('"').to_string()).filter(|v| !v.is_empty())
    });
    match (os, pretty) {
        (Os::Linux, Some(name)) => format!("{name}, {arch}"),
        _ => format!("{}, {arch}", os.label()),
    }
}

/// [`describe_os`] for this process.
pub fn current_os() -> String {
    let release = match Os::CURRENT {
        Os::Linux => std::fs::read_to_string("/etc/os-release").ok(),
        _ => None,
    };
    describe_os(Os::CURRENT, release.as_deref(), std::env::consts::ARCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(host: &str, name: &str) -> EngineInfo {
        EngineInfo {
            name: name.into(),
            host: host.into(),
            product: "Docker Engine - Community".into(),
            version: "27.3.1".into(),
            api_version: "1.47".into(),
            os: "Ubuntu 24.04".into(),
            os_type: "linux".into(),
            arch: "x86_64".into(),
            kernel_version: "6.8".into(),
            cpus: 4,
            memory_bytes: 1,
            containers: 1,
            containers_running: 1,
            images: 1,
            warning: Some("DOCKER_HOST overrides the active context".into()),
        }
    }

    #[test]
    fn diagnostics_name_versions_os_and_engine_but_no_address_or_secret() {
        let status = EngineStatus::Connected { engine: engine("ssh://alice:hunter2@build.example:22", "DOCKER_HOST") };
        let about = About::new(
            "0.1.0",
            "2.9.5",
            Some("2.44.0".into()),
            "Debian GNU/Linux 12 (bookworm), x86_64".into(),
            &status,
            Some("/home/alice/.local/state/berth/logs".into()),
        );
        assert_eq!(
            about.diagnostics,
            "Berth 0.1.0\nTauri 2.9.5\nWeb view: 2.44.0\nOS: Debian GNU/Linux 12 (bookworm), x86_64\n\
             Engine: Docker Engine - Community 27.3.1 (API 1.47), over SSH, chosen by DOCKER_HOST, running on Ubuntu 24.04, x86_64\n"
        );
        for secret in ["hunter2", "alice", "build.example", "/home/"] {
            assert!(!about.diagnostics.contains(secret), "{secret} leaked: {}", about.diagnostics);
        }
        let down = About::new(
            "0.1.0",
            "2.9.5",
            None,
            "macOS, aarch64".into(),
            &EngineStatus::Connecting { host: Some("tcp://bob:pw@h:2375".into()) },
            None,
        );
        assert!(down.diagnostics.ends_with("Engine: not connected\n") && !down.diagnostics.contains("pw@"), "{}", down.diagnostics);
    }

    #[test]
    fn endpoints_are_named_by_kind() {
        let kinds =
            ["unix:///var/run/docker.sock", "npipe:////./pipe/docker_engine", "tcp://h:2375", "https://h:2376", "ssh://u@h", "fd://"]
                .map(endpoint_kind);
        assert_eq!(kinds, ["Unix socket", "named pipe", "TCP", "TCP with TLS", "SSH", "another transport"]);
    }

    #[test]
    fn the_os_is_named_as_people_know_it() {
        let release = "NAME=\"Fedora Linux\"\nPRETTY_NAME=\"Fedora Linux 41 (Workstation Edition)\"\n";
        assert_eq!(describe_os(Os::Linux, Some(release), "x86_64"), "Fedora Linux 41 (Workstation Edition), x86_64");
        assert_eq!(describe_os(Os::Linux, None, "aarch64"), "Linux, aarch64");
        assert_eq!(describe_os(Os::MacOs, Some(release), "aarch64"), "macOS, aarch64");
        assert_eq!(describe_os(Os::Windows, None, "x86_64"), "Windows, x86_64");
    }
}
