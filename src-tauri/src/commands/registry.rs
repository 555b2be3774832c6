//! Registry logins: list, log in (checked, then kept in the OS keychain), log out, and move a
//! plain-text login from the docker CLI's config.json into the keychain (and, if the user chose,
//! the platform's credential helper for the CLI). Each returns the new list. The secret only
//! ever travels UI → core.

use super::Res;
use berth_core::registry::{self, LoginRequest, Places, Registries};

#[tauri::command]
#[specta::specta]
pub async fn registry_list() -> Res<Registries> {
    Ok(registry::list(&Places::from_process()).await?)
}

/// Checks the login against the registry, then keeps the secret in the OS keychain. Wrong
///  credentials reject with InvalidInput (field 'secret'); no keychain with code Keychain.
#[tauri::command]
#[specta::specta]
pub async fn registry_login(request: LoginRequest) -> Res<Registries> {
    Ok(registry::login(&Places::from_process(), request).await?)
}

/// Removes the login from the keychain, the docker CLI's helper and config.json.
#[tauri::command]
#[specta::specta]
pub async fn registry_logout(host: String) -> Res<Registries> {
    Ok(registry::logout(&Places::from_process(), &host).await?)
}

/// Copies a plain-text login into the keychain; config.json's copy goes only when the docker CLI
///  gets it from a credential helper instead: the configured one, or `cliHelper`, then configured.
#[tauri::command]
#[specta::specta]
pub async fn registry_move_to_keychain(host: String, cli_helper: Option<String>) -> Res<Registries> {
    Ok(registry::move_to_keychain(&Places::from_process(), &host, cli_helper.as_deref()).await?)
}
