//! What a project's runs remember: the once-per-project consent answers, the registry login
//! that supplies `CI_REGISTRY*`, and the run-time variables of the last run. It is one JSON
//! file in the project's folder of Berth's data (written atomically); a masked variable's value
//! lives only in the OS keychain, the file keeps its name.

use super::model::{Variable, VariableOrigin};
use super::run::Consent;
use crate::error::{Error, Result};
use crate::fsutil;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// The keychain item's service; its user is `<project key>/<variable name>`.
pub const KEYCHAIN_SERVICE: &str = "Berth pipeline variable";
/// A locked keychain may wait for a prompt nobody answers; give up rather than hang.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(20);
const FILE: &str = "settings.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename = "PipelineSettings")]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSettings {
    /// `None`: not asked yet. `Some(false)`: the user said no.
    pub privileged_services: Option<bool>,
    pub host_engine_socket: Option<bool>,
    /// The Berth login (registry host) whose credentials become `CI_REGISTRY*`.
    pub registry: Option<String>,
    pub variables: Vec<SavedVariable>,
    /// Keys of a newer Berth, written back as they were.
    #[serde(flatten)]
    #[specta(skip)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A run-time variable as remembered: a masked one without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedVariable {
    pub name: String,
    /// Empty for a masked variable (its value is in the keychain).
    pub value: String,
    pub masked: bool,
}

/// A run-time variable from the variables dialog.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VariableInput {
    pub name: String,
    /// `None` for a masked variable: keep the value the keychain has.
    pub value: Option<String>,
    pub masked: bool,
}

impl ProjectSettings {
    pub fn load(project_dir: &Path) -> ProjectSettings {
        std::fs::read(project_dir.join(FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Written atomically; a file that could not be read is kept as `settings.json.unreadable`.
    pub fn save(&self, project_dir: &Path) -> Result<()> {
        fsutil::write_json(&project_dir.join(FILE), self, 0o600)
    }

    /// What the user granted (a question not answered yet is a no).
    pub fn consent(&self) -> Consent {
        Consent { privileged_services: self.privileged_services == Some(true), host_engine_socket: self.host_engine_socket == Some(true) }
    }

    /// Remember `inputs` as the project's run-time variables and return them as the run's:
    /// new masked values go to the keychain, kept ones are read from it, and masked variables
    /// no longer listed are removed from it. Saves the settings.
    pub async fn set_variables(&mut self, project_dir: &Path, inputs: Vec<VariableInput>) -> Result<Vec<Variable>> {
        let key = project_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut vars = Vec::with_capacity(inputs.len());
        for input in &inputs {
            check_name(&input.name)?;
            let value = match (&input.value, input.masked) {
                (Some(v), true) => {
                    keychain(format!("{key}/{}", input.name), Op::Set(v.clone())).await?;
                    v.clone()
                }
                (Some(v), false) => v.clone(),
                (None, _) => keychain(format!("{key}/{}", input.name), Op::Get).await?.ok_or_else(|| {
                    Error::invalid("variables", format!("The keychain no longer has the value of {}; enter it again.", input.name))
                })?,
            };
            vars.push(Variable { name: input.name.clone(), value, expand: true, masked: input.masked, origin: VariableOrigin::Run });
        }
        for gone in self.variables.iter().filter(|s| s.masked && !inputs.iter().any(|i| i.masked && i.name == s.name)) {
            keychain(format!("{key}/{}", gone.name), Op::Delete).await?;
        }
        self.variables = vars
            .iter()
            .map(|v| SavedVariable {
                name: v.name.clone(),
                value: if v.masked { String::new() } else { v.value.clone() },
                masked: v.masked,
            })
            .collect();
        self.save(project_dir)?;
        Ok(vars)
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "variables",
            format!("\"{name}\" cannot be a variable name: use letters, digits and _, not starting with a digit."),
        ))
    }
}

enum Op {
    Get,
    Set(String),
    Delete,
}

async fn keychain(user: String, op: Op) -> Result<Option<String>> {
    let task = tokio::task::spawn_blocking(move || {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &user)?;
        match op {
            Op::Get => entry.get_password().map(Some),
            Op::Set(secret) => entry.set_password(&secret).map(|_| None),
            Op::Delete => entry.delete_credential().map(|_| None),
        }
    });
    match tokio::time::timeout(KEYCHAIN_TIMEOUT, task).await {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(keyring::Error::NoEntry))) => Ok(None),
        Ok(Ok(Err(e))) => Err(keychain_error(&e.to_string())),
        Ok(Err(join)) => Err(Error::Internal(format!("keychain task: {join}"))),
        Err(_) => Err(keychain_error("the keychain did not answer in time (locked, waiting for a prompt?)")),
    }
}

fn keychain_error(detail: &str) -> Error {
    Error::Keychain {
        message: "The system keychain cannot be used, so the masked variable was not kept: Berth keeps masked values only there. Unlock the keychain (on Linux, start GNOME Keyring or KWallet), then run again.".into(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_variables_are_kept_in_the_file_and_bad_names_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = ProjectSettings { privileged_services: Some(true), ..Default::default() };
        let vars = s
            .set_variables(dir.path(), vec![VariableInput { name: "GREETING".into(), value: Some("hi".into()), masked: false }])
            .await
            .unwrap();
        assert_eq!((vars[0].value.as_str(), vars[0].origin), ("hi", VariableOrigin::Run));
        let back = ProjectSettings::load(dir.path());
        assert_eq!(back, s);
        assert!(back.consent().privileged_services && !back.consent().host_engine_socket);
        let bad = s.set_variables(dir.path(), vec![VariableInput { name: "1X".into(), value: Some("v".into()), masked: false }]).await;
        assert!(matches!(bad, Err(Error::InvalidInput { field: Some("variables"), .. })));
    }

    #[test]
    fn keys_of_a_newer_berth_are_kept_and_an_unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        std::fs::write(&file, r#"{"privilegedServices": true, "fromNewer": {"x": [1, 2]}}"#).unwrap();
        let mut s = ProjectSettings::load(dir.path());
        s.host_engine_socket = Some(false);
        s.save(dir.path()).unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!((saved["fromNewer"]["x"][1].as_i64(), saved["privilegedServices"].as_bool()), (Some(2), Some(true)));
        // A damaged file is not overwritten by the defaults the load fell back to.
        std::fs::write(&file, r#"{"privilegedServices": tru"#).unwrap();
        let s = ProjectSettings::load(dir.path());
        assert_eq!(s, ProjectSettings::default());
        s.save(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("settings.json.unreadable")).unwrap(), r#"{"privilegedServices": tru"#);
    }
}
