//! A loaded project as the UI offers it: what would run, with which profiles, what Build can
//! build, and the resolved file (`docker compose config`).

use super::orphans::Orphan;
use super::Project;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProjectInfo {
    pub name: String,
    pub working_dir: String,
    pub config_files: Vec<String>,
    pub services: Vec<String>,
    pub profiles: Vec<String>,
    pub active_profiles: Vec<String>,
    /// Services with a `build:` section, which Build can build.
    pub built: Vec<String>,
    pub disabled: Vec<String>,
    pub warnings: Vec<String>,
    /// The resolved configuration as YAML (`docker compose config`).
    pub config: String,
    /// Containers of the project on the engine that the files no longer explain.
    pub orphans: Vec<Orphan>,
}

impl ProjectInfo {
    pub fn new(p: Project, orphans: Vec<Orphan>) -> ProjectInfo {
        let services = p.config["services"].as_object();
        ProjectInfo {
            services: services.map(|m| m.keys().cloned().collect()).unwrap_or_default(),
            built: services.into_iter().flatten().filter(|(_, s)| s.get("build").is_some()).map(|(k, _)| k.clone()).collect(),
            config: super::emit::to_yaml(&p.config),
            name: p.name,
            working_dir: p.working_dir.display().to_string(),
            config_files: p.config_files.iter().map(|f| f.display().to_string()).collect(),
            profiles: p.profiles,
            active_profiles: p.active_profiles,
            disabled: p.disabled,
            warnings: p.warnings,
            orphans,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{load, Options};

    #[test]
    fn lists_services_the_buildable_ones_and_the_resolved_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  web:\n    build: .\n  db:\n    image: busybox\n  debug:\n    image: busybox\n    profiles: [dev]\n",
        )
        .unwrap();
        let opts = Options { project_dir: Some(dir.path().into()), name: Some("shop".into()), ..Default::default() };
        let info = ProjectInfo::new(load(&opts).unwrap(), vec![]);
        assert_eq!((info.name.as_str(), info.services.len()), ("shop", 2));
        assert_eq!(info.built, ["web"]);
        assert_eq!((info.profiles.as_slice(), info.disabled.as_slice()), (&["dev".to_string()][..], &["debug".to_string()][..]));
        assert!(info.config.contains("image: busybox"), "{}", info.config);
    }
}
