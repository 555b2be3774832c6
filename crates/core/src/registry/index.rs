//! Which registries Berth holds a keychain login for, and as whom: `registries.json` in
//! Berth's config folder. Keychains cannot be listed portably, so this small file is the list;
//! it never holds a secret.

use super::host::Host;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Default, Serialize, Deserialize)]
pub(super) struct Index {
    /// Registry → user name.
    #[serde(default)]
    logins: BTreeMap<String, String>,
    /// Registry → the token service host on another host the user trusts with its password.
    #[serde(default, rename = "tokenHosts", skip_serializing_if = "BTreeMap::is_empty")]
    token_hosts: BTreeMap<String, String>,
    /// Keys of a newer Berth, written back as they were.
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    path: PathBuf,
}

impl Index {
    /// An unreadable file counts as empty (the secrets stay in the keychain either way) and is
    /// kept as `registries.json.unreadable` at the first save.
    pub fn load(dir: &Path) -> Index {
        let path = dir.join("registries.json");
        let mut index: Index = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        index.path = path;
        index
    }

    pub fn username(&self, host: &Host) -> Option<&str> {
        self.logins.get(host.name()).map(String::as_str)
    }

    pub fn token_host(&self, host: &Host) -> Option<String> {
        self.token_hosts.get(host.name()).cloned()
    }

    pub fn set_token_host(&mut self, host: &Host, token_host: Option<&str>) -> Result<()> {
        let changed = match token_host {
            Some(t) => self.token_hosts.insert(host.name().to_string(), t.to_string()).as_deref() != Some(t),
            None => self.token_hosts.remove(host.name()).is_some(),
        };
        if changed {
            self.save()?;
        }
        Ok(())
    }

    pub fn entries(&self) -> impl Iterator<Item = (&String, &String)> {
        self.logins.iter()
    }

    pub fn insert(&mut self, host: &Host, username: &str) -> Result<()> {
        self.logins.insert(host.name().to_string(), username.to_string());
        self.save()
    }

    pub fn remove(&mut self, host: &Host) -> Result<()> {
        let trusted = self.token_hosts.remove(host.name()).is_some();
        if self.logins.remove(host.name()).is_some() || trusted {
            self.save()?;
        }
        Ok(())
    }

    fn save(&self) -> Result<()> {
        crate::fsutil::write_json(&self.path, self, 0o600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_newer_berth_are_kept_and_an_unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registries.json");
        std::fs::write(&file, r#"{"logins": {"a.example": "ann"}, "fromNewer": [1]}"#).unwrap();
        let mut index = Index::load(dir.path());
        index.insert(&Host::parse("b.example").unwrap(), "bob").unwrap();
        let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!((saved["fromNewer"][0].as_i64(), saved["logins"]["a.example"].as_str()), (Some(1), Some("ann")));
        std::fs::write(&file, r#"{"logins": {"a.example": "#).unwrap();
        let mut index = Index::load(dir.path());
        index.insert(&Host::parse("b.example").unwrap(), "bob").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("registries.json.unreadable")).unwrap(), r#"{"logins": {"a.example": "#);
    }
}
