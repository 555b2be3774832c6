//! The docker CLI's `config.json` (`$DOCKER_CONFIG`, else `~/.docker`): `auths`, `credsStore`
//! and `credHelpers`. Berth reads logins from it and only ever removes secrets from it (or
//! names a credential helper the user chose); every other key is kept as it was, in its place.

use super::host::Host;
use super::json_doc::Json;
use super::model::Credentials;
use crate::error::{Error, Result};
use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub(crate) struct DockerConfig {
    path: PathBuf,
    doc: Json,
}

impl DockerConfig {
    /// The file in `dir`; a missing file is an empty config, as for the docker CLI.
    pub fn load(dir: &Path) -> Result<DockerConfig> {
        let path = dir.join("config.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io(format!("Reading {}", path.display()), e)),
        };
        Self::parse(&text).map(|doc| DockerConfig { doc, path: path.clone() }).map_err(|detail| Error::Registry {
            message: format!("{} is not valid JSON, so the docker CLI's logins cannot be read. Fix or remove that file.", path.display()),
            detail,
        })
    }

    /// A config given as text, as GitLab's `DOCKER_AUTH_CONFIG` variable holds one (never saved).
    pub fn from_text(text: &str) -> std::result::Result<DockerConfig, String> {
        Self::parse(text).map(|doc| DockerConfig { doc, path: PathBuf::new() })
    }

