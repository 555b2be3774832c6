// The INSTALLED app (/usr/bin/berth from the .deb), driven like the e2e specs but started as a
// desktop session starts it: tauri-driver, and so the app, gets only DISPLAY, HOME,
// XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS and PATH=/usr/bin:/bin, with cwd /. Run by
// tests/install/run.sh after it installed the package, with a private HOME whose
// ~/.docker/config.json names docker-credential-berth-test (in /usr/local/bin only) as credsStore.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { waitFor } from '../support/wait.js';
import { docker, removeTestContainers, runContainer, uniqueName } from '../support/docker.js';
import { artifactsDir, repoRoot, runId, TEST_IMAGE } from '../support/env.js';
import { ContainerList, RegistriesPage } from '../pages/BerthWindow.js';

const installed = '/usr/bin/berth';
const home = process.env.BERTH_INSTALL_HOME;
const registry = `127.0.0.1:${process.env.BERTH_REGISTRY_PORT ?? 5000}`;
const [user, secret] = ['berth', 'berth-test-secret']; // scripts/registry.sh's login
const image = `${registry}/berth-install-${runId}/app:1`;
const helperStore = () => JSON.parse(fs.readFileSync(path.join(home, '.berth-test-credentials.json'), 'utf8'));

describe('the installed app, launched as a desktop session launches it', () => {
  let app;
  const name = uniqueName('installed');

  before(async () => {
    if (!home || !fs.existsSync(installed)) throw new Error('run by tests/install/run.sh, which installs the .deb');
    runContainer(name, { cmd: ['sleep', '600'] });
    // An image on the registry for the docker CLI to pull with the login Berth makes.
    docker('tag', TEST_IMAGE, image);
    execFileSync('docker', ['--config', path.join(repoRoot, 'target/registry/docker-config'), 'push', image], { stdio: 'ignore' });
    docker('rmi', image);
    const env = {
      DISPLAY: process.env.DISPLAY,
      HOME: home,
      XDG_RUNTIME_DIR: process.env.BERTH_INSTALL_RUNTIME_DIR,
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
      PATH: '/usr/bin:/bin',
    };
    app = await launchApp({ application: installed, env, cwd: '/' });
  });

  after(async () => {
    await app?.close();
    removeTestContainers();
    try { docker('rmi', '-f', image); } catch { /* not pulled */ }
  });

  it('finds the engine and lists its containers', () => app.guard('installed-containers', async () => {
    const list = new ContainerList(app);
    await list.waitForState(name, 'running', 30_000);
    await app.screenshot('installed-containers');
  }));

  it('logs in to a registry through a credential helper that lives only in /usr/local/bin', () => app.guard('installed-login', async () => {
    const page = new RegistriesPage(app);
    await page.open();
    await page.fillLogin({ preset: 'custom', host: registry, username: user, secret });
    await page.submitLogin();
    // The row, or the dialog's sentence saying why not (a helper the app cannot find, say).
    const outcome = await waitFor(async () => {
      if (await page.row(registry).isExisting()) return { ok: true };
      return (await page.loginError().isExisting()) && { error: await page.loginError().getText() };
    }, { timeout: 30_000, message: `registry row ${registry} or a login error` });
    assert.equal(outcome.error, undefined, `the login failed: ${outcome.error}`);
    const row = page.row(registry);
    assert.match(await row.getText(), /docker CLI · berth-test/);
    await app.screenshot('installed-logged-in');
    assert.equal(helperStore()[registry]?.Username, user, 'the helper in /usr/local/bin holds the login');
    // The docker CLI, with the same config and the helper on its PATH, pulls with that login.
    const pull = spawnSync('docker', ['pull', image], {
      encoding: 'utf8',
      env: { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, '.docker'), PATH: `/usr/local/bin:${process.env.PATH}` },
    });
    assert.equal(pull.status, 0, `docker pull with Berth's login: ${pull.stderr}`);
    const log = fs.readFileSync(path.join(artifactsDir, `tauri-driver-${runId}.log`), 'latin1');
    assert.match(log, /logged in/);
    assert.equal(log.includes(secret), false, 'the secret is in the app log');
  }));
});
