//! WebKit settings that cost memory or work and buy nothing in an app that shows one local page
//! (Linux, WebKitGTK): the smallest cache model (`DocumentViewer`: no page or resource caches
//! kept for browsing), no page cache for going back, no spell checking, no smooth-scrolling
//! animations, and no accelerated compositing: the page is a few flat panels, and with it a
//! followed log grew WebKit's memory with the list's scroll height (about 3 KB per line, 70 MB
//! in 5 min at 200 lines/s, where it is now flat but for the lines kept). macOS's WKWebView and Windows' WebView2 offer no such switches through Tauri and
//! keep their defaults. What they are worth is measured by `make bench` (issue 15).

/// WebKitGTK settings that only its environment reaches, each left alone when the user set it.
/// - Its DMA-BUF renderer paints blank windows under Xvfb and on some GPUs, and costs memory.
/// - With that renderer off, Berth paints on the CPU (`HardwareAccelerationPolicy::Never` in
///   [`trim`]), so the app process needs no OpenGL. GTK still probes GLX when it opens the
///   display, and WebKit probes EGL for a render node to hand the web process (which uses it
///   only for the DMA-BUF renderer). Each probe loads the GL driver: with Mesa that is
///   `libLLVM`, about 20 MB of the app process's PSS (issue 15). `GDK_GL=disable` and naming the
///   render node skip both. The web process still starts EGL itself, as it must.
/// - JavaScriptCore runs Berth's page in its interpreter, without its baseline JIT. The page
///   shows what the engine sends; nothing in it is compute-bound. The JIT's code, its compiler's
///   pages and its data for every view's and tab's functions were 10 MB of the web process after
///   every view had been opened (and the optimising tiers, which build on it, are off with it).
///   A followed busy log then costs about a fifth more of the web process's CPU: about 11 % of a
///   core at 200 lines a second, against 9 % (`make bench`, issue 15).
/// - Every collection of its heap is a full one. Berth's live heap is a few MB, so each costs
///   milliseconds. With generations, a page kept busy (a followed log) was collected by eden
///   collections only, on their timer, and the old generation grew by what each promoted,
///   unbounded: 7 to 88 MB in 9 minutes, once (`JSC_logGC=1`).
pub fn set_env() {
    #[cfg(target_os = "linux")]
    {
        let mut added = Vec::new();
        let mut set_default = |name: &str, value: &str| {
            // Only sound before any thread starts: `main`'s first lines.
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, value);
                added.push(name.to_owned());
            }
        };
        set_default("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        let dmabuf_off = std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_some_and(|v| v != "0");
        if dmabuf_off {
            set_default("GDK_GL", "disable");
            set_default("WEBKIT_WEB_RENDER_DEVICE_FILE", &render_node());
        }
        set_default("JSC_useBaselineJIT", "0");
        set_default("JSC_useGenerationalGC", "0");
        let _ = ADDED.set(added);
    }
}

/// What [`set_env`] added to Berth's environment: settings for Berth's own window, which the
/// apps it opens must not inherit (`opener`).
pub fn added() -> &'static [String] {
    ADDED.get().map_or(&[], Vec::as_slice)
}

static ADDED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// The first DRM render node, as WebKit's own probe would usually find it; `/dev/null` when the
/// machine has none (Xvfb, most VMs), where the probe finds nothing. Without the DMA-BUF renderer
/// the web process never opens it.
#[cfg(target_os = "linux")]
fn render_node() -> String {
    let mut nodes: Vec<_> = std::fs::read_dir("/dev/dri")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("renderD")))
        .collect();
    nodes.sort();
    nodes.first().map_or_else(|| "/dev/null".to_owned(), |p| p.display().to_string())
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
