// Starts tauri-driver, opens a WebDriver session on the real Berth window, and cleans up.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { remote } from 'webdriverio';
import { appPath, artifactsDir, driverPort, nativePort, runId, tauriDriverPath } from './env.js';
import { waitFor } from './wait.js';
import { descendants, leftovers, reap } from './procs.js';

// In the environment of everything a launch starts, so a later launch can find what an aborted one left.
const MARKER = 'BERTH_E2E_LAUNCH=1';

const statusUrl = (port) => `http://127.0.0.1:${port}/status`;
const answers = (port) => fetch(statusUrl(port)).then((r) => r.ok, () => false);

/**
 * Launches the app (with `args` on its command line) under tauri-driver; returns an App. Needs an X display (xvfb-run).
 * `application` defaults to the dev build; `env` and `cwd` are tauri-driver's, and so the app's
 * (default: this process's), e.g. the bare environment a desktop session gives an app.
 */
export async function launchApp({ application = appPath, args = [], env, cwd } = {}) {
  for (const [what, file] of [['app binary', application], ['tauri-driver', tauriDriverPath]]) {
    if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file} (make test-e2e builds/installs it)`);
  }
  if (!(env ?? process.env).DISPLAY) throw new Error('no DISPLAY: run under xvfb-run -a (make test-e2e does)');
  // A driver left over from an aborted run would answer for us with the wrong app.
  if (await answers(driverPort)) throw new Error(`port ${driverPort} is taken; set BERTH_E2E_PORT`);
  // An app an earlier spec left running would take this launch's single-instance hand-over.
  const stale = await reap(leftovers(MARKER));
  if (stale.length) console.warn(`# ended ${stale.length} process(es) an earlier launch left running: ${stale.join(' ')}`);

  // Settings (theme, tray, last view) and window geometry of the spec's own, never the user's,
  // kept across its relaunches and removed when it ends.
  if (!process.env.BERTH_CONFIG_DIR) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-config-'));
    process.env.BERTH_CONFIG_DIR = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  fs.mkdirSync(artifactsDir, { recursive: true });
  const log = fs.openSync(path.join(artifactsDir, `tauri-driver-${runId}.log`), 'a');
  const [key, value] = MARKER.split('=');
  const driver = spawn(tauriDriverPath, ['--port', String(driverPort), '--native-port', String(nativePort)],
    { stdio: ['ignore', log, log], env: { ...(env ?? process.env), [key]: value }, cwd });
  const exited = new Promise((resolve) => driver.once('exit', resolve));

  try {
    await waitFor(() => answers(driverPort), { timeout: 15_000, message: 'tauri-driver to answer' });
    const browser = await remote({
      hostname: '127.0.0.1',
      port: driverPort,
      logLevel: 'warn',
      connectionRetryCount: 0,
      capabilities: {
        browserName: 'wry',
        'tauri:options': { application, args },
        // WebKitWebDriver speaks classic WebDriver only; don't ask it for BiDi.
        'wdio:enforceWebDriverClassic': true,
      },
    });
    return new App(browser, driver, exited);
  } catch (e) {
    const tree = descendants(driver.pid);
    driver.kill('SIGTERM');
    await exited;
    await reap(tree);
    throw e;
  }
}

export class App {
  constructor(browser, driver, exited) {
    this.browser = browser;
    this.driver = driver;
    this.exited = exited;
  }

  /** The element with data-testid `id` (webdriverio chainable, lazily resolved). */
  byTestId(id, extra = '') {
    return this.browser.$(`[data-testid="${id}"]${extra}`);
  }

  /**
   * Saves a screenshot of the X screen (the real window, as a user sees it) into
   * artifacts/<name>.png; returns the path. `import` rather than WebDriver's screenshot: with
   * WEBKIT_DISABLE_DMABUF_RENDERER=1, WebKit's snapshot of an idle page can hang for 120 s.
   */
  async screenshot(name) {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    let crop = [];
    try {
      const { x, y, width, height } = await this.browser.getWindowRect();
      crop = ['-crop', `${width}x${height}+${Math.max(x, 0)}+${Math.max(y, 0)}`, '+repage'];
    } catch { /* the session is gone: take the whole screen */ }
    try {
      execFileSync('import', ['-window', 'root', ...crop, file], { stdio: 'ignore', timeout: 15_000 });
      return file;
    } catch {
      return null;
    }
  }

  /** Runs `fn`; on failure saves a screenshot named after `name` and rethrows. */
  async guard(name, fn) {
    try {
      return await fn();
    } catch (e) {
      const file = await this.screenshot(`FAILED-${name}`);
      if (file) e.message += `\n    screenshot: ${path.relative(process.cwd(), file)}`;
      throw e;
    }
  }

  async close() {
    // WebKitWebDriver and the app, taken before the driver goes and they are orphaned.
    const tree = descendants(this.driver.pid);
    try {
      await this.browser.deleteSession();
    } catch (e) {
      console.warn(`# ending the WebDriver session failed (${e.message}); ending the app's processes instead`);
    }
    this.driver.kill('SIGTERM');
    await this.exited;
    // Also the WebKit helpers still closing after WebKitWebDriver ended the app.
    await reap(tree);
    // The next spec reuses the ports.
    await waitFor(async () => !(await answers(driverPort)), { timeout: 10_000, message: 'tauri-driver to exit' });
  }
}