    /// Empty text is an empty config, as for the docker CLI; the error is the parser's.
    fn parse(text: &str) -> std::result::Result<Json, String> {
        if text.trim().is_empty() {
            return Ok(Json::Object(Vec::new()));
        }
        match serde_json::from_str::<Json>(text) {
            Ok(doc) if doc.entries().is_some() => Ok(doc),
            Ok(_) => Err("not a JSON object".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `credsStore`: the helper for every registry without a `credHelpers` entry.
    pub fn creds_store(&self) -> Option<&str> {
        self.doc.get("credsStore").and_then(Json::as_str).filter(|s| !s.is_empty())
    }

    /// Names `helper` as the docker CLI's store for every registry without a `credHelpers` entry.
    pub fn set_creds_store(&mut self, helper: &str) {
        self.doc.set("credsStore", Json::Leaf(Value::from(helper)));
    }

    /// Names `helper` as the docker CLI's store for `host` only.
    pub fn set_cred_helper(&mut self, host: &Host, helper: &str) {
        if let Some(helpers) = self.doc.object_mut("credHelpers") {
            helpers.retain(|(k, _)| Host::from_key(k).as_ref() != Some(host));
            helpers.push((host.server_address().to_string(), Json::Leaf(Value::from(helper))));
        }
    }

    /// `credHelpers`, by registry.
    pub fn cred_helpers(&self) -> Vec<(Host, String)> {
        let Some(map) = self.doc.get("credHelpers").and_then(Json::entries) else {
            return Vec::new();
        };
        map.iter().filter_map(|(k, v)| Some((Host::from_key(k)?, v.as_str()?.to_string()))).collect()
    }

    /// The helper the docker CLI uses for `host`.
    pub fn helper_for(&self, host: &Host) -> Option<String> {
        self.cred_helpers()
            .into_iter()
            .find(|(h, _)| h == host)
            .map(|(_, helper)| helper)
            .or_else(|| self.creds_store().map(str::to_string))
    }

    /// Logins kept in plain text in `auths` (`auth` is base64 of `user:password`, or separate
    /// `username`/`password`).
    pub fn plain_auths(&self) -> Vec<(Host, Credentials)> {
        let Some(auths) = self.doc.get("auths").and_then(Json::entries) else {
            return Vec::new();
        };
        auths.iter().filter_map(|(key, entry)| Some((Host::from_key(key)?, plain(&entry.to_value())?))).collect()
    }

    /// Drops every `auths` entry for `host` that holds a secret; true when one was removed.
    pub fn remove_plain(&mut self, host: &Host) -> bool {
        self.remove_where(host, |entry| plain(entry).is_some())
    }

    /// Drops every `auths` entry for `host`, as `docker logout` does; true when one was removed.
    pub fn remove_all(&mut self, host: &Host) -> bool {
        self.remove_where(host, |_| true)
    }

    /// Records a login kept by a credential helper the way `docker login` does: an empty
    /// `auths` entry, which `docker logout` looks for before it erases. True when added.
    pub fn mark_helper_login(&mut self, host: &Host) -> bool {
        let Some(auths) = self.doc.object_mut("auths") else { return false };
        if auths.iter().any(|(k, _)| Host::from_key(k).as_ref() == Some(host)) {
            return false;
        }
        auths.push((host.server_address().to_string(), Json::Object(Vec::new())));
        true
    }

    fn remove_where(&mut self, host: &Host, drop: impl Fn(&Value) -> bool) -> bool {
        let Some(auths) = self.doc.entries_mut().and_then(|d| d.iter_mut().find(|(k, _)| k == "auths")) else {
            return false;
        };
        let Some(auths) = auths.1.entries_mut() else { return false };
        let before = auths.len();
        auths.retain(|(key, entry)| Host::from_key(key).as_ref() != Some(host) || !drop(&entry.to_value()));
        before != auths.len()
    }

    /// Writes the file back in the docker CLI's layout (tab-indented, keys in their order),
    /// replacing it at once so a crash never leaves half a file; a symlink is written through.
    pub fn save(&self) -> Result<()> {
        use serde::Serialize;
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b"\t"));
        self.doc.serialize(&mut ser).map_err(|e| Error::Internal(e.to_string()))?;
        crate::fsutil::write_atomic(&self.path, &out, 0o600)
    }
}

fn plain(entry: &Value) -> Option<Credentials> {
    if let Some(token) = entry["identitytoken"].as_str().filter(|t| !t.is_empty()) {
        let password = token.to_string();
        return Some(Credentials { username: super::model::IDENTITY_TOKEN_USER.into(), password });
    }
    if let (Some(u), Some(p)) = (entry["username"].as_str(), entry["password"].as_str()) {
        return Some(Credentials { username: u.into(), password: p.into() });
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(entry["auth"].as_str()?.trim()).ok()?;
    let (u, p) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some(Credentials { username: u.into(), password: p.trim_end_matches('\0').into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> (tempfile::TempDir, DockerConfig) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), json).unwrap();
        let c = DockerConfig::load(dir.path()).unwrap();
        (dir, c)
    }

    #[test]
    fn reads_plain_logins_under_any_key_spelling() {
        let (_d, c) = config(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"am9lam9lOmhlbGxv"},"http://localhost:5000/v2/":{"username":"u","password":"p"},"ghcr.io":{}}}"#,
        );
        let got = c.plain_auths();
        assert_eq!(got.len(), 2, "an empty entry is no login");
        let hub = got.iter().find(|(h, _)| h.is_hub()).unwrap();
        assert_eq!((hub.1.username.as_str(), hub.1.password.as_str()), ("joejoe", "hello"));
        assert!(got.iter().any(|(h, c)| h.name() == "localhost:5000" && c.password == "p"));
    }

    #[test]
    fn an_identity_token_goes_to_the_engine_as_one() {
        let (_d, c) = config(r#"{"auths":{"myacr.azurecr.io":{"auth":"MDAwOg==","identitytoken":"refresh"}}}"#);
        let (host, creds) = &c.plain_auths()[0];
        let docker = creds.docker(host.server_address());
        assert_eq!((docker.identitytoken.as_deref(), docker.password), (Some("refresh"), None));
    }

    #[test]
    fn helpers_follow_the_cli_precedence() {
        let (_d, c) = config(r#"{"credsStore":"secretservice","credHelpers":{"images.io":"images-io"}}"#);
        assert_eq!(c.helper_for(&Host::parse("images.io").unwrap()).as_deref(), Some("images-io"));
        assert_eq!(c.helper_for(&Host::parse("ghcr.io").unwrap()).as_deref(), Some("secretservice"));
        let (_d, c) = config("{}");
        assert_eq!(c.helper_for(&Host::parse("ghcr.io").unwrap()), None);
    }

    #[test]
    fn removing_a_secret_keeps_everything_else() {
        let (dir, mut c) = config(
            r#"{"auths":{"127.0.0.1:5000":{"auth":"dTpw"},"ghcr.io":{"auth":"dTpx"}},"currentContext":"x","proxies":{"default":{"httpProxy":"p"}}}"#,
        );
        assert!(c.remove_plain(&Host::parse("127.0.0.1:5000").unwrap()));
        assert!(!c.remove_plain(&Host::parse("quay.io").unwrap()));
        assert!(c.mark_helper_login(&Host::parse("docker.io").unwrap()));
        assert!(!c.mark_helper_login(&Host::parse("ghcr.io").unwrap()), "already has an entry");
        c.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
        assert!(
            !text.contains("dTpw") && text.contains("dTpx") && text.contains("httpProxy") && text.contains("\t\"currentContext\""),
            "{text}"
        );
        assert!(text.contains("\"https://index.docker.io/v1/\": {}"), "like docker login with a helper: {text}");
        let mut c = DockerConfig::load(dir.path()).unwrap();
        assert!(c.remove_all(&Host::parse("docker.io").unwrap()) && c.remove_all(&Host::parse("ghcr.io").unwrap()));
        assert!(c.plain_auths().is_empty());
        assert!(c.mark_helper_login(&Host::parse("ghcr.io").unwrap()), "its entry is gone too");
    }

    #[test]
    fn a_rewrite_keeps_every_other_byte_in_the_clis_layout() {
        let text = "{\n\t\"proxies\": {\n\t\t\"default\": {\n\t\t\t\"noProxy\": \"z,a\"\n\t\t}\n\t},\n\t\"auths\": {\n\t\t\"zz.io\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t},\n\t\t\"aa.io\": {\n\t\t\t\"auth\": \"dTpx\"\n\t\t}\n\t},\n\t\"kubernetes\": [\n\t\t{\n\t\t\t\"z\": 1.5,\n\t\t\t\"a\": null\n\t\t}\n\t],\n\t\"credHelpers\": {\n\t\t\"gcr.io\": \"gcloud\"\n\t}\n}";
        let (dir, mut c) = config(text);
        c.save().unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("config.json")).unwrap(), text, "unchanged when nothing changed");
        assert!(c.remove_plain(&Host::parse("zz.io").unwrap()));
        assert!(c.mark_helper_login(&Host::parse("zz.io").unwrap()));
        c.set_cred_helper(&Host::parse("zz.io").unwrap(), "secretservice");
        c.save().unwrap();
        let expected = text
            .replace(
                "\t\t\"zz.io\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t},\n\t\t\"aa.io\": {\n\t\t\t\"auth\": \"dTpx\"\n\t\t}",
                "\t\t\"aa.io\": {\n\t\t\t\"auth\": \"dTpx\"\n\t\t},\n\t\t\"zz.io\": {}",
            )
            .replace("\"gcloud\"\n", "\"gcloud\",\n\t\t\"zz.io\": \"secretservice\"\n");
        assert_eq!(std::fs::read_to_string(dir.path().join("config.json")).unwrap(), expected);
    }

    #[test]
    fn a_missing_file_is_empty_and_a_broken_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        assert!(DockerConfig::load(dir.path()).unwrap().plain_auths().is_empty());
        std::fs::write(dir.path().join("config.json"), "{nope").unwrap();
        let e = DockerConfig::load(dir.path()).err().unwrap();
        assert!(e.to_string().contains("is not valid JSON"), "{e}");
    }
}
