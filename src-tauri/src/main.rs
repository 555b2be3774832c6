// Berth: the app shell. Window, plugins, managed state and the command list; all Docker logic
// lives in berth-core.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod channels;
mod commands;
mod dialogs;
mod events;
mod first_page;
#[cfg(target_os = "linux")]
mod instance;
mod launch;
mod logs;
mod notify;
mod opener;
mod state;
mod streams;
mod tray;
mod webview;

use berth_core::engine::{Environment, Pump};
use state::AppState;
use tauri::Manager;

fn main() {
    commands::app::mark_start();
    // Before any thread starts: WebKit's processes read these from the environment.
    webview::set_env();
    logs::init();

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("cannot start the async runtime");
    tauri::async_runtime::set(runtime.handle().clone());
    let _guard = runtime.enter();

    // BERTH_CONFIG_DIR (settings, window geometry) and BERTH_DATA_DIR (build history) let tests
    // keep their state apart from the user's.
    let config_dir = std::env::var_os("BERTH_CONFIG_DIR").map(std::path::PathBuf::from);
    let window_state_file = config_dir.as_ref().map(|d| d.join("window-state.json").display().to_string());

    // First, so a second launch hands over its folder and exits before anything else starts.
    let context = tauri::generate_context!();
    #[cfg(target_os = "linux")]
    let instance = match instance::claim(&context.config().identifier) {
        instance::Claim::HandedOver => return,
        instance::Claim::First(connection) => Some((connection, context.config().identifier.clone())),
        instance::Claim::Alone => None,
    };
    let builder = tauri::Builder::default();
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(launch::second_launch));
    // macOS: the standard app, Edit (copy and paste reach the page), View, Window and Help menus.
    // Linux and Windows keep no menu bar, as Docker Desktop does; the palette (Ctrl+K) has the actions.
    #[cfg(target_os = "macos")]
    let builder = builder.menu(tauri::menu::Menu::default);
    let mut window_state = tauri_plugin_window_state::Builder::default().with_state_flags(
        tauri_plugin_window_state::StateFlags::SIZE
            | tauri_plugin_window_state::StateFlags::POSITION
            | tauri_plugin_window_state::StateFlags::MAXIMIZED,
    );
    if let Some(file) = window_state_file {
        window_state = window_state.with_filename(file); // absolute: joined onto the config folder, it replaces it
    }
    builder
        .plugin(window_state.build())
        .manage(channels::ChannelQueues::default())
        .channel_interceptor(channels::intercept)
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let sink = events::sink(app.handle().clone());
            let data_dir =
                std::env::var_os("BERTH_DATA_DIR").map(std::path::PathBuf::from).map_or_else(|| app.path().app_data_dir(), Ok)?;
            let history = berth_core::build::history::History::new(&data_dir);
            let runs = berth_core::pipelines::history::Runs::new(&data_dir);
            let config_dir = config_dir.map_or_else(|| app.path().app_config_dir(), Ok)?;
            let settings = berth_core::settings::SettingsStore::load(&config_dir);
            let tray_on = settings.get().tray;
            app.manage(settings);
            app.manage(tray::Tray::default());
            let args: Vec<String> = std::env::args().collect();
            let cwd = std::env::current_dir().unwrap_or_default();
            app.manage(launch::LaunchFolder(std::sync::Mutex::new(launch::folder_arg(&args, &cwd))));
            let facts = config_dir.join("engine-facts.json"); // shown at the next start before /info answers
            let state = AppState::new(Pump::remembering(Environment::from_process(), Some(facts), sink), history, runs);
            commands::pipelines::close_interrupted(&state);
            app.manage(state);
            // The main window is made here, not from the config ("create": false), so that its
            // index.html can carry the first screen's data.
            if let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main").cloned() {
                let window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                    .on_web_resource_request(first_page::handler(app.handle().clone()))
                    .build()?;
                webview::trim(&window);
            }
            if let Err(e) = tray::apply(app.handle(), tray_on) {
                tracing::warn!(error = %e, "cannot show the tray icon");
            }
            #[cfg(target_os = "linux")]
            if let Some((connection, identifier)) = instance {
                let app = app.handle().clone();
                instance::serve(connection, &identifier, move |args, cwd| launch::second_launch(&app, args, cwd));
            }
            Ok(())
        })
        // A page that reloads or navigates, or a window that closes, ends the streams it watched.
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Started {
                streams::end_window(webview, webview.label());
                // The page's first ask is for the containers: have them ready (issue 15). The
                // first load finds them read already, from when the engine answered.
                if let Some(state) = webview.try_state::<AppState>() {
                    if let Ok(engine) = state.pump.engine() {
                        state.list_ahead.ensure(&engine);
                    }
                }
            }
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                streams::end_window(window, window.label());
            }
        })
        .invoke_handler(commands::builder().invoke_handler())
        .run(context)
        .expect("error while running Berth");
}
