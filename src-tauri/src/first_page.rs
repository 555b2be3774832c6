//! index.html carries what the first screen shows (issue 15): the settings (theme, last view),
//! the engine's status and the container list read ahead, in a JSON data block (`<script
//! type="application/json">`, never run, so the CSP is unchanged). The page's small first script
//! (ui/src/first.ts) draws the containers view from it before the app's own script has loaded,
//! as a static page paints; the app then mounts in its place. No list in it (engine slow or
//! down): the app starts as without it.

use crate::state::AppState;
use berth_core::containers::ContainerSummary;
use berth_core::engine::EngineStatus;
use berth_core::settings::{SettingsStore, SettingsView};
use serde::Serialize;
use std::borrow::Cow;
use std::time::Duration;
use tauri::http::{header, Request, Response};
use tauri::{AppHandle, Manager};

/// The id of the data block in index.html; ui/src/first.ts reads it.
const BLOCK_ID: &str = "berth-first-page";
/// How long the page's HTML may wait for a list read still in flight (usually in long before):
/// without the list, the window stays blank until the app has loaded and asked for it anyway.
const LIST_WAIT: Duration = Duration::from_millis(100);

/// What index.html carries for the first screen, in its data block.
#[derive(Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FirstPage {
    settings: SettingsView,
    engine: EngineStatus,
    containers: Option<Vec<ContainerSummary>>,
}

/// The response to one of the window's requests, as `on_web_resource_request` hands it over.
type Served = Response<Cow<'static, [u8]>>;

/// For `on_web_resource_request`: adds the data block to the app's own index.html.
pub fn handler(app: AppHandle) -> impl Fn(Request<Vec<u8>>, &mut Served) + Send + Sync + 'static {
    move |request, response| {
        let path = request.uri().path();
        let html = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        if !html || !(path == "/" || path == "/index.html") {
            return;
        }
        let Some(block) = first_page(&app).and_then(|page| data_block(&page)) else { return };
        if let Some(page) = with_block(response.body(), &block) {
            response.headers_mut().remove(header::CONTENT_LENGTH);
            *response.body_mut() = Cow::Owned(page);
        }
    }
}

fn first_page(app: &AppHandle) -> Option<FirstPage> {
    let settings = app.try_state::<SettingsStore>()?.view();
    let state = app.try_state::<AppState>()?;
    // Tauri answers the page's requests on the async runtime: the wait parks this worker only.
    let containers = match (state.pump.engine(), tokio::runtime::Handle::try_current()) {
        (Ok(engine), Ok(runtime)) => tokio::task::block_in_place(|| runtime.block_on(state.list_ahead.take(&engine, LIST_WAIT))),
        _ => None,
    };
    Some(FirstPage { settings, engine: state.pump.status(), containers })
}

/// The `<script>` data block. `<` is escaped (`\u003c`, only ever inside JSON strings), so no
/// container name or label can end the block and start markup.
fn data_block(page: &FirstPage) -> Option<String> {
    let json = serde_json::to_string(page).ok()?.replace('<', "\\u003c");
    Some(format!(r#"<script type="application/json" id="{BLOCK_ID}">{json}</script>"#))
}

/// `html` with `block` at the end of its head.
fn with_block(html: &[u8], block: &str) -> Option<Vec<u8>> {
    let at = html.windows(7).position(|w| w.eq_ignore_ascii_case(b"</head>"))?;
    Some([&html[..at], block.as_bytes(), &html[at..]].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_goes_at_the_end_of_the_head() {
        let page = with_block(b"<html><head><title>B</title></head><body></body></html>", "<script>x</script>").unwrap();
        assert_eq!(String::from_utf8(page).unwrap(), "<html><head><title>B</title><script>x</script></head><body></body></html>");
        assert!(with_block(b"<html><body></body></html>", "x").is_none(), "no head: the page is left as it is");
    }

    #[test]
    fn no_string_in_the_data_can_end_its_block() {
        let view = SettingsStore::load(&std::env::temp_dir().join("berth-first-page-no-such-dir")).view();
        let mut settings = view;
        settings.problem = Some("</script><script>alert(1)</script>".into());
        let engine = EngineStatus::Connecting { host: None };
        let block = data_block(&FirstPage { settings, engine, containers: None }).unwrap();
        let inner = &block[..block.len() - "</script>".len()];
        assert!(!inner[1..].contains('<'), "{block}");
        let json = inner.split_once('>').unwrap().1;
        let back: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(back["settings"]["problem"], "</script><script>alert(1)</script>");
    }
}
