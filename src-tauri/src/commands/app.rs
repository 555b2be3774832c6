use super::Res;
use std::sync::Once;

/// Called by the UI once its first container list is on screen. Prints a marker line that the
/// start-up benchmark (`make bench`) times from process start.
#[tauri::command]
pub async fn app_ready(rows: u32) -> Res<()> {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        println!("BERTH_FIRST_LIST rows={rows}");
        tracing::info!(rows, "containers listed");
    });
    Ok(())
}
