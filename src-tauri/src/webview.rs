//! WebKit settings that cost memory or work and buy nothing in an app that shows one local page
//! (Linux, WebKitGTK): the smallest cache model (`DocumentViewer`: no page or resource caches
//! kept for browsing), no page cache for going back, no spell checking, no smooth-scrolling
//! animations, and no accelerated compositing: the page is a few flat panels, and with it a
//! followed log grew WebKit's memory with the list's scroll height (about 3 KB per line, 70 MB
//! in 5 min at 200 lines/s, where it is now flat but for the lines kept). macOS's WKWebView and Windows' WebView2 offer no such switches through Tauri and
//! keep their defaults. What they are worth is measured by `make bench` (issue 15).

/// WebKitGTK settings that only its environment reaches, each left alone when the user set it:
/// its DMA-BUF renderer paints blank windows under Xvfb and on some GPUs, and costs memory.
/// (JavaScriptCore's optimising tiers were tried off here: 5 MB less at idle, but following a
/// busy log then grew the web process three times as fast; `make bench`, issue 15.)
pub fn set_env() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}

/// Applies them to `window`'s webview (on the main thread, soon after).
pub fn trim(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let applied = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
            context.set_spell_checking_enabled(false);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
            settings.set_enable_smooth_scrolling(false);
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let applied: tauri::Result<()> = {
        let _ = window;
        Ok(())
    };
    if let Err(e) = applied {
        tracing::warn!(error = %e, "cannot apply Berth's WebKit settings");
    }
}
