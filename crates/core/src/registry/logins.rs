//! Logging in and out, and the one lookup every pull, push, search and build uses: Berth's
//! keychain first, then the docker CLI's credential helper for the registry, then a plain
//! `auths` entry in config.json.

use super::client::Client;
use super::docker_config::DockerConfig;
use super::host::Host;
use super::index::Index;
use super::model::{Credentials, LoginRequest, Registries, RegistryLogin};
use super::{helper, keychain, Places};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};

/// Every login Berth and the docker CLI know of, merged by registry.
pub async fn list(places: &Places) -> Result<Registries> {
    let mut problems = Vec::new();
    let config = match DockerConfig::load(&places.docker_config) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let mut logins: BTreeMap<Host, RegistryLogin> = BTreeMap::new();
    fn add<'a>(logins: &'a mut BTreeMap<Host, RegistryLogin>, host: Host, username: &str) -> &'a mut RegistryLogin {
        logins.entry(host.clone()).or_insert_with(|| RegistryLogin {
            host: host.name().to_string(),
            username: username.to_string(),
            keychain: false,
            helper: None,
            plain_text: false,
        })
    }
    for (key, username) in Index::load(&places.berth_config).entries() {
        if let Some(host) = Host::from_key(key) {
            add(&mut logins, host, username).keychain = true;
        }
    }
    if let Some(config) = &config {
        for (host, username, helper) in helper_logins(config, &mut problems).await {
            add(&mut logins, host, &username).helper = Some(helper);
        }
        for (host, c) in config.plain_auths() {
            add(&mut logins, host, &c.username).plain_text = true;
        }
    }
    let installable_helper = match config.as_ref().filter(|c| c.creds_store().is_none()) {
        Some(_) => helper::platform_helper().await,
        None => None,
    };
    Ok(Registries {
        logins: logins.into_values().collect(),
        cli_helper: config.as_ref().and_then(|c| c.creds_store().map(str::to_string)),
        installable_helper,
        config_file: places.docker_config.join("config.json").display().to_string(),
        problems,
    })
}

