//! Thin `#[tauri::command]` adapters over berth-core, one file per domain. Each is a few lines:
//! fetch the engine, call core, let `?` turn core's error into the `{code, message, detail,
//! field}` payload the UI expects.

pub mod app;
pub mod build;
pub mod compose;
pub mod containers;
pub mod desktop;
pub mod engine;
pub mod exec;
pub mod images;
pub mod logs;
pub mod networks;
pub mod pipelines;
pub mod registry;
pub mod volumes;

/// Every command's error type.
pub type Res<T> = Result<T, berth_core::error::ErrorPayload>;

/// Turns list.rs into [`builder`].
macro_rules! commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        /// Every command of list.rs: `.invoke_handler()` registers them, `.export()` writes their
        /// TypeScript bindings. Commands reject with `IpcErrorPayload` (thrown, as `invoke` does);
        /// 64-bit numbers cross as JSON numbers, as serde_json writes them. One TypeScript type
        /// per Rust type: a `#[serde(default)]` field is optional in it.
        pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
            tauri_specta::Builder::new()
                .commands(tauri_specta::collect_commands![$($module::$command),*])
                .typ::<berth_core::error::ErrorPayload>()
                .typ::<berth_core::containers::ContainersChanged>() // only ever an event's payload
                .typ::<crate::first_page::FirstPage>() // in index.html, not a command's answer
                .error_handling(tauri_specta::ErrorHandlingMode::Throw)
                .dangerously_cast_bigints_to_number()
                .disable_serde_phases()
        }
    };
}
include!("list.rs");

/// Where the generated bindings live, checked in.
#[cfg(test)]
const BINDINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/ipc/bindings.ts");

#[cfg(test)]
mod tests {
    /// `make test` fails while ui/src/lib/ipc/bindings.ts differs from what the command list
    /// generates; `make bindings` (BERTH_WRITE_BINDINGS=1) rewrites it.
    #[test]
    fn bindings_are_current() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let fresh = dir.path().join("bindings.ts");
        let header = "// Generated from src-tauri/src/commands/list.rs by `make bindings`; do not edit.";
        super::builder().export(specta_typescript::Typescript::default().header(header), &fresh).expect("the bindings export");
        let fresh = std::fs::read_to_string(fresh).expect("the exported bindings");
        if std::env::var_os("BERTH_WRITE_BINDINGS").is_some() {
            std::fs::write(super::BINDINGS, &fresh).expect("cannot write ui/src/lib/ipc/bindings.ts");
        }
        let checked_in = std::fs::read_to_string(super::BINDINGS).unwrap_or_default();
        assert!(checked_in == fresh, "ui/src/lib/ipc/bindings.ts is stale: run `make bindings` and commit it");
    }
}
