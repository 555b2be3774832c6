//! Registry logins: list, log in (checked, then kept in the OS keychain), log out, and move a
//! plain-text login from the docker CLI's config.json into the keychain (and, if the user chose,
//! the platform's credential helper for the CLI). Each returns the new list. The secret only
//! ever travels UI → core.

use super::Res;
use berth_core::registry::{self, LoginRequest, Places, Registries};

#[tauri::command]
pub async fn registry_list() -> Res<Registries> {
    Ok(registry::list(&Places::from_process()).await?)
}

#[tauri::command]
pub async fn registry_login(request: LoginRequest) -> Res<Registries> {
    Ok(registry::login(&Places::from_process(), request).await?)
}

#[tauri::command]
pub async fn registry_logout(host: String) -> Res<Registries> {
    Ok(registry::logout(&Places::from_process(), &host).await?)
}

#[tauri::command]
pub async fn registry_move_to_keychain(host: String, cli_helper: Option<String>) -> Res<Registries> {
    Ok(registry::move_to_keychain(&Places::from_process(), &host, cli_helper.as_deref()).await?)
}
