/// Every command the UI may call. Listing them makes Tauri deny all others and generate one
/// `allow-<command>` permission each, which capabilities/default.json grants to the main window.
const COMMANDS: &[&str] = &[
    "app_ready",
    "engine_status",
    "engine_candidates",
    "engine_select",
    "container_list",
    "container_action",
    "container_remove",
    "container_inspect",
    "container_run",
    "image_names",
    "network_names",
    "port_open",
    "container_logs_subscribe",
    "container_logs_save",
    "subscription_cancel",
    "exec_start",
    "exec_write",
    "exec_resize",
    "exec_close",
    "image_list",
    "image_details",
    "image_remove",
    "image_prune_estimate",
    "image_prune",
    "image_reference",
    "image_pull",
    "image_push",
    "image_tag",
    "image_search_hub",
    "image_registry_search",
    "image_registry_tags",
    "image_save",
    "image_load",
    "registry_list",
    "registry_login",
    "registry_logout",
    "registry_move_to_keychain",
    "container_commit",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build step failed");
}
