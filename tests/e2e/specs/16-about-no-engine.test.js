// Launched as a double-click launches it: the no-engine screen says what to do on this OS with
// the buttons that apply here, About shows versions and the engine and copies diagnostics with
// no secret in them, and the log lines land in the platform's log folder.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { AboutPanel, ContainerList, EngineBanner, EngineHelp, toastTexts } from '../pages/BerthWindow.js';
import { waitFor } from '../support/wait.js';

const exists = (p) => fs.existsSync(p);
// What core probes on Linux (crates/core/src/platform/engine_help.rs), read the same way.
const serviceButton = exists('/run/systemd/system') && exists('/usr/bin/pkexec')
  && ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'].some((d) => exists(`${d}/docker.service`));

/** The passwords in DOCKER_CONFIG's config.json (the test registry's login), decoded. */
function storedSecrets() {
  const file = path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
  if (!exists(file)) return [];
  const auths = JSON.parse(fs.readFileSync(file, 'utf8')).auths ?? {};
  return Object.values(auths).map((a) => Buffer.from(a.auth ?? '', 'base64').toString().split(':').slice(1).join(':')).filter(Boolean);
}

describe('about and the no-engine screen', () => {
  const saved = { DOCKER_HOST: process.env.DOCKER_HOST, XDG_STATE_HOME: process.env.XDG_STATE_HOME, BERTH_E2E_TOKEN: process.env.BERTH_E2E_TOKEN, PATH: process.env.PATH };
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-state-'));
  const nowhere = path.join(state, 'no-engine-here.sock');
  const token = `tok-${process.pid}-e2e-secret`;
  let app;

  before(() => {
    // The app inherits this environment (through tauri-driver): logs go under `state`.
    process.env.XDG_STATE_HOME = state;
    process.env.BERTH_E2E_TOKEN = token;
  });
  after(async () => {
    await app?.close();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('with no engine, says how to start one on Linux with the buttons that apply here', async () => {
    process.env.DOCKER_HOST = `unix://${nowhere}`;
    app = await launchApp();
    try {
      await app.guard('no-engine', async () => {
      await new EngineBanner(app).waitDown(20_000);
      const help = new EngineHelp(app);
      await help.help().waitForDisplayed({ timeout: 10_000 });
      assert.equal(await help.help().getAttribute('data-os'), 'linux');
      const text = await help.help().getText();
      assert.match(text, /engine switcher/);
      assert.match(text, serviceButton ? /Start the Docker service/ : /sudo (dockerd|systemctl start docker)|Install an engine/);
      assert.deepEqual(await help.actions(), serviceButton ? ['startDockerService'] : []);
      await app.screenshot('about-no-engine');

      const about = new AboutPanel(app);
      await about.open();
      const diagnostics = await about.diagnostics();
      assert.match(diagnostics, /^Berth \d+\.\d+\.\d+/);
      assert.match(diagnostics, /Engine: not connected/);
      assert.ok(!diagnostics.includes(nowhere) && !diagnostics.includes(state), diagnostics);
      await about.close();
      });
    } finally {
      await app.close();
      app = null;
    }
  });

  it('About names the engine and copies diagnostics with no secret; the log file has the start-up lines', async () => {
    if (saved.DOCKER_HOST === undefined) delete process.env.DOCKER_HOST; else process.env.DOCKER_HOST = saved.DOCKER_HOST;
    // The desktop's opener, as Berth finds it on PATH: it notes what it was asked and the
    // environment it got, which must be the user's, without what Berth set for its own WebKit.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-opener-'));
    const opened = path.join(bin, 'opened.txt');
    fs.writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\n{ echo "OPEN $1"; env; } > '${opened}.part' && mv '${opened}.part' '${opened}'\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${saved.PATH}`;
    app = await launchApp();
    await app.guard('about', async () => {
      await new ContainerList(app).waitForList();
      const about = new AboutPanel(app);
      await about.open();
      const panel = await about.text();
      assert.match(panel, /Tauri\s*2\.\d+/);
      assert.match(panel, /Web view\s*\d+\.\d+/);
      assert.ok(panel.includes(path.join(state, 'berth', 'logs')), `the log folder is shown: ${panel}`);
      const diagnostics = await about.diagnostics();
      assert.match(diagnostics, /^Engine: .+ \(API 1\.\d+\), over Unix socket, chosen by /m);
      assert.match(diagnostics, /^OS: .+, x86_64|^OS: .+, aarch64/m);
      const secrets = [token, ...storedSecrets(), os.homedir(), state, 'docker.sock'];
      for (const secret of secrets) assert.ok(!diagnostics.includes(secret), `diagnostics hold ${secret}: ${diagnostics}`);
      await app.screenshot('about-panel');
      await about.copy();
      await waitFor(async () => (await toastTexts(app.browser)).some((t) => t.includes('Diagnostics copied.')),
        { timeout: 5_000, message: 'the copied toast' });
      await about.openLogFolder();
      await waitFor(() => exists(opened), { timeout: 10_000, message: 'xdg-open run for the log folder' });
      const seen = fs.readFileSync(opened, 'utf8');
      assert.ok(seen.startsWith(`OPEN ${path.join(state, 'berth', 'logs')}\n`), seen);
      for (const added of ['GDK_GL=', 'WEBKIT_WEB_RENDER_DEVICE_FILE=', 'JSC_useBaselineJIT=', 'JSC_useGenerationalGC=']) {
        assert.ok(!seen.split('\n').some((l) => l.startsWith(added)), `the opened app inherited ${added}: ${seen}`);
      }
      assert.ok(seen.includes(`\nXDG_STATE_HOME=${state}\n`), 'the user\'s own environment is kept');
      assert.ok(!(await toastTexts(app.browser)).some((t) => /log folder/.test(t)), 'no failure toast');
    });

    const logs = path.join(state, 'berth', 'logs');
    await waitFor(() => {
      const files = exists(logs) ? fs.readdirSync(logs).filter((f) => /^berth\..*log$/.test(f)) : [];
      const text = files.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('');
      return ['Berth starting', 'connected to engine', 'containers listed'].every((line) => text.includes(line)) && !text.includes(token);
    }, { timeout: 10_000, message: `the start-up lines in ${logs}` });
  });
});