/// (registry, user name, helper) of every login the docker CLI's credential helpers hold.
/// `list` gives server → user name without reading a secret (`get` would), but a helper may
/// still ask to unlock its keychain for it (docker-credential-secretservice does), and the UI
/// lists on every window focus: so the helpers are asked again only when config.json changed
/// (`docker login` and `docker logout` rewrite it) or Berth changed a login ([`forget_listed`]).
async fn helper_logins(config: &DockerConfig, problems: &mut Vec<String>) -> Vec<(Host, String, String)> {
    let stamp = std::fs::metadata(config.path()).ok().map(|m| (config.path().to_path_buf(), m.modified().ok(), m.len()));
    if let Some((seen, listed)) = LISTED.lock().unwrap().as_ref() {
        if stamp.is_some() && *seen == stamp {
            return listed.clone();
        }
    }
    let mut out = Vec::new();
    let before = problems.len();
    if let Some(store) = config.creds_store() {
        match helper::list(store).await {
            Ok(found) => {
                out.extend(found.into_iter().filter_map(|(server, user)| Some((Host::from_key(&server)?, user, store.to_string()))))
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    let helpers = config.cred_helpers();
    let mut names: Vec<&String> = helpers.iter().map(|(_, name)| name).collect();
    names.sort();
    names.dedup();
    for name in names {
        match helper::list(name).await {
            Ok(found) => {
                for (server, username) in found {
                    let Some(host) = Host::from_key(&server) else { continue };
                    if helpers.iter().any(|(h, n)| *h == host && n == name) {
                        out.push((host, username, name.clone()));
                    }
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    if problems.len() == before {
        *LISTED.lock().unwrap() = Some((stamp, out.clone()));
    }
    out
}

type Stamp = Option<(std::path::PathBuf, Option<std::time::SystemTime>, u64)>;
/// (registry, user, helper) as the helpers listed them.
type Listed = Vec<(Host, String, String)>;
static LISTED: std::sync::Mutex<Option<(Stamp, Listed)>> = std::sync::Mutex::new(None);

/// The helpers are asked again at the next list.
fn forget_listed() {
    *LISTED.lock().unwrap() = None;
}

/// Check the login against the registry, then keep the secret in the keychain (and through
/// the docker CLI's helper when asked). Wrong credentials or no keychain: nothing is stored.
pub async fn login(places: &Places, mut request: LoginRequest) -> Result<Registries> {
    let host = Host::parse(&request.host)?;
    let username = request.username.trim();
    if username.is_empty() {
        return Err(Error::invalid("username", "Type the user name for this registry."));
    }
    if request.secret.is_empty() {
        return Err(Error::invalid("secret", "Type the password or access token."));
    }
    let credentials = Credentials { username: username.to_string(), password: std::mem::take(&mut request.secret) };
    let token_host = request.trust_token_host.as_deref().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty());
    let client = Client::new(host.clone(), Some(credentials.clone()), &places.docker_config)?;
    client.trusting(token_host.clone().or_else(|| confirmed_token_host(places, &host))).check_login().await?;
    save(places, &host, &credentials, request.share_with_cli, None).await?;
    if token_host.is_some() {
        Index::load(&places.berth_config).set_token_host(&host, token_host.as_deref())?;
    }
    tracing::info!(registry = %host, username, "logged in");
    list(places).await
}

/// Move a plain-text login from config.json into the keychain. The file's copy goes only
/// where the docker CLI finds the login through a credential helper instead: the one
/// config.json names, or `cli_helper` (the platform's, see `Registries::installable_helper`),
/// which is then named in config.json. Without one the file is left alone, so the docker CLI
/// stays logged in.
pub async fn move_to_keychain(places: &Places, host: &str, cli_helper: Option<&str>) -> Result<Registries> {
    let host = Host::parse(host)?;
    let config = DockerConfig::load(&places.docker_config)?;
    let Some((_, credentials)) = config.plain_auths().into_iter().find(|(h, _)| *h == host) else {
        return Err(Error::NotFound { what: format!("A plain-text login for {host}"), detail: config.path().display().to_string() });
    };
    if let Some(name) = cli_helper.filter(|_| config.helper_for(&host).is_none()) {
        if helper::platform_helper().await.as_deref() != Some(name) {
            return Err(Error::invalid(
                "helper",
                format!("docker-credential-{name} is not installed on this computer, so the docker CLI cannot keep its logins there."),
            ));
        }
    }
    save(places, &host, &credentials, true, cli_helper).await?;
    tracing::info!(registry = %host, "moved a plain-text login into the keychain");
    list(places).await
}

/// Remove the login everywhere it is kept: keychain, credential helper and config.json.
pub async fn logout(places: &Places, host: &str) -> Result<Registries> {
    let host = Host::parse(host)?;
    keychain::delete(&host).await?;
    Index::load(&places.berth_config).remove(&host)?;
    let mut config = DockerConfig::load(&places.docker_config)?;
    if let Some(helper) = config.helper_for(&host) {
        helper::erase(&helper, host.server_address()).await?;
    }
    forget_listed();
    if config.remove_all(&host) {
        config.save()?;
    }
    tracing::info!(registry = %host, "logged out");
    list(places).await
}

/// Keeps a checked login: in the keychain, and for the docker CLI through its credential
/// helper (the configured one, or `new_helper` which is then configured). config.json's
/// plain-text copy is removed only once a helper holds the login, as the CLI then reads it
/// there. On failure the login that was there before stays, as it was.
async fn save(places: &Places, host: &Host, credentials: &Credentials, share_with_cli: bool, new_helper: Option<&str>) -> Result<()> {
    let before = Index::load(&places.berth_config).username(host).map(str::to_string);
    let previous = match before {
        Some(_) => keychain::get(host).await?.map(zeroize::Zeroizing::new),
        None => None,
    };
    keychain::store(host, &credentials.password).await?;
    let shared = async {
        Index::load(&places.berth_config).insert(host, &credentials.username)?;
        let mut config = DockerConfig::load(&places.docker_config)?;
        let mut changed = false;
        let helper = match (config.helper_for(host), new_helper) {
            (Some(helper), _) => helper,
            (None, Some(helper)) => {
                // credsStore would hide every other plain-text login from the CLI: then only this registry.
                if config.plain_auths().iter().any(|(h, _)| h != host) {
                    config.set_cred_helper(host, helper);
                } else {
                    config.set_creds_store(helper);
                }
                changed = true;
                helper.to_string()
            }
            // No helper: the CLI logs in with the plain copy, so it stays.
            (None, None) => return Ok(()),
        };
        if share_with_cli {
            helper::store(&helper, host.server_address(), credentials).await?;
        }
        // The CLI reads the helper, never the plain copy: that is stale, and a secret in a file.
        changed |= config.remove_plain(host);
        if share_with_cli {
            changed |= config.mark_helper_login(host);
        }
        if changed {
            config.save()?;
        }
        Ok(())
    };
    let shared = shared.await;
    forget_listed();
    if let Err(e) = shared {
        let mut index = Index::load(&places.berth_config);
        let _ = match (&before, &previous) {
            (Some(username), Some(secret)) => {
                let _ = keychain::store(host, secret).await;
                index.insert(host, username)
            }
            _ => {
                let _ = keychain::delete(host).await;
                index.remove(host)
            }
        };
        return Err(e);
    }
    Ok(())
}

/// The token service host (not the registry's own) the user trusts with `host`'s password.
pub(crate) fn confirmed_token_host(places: &Places, host: &Host) -> Option<String> {
    Index::load(&places.berth_config).token_host(host)
}

/// The login to use for `host`, wherever it is kept; None when there is none (or its store
/// failed, which is logged).
pub async fn credentials_for(places: &Places, host: &Host) -> Option<Credentials> {
    if let Some(username) = Index::load(&places.berth_config).username(host) {
        match keychain::get(host).await {
            Ok(Some(password)) => return Some(Credentials { username: username.to_string(), password }),
            Ok(None) => {
                tracing::warn!(registry = %host, "the keychain no longer holds Berth's login")
            }
            Err(e) => tracing::warn!(registry = %host, error = %e, "keychain lookup failed"),
        }
    }
    let config = DockerConfig::load(&places.docker_config).map_err(|e| tracing::warn!(error = %e, "config.json")).ok()?;
    if let Some(name) = config.helper_for(host) {
        match helper::get(&name, host.server_address()).await {
            Ok(Some(c)) => return Some(c),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(registry = %host, error = %e, "credential helper lookup failed")
            }
        }
    }
    config.plain_auths().into_iter().find(|(h, _)| h == host).map(|(_, c)| c)
}

/// The login for `host` in a docker config given as text: GitLab's `DOCKER_AUTH_CONFIG`
/// variable, read as GitLab Runner reads it before its own logins: the credential helper the
/// text names for `host` (`credHelpers`, then `credsStore`), else its `auths` entry. `Ok(None)`
/// when the text has no login for `host`.
pub async fn credentials_in_config(json: &str, host: &Host) -> Result<Option<Credentials>> {
    let config = DockerConfig::from_text(json).map_err(|detail| Error::Registry {
        message:
            "The DOCKER_AUTH_CONFIG variable is not a docker config.json (a JSON object with \"auths\"), so its logins cannot be used."
                .into(),
        detail,
    })?;
    if let Some(name) = config.helper_for(host) {
        if let Some(c) = helper::get(&name, host.server_address()).await? {
            return Ok(Some(c));
        }
    }
    Ok(config.plain_auths().into_iter().find(|(h, _)| h == host).map(|(_, c)| c))
}

/// The engine's `X-Registry-Config` for a build: the logins for `hosts` (the registries its
/// base images come from) keyed by server address (`https://index.docker.io/v1/` for Docker
/// Hub, `host[:port]` otherwise). Pass it as bollard's `build_image` credentials argument.
pub async fn registry_config(places: &Places, hosts: &[Host]) -> HashMap<String, bollard::auth::DockerCredentials> {
    let mut out = HashMap::new();
    for host in hosts {
        if let Some(c) = credentials_for(places, host).await {
            out.insert(host.server_address().to_string(), c.docker(host.server_address()));
        }
    }
    out
}
