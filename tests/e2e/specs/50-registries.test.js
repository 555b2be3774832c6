// Registries through the real window, against the real htpasswd registry (scripts/registry.sh)
// and a real Secret Service (`make test-e2e` runs the suite under scripts/keyring.sh, a private
// unlocked GNOME Keyring). The app gets its own DOCKER_CONFIG, with Docker's own
// docker-credential-secretservice as credsStore, and its own config folder: the other specs'
// test login stays untouched.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { artifactsDir, repoRoot, runId, TEST_IMAGE } from '../support/env.js';
import { ConfirmDialog, RegistriesPage } from '../pages/BerthWindow.js';

const port = process.env.BERTH_REGISTRY_PORT ?? 5000;
const registry = `127.0.0.1:${port}`;
const alias = `localhost:${port}`; // the same registry under another name, for the plain-text login
const [user, secret] = ['berth', 'berth-test-secret'];
const image = `${registry}/berth-e2e-${runId}/reg:1`;
const SERVICE = 'Berth registry login';

/** What the Secret Service holds under Berth's item for `host` (libsecret's own tool). */
const keychain = (host) => {
  const r = spawnSync('secret-tool', ['lookup', 'service', SERVICE, 'username', host], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout : null;
};
const helperHas = (host) => spawnSync('docker-credential-secretservice', ['get'], { input: host }).status === 0;
const forget = (host) => {
  spawnSync('secret-tool', ['clear', 'service', SERVICE, 'username', host]);
  spawnSync('docker-credential-secretservice', ['erase'], { input: host });
};

/** Points the app (which inherits this environment) at a fresh folder for the docker CLI's
 *  config and its own config, data and cache, which are then searched for the secret. */
function isolate() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-reg-e2e-'));
  process.env.DOCKER_CONFIG = path.join(home, 'docker');
  for (const [name, dir] of [['XDG_CONFIG_HOME', 'config'], ['XDG_DATA_HOME', 'data'], ['XDG_CACHE_HOME', 'cache']]) {
    process.env[name] = path.join(home, dir);
  }
  fs.mkdirSync(process.env.DOCKER_CONFIG);
  return home;
}

/** Every file under `dir` that holds the secret, plain or base64 as config.json would. */
function filesWithSecret(dir) {
  const encoded = Buffer.from(`${user}:${secret}`).toString('base64');
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .filter((f) => { const t = fs.readFileSync(f, 'latin1'); return t.includes(secret) || t.includes(encoded); });
}

describe('registries', () => {
  let app, page, home;
  const cli = (...args) => spawnSync('docker', ['--config', process.env.DOCKER_CONFIG, ...args], { encoding: 'utf8' });

  before(async () => {
    if (process.env.BERTH_TEST_KEYRING !== '1') {
      throw new Error('no test keychain: run under scripts/keyring.sh (make test-e2e does)');
    }
    // An image on the registry, pushed with the registry script's own login.
    docker('tag', TEST_IMAGE, image);
    execFileSync('docker', ['--config', path.join(repoRoot, 'target/registry/docker-config'), 'push', image], { stdio: 'ignore' });
    docker('rmi', image);

    home = isolate();
    const plain = Buffer.from(`${user}:${secret}`).toString('base64');
    fs.writeFileSync(path.join(process.env.DOCKER_CONFIG, 'config.json'),
      JSON.stringify({ auths: { [alias]: { auth: plain } }, credsStore: 'secretservice' }));
    process.env.BERTH_LOG = 'debug'; // everything the app lets through: no request body, no secret
    for (const h of [registry, alias]) forget(h);

    app = await launchApp();
    page = new RegistriesPage(app);
    await app.guard('registries-open', () => page.open());
  });

  after(async () => {
    await app?.close();
    for (const h of [registry, alias]) forget(h);
    try { docker('rmi', '-f', image); } catch { /* not pulled */ }
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('warns about a plain-text login and moves it into the keychain', () => app.guard('move', async () => {
    const row = await page.waitForRow(alias);
    assert.equal(await row.getAttribute('data-plain'), 'true');
    assert.match(await row.getText(), /plain text/);
    await app.screenshot('registries-plain-text');
    await page.moveToKeychain(alias);
    await app.browser.waitUntil(async () => (await page.row(alias).getAttribute('data-plain')) === 'false',
      { timeout: 10_000, timeoutMsg: 'the warning to go' });
    assert.equal(keychain(alias), secret, 'the secret is in the Secret Service');
    assert.ok(helperHas(alias), 'and with the docker CLI helper');
    assert.deepEqual(filesWithSecret(home), [], 'and in no file');
  }));

  it('refuses a wrong password in words and stores nothing', () => app.guard('wrong', async () => {
    await page.fillLogin({ preset: 'custom', host: registry, username: user, secret: 'not-the-password' });
    await page.submitLogin();
    await page.fieldError('secret').waitForDisplayed({ timeout: 15_000 });
    assert.match(await page.fieldError('secret').getText(), /Wrong username or password/);
    await app.screenshot('registries-wrong-password');
    assert.equal(keychain(registry), null);
    assert.equal(await page.row(registry).isExisting(), false);
  }));

  it('logs in, keeps the secret in the keychain, and the docker CLI pulls with it', () => app.guard('login', async () => {
    await page.fillLogin({ preset: 'custom', host: registry, username: user, secret });
    await page.submitLogin();
    const row = await page.waitForRow(registry);
    assert.equal(await page.dialogOpen(), false);
    const text = await row.getText();
    assert.match(text, /as berth/);
    assert.match(text, /System keychain/);
    assert.match(text, /docker CLI · secretservice/);
    await app.screenshot('registries-logged-in');
    assert.equal(keychain(registry), secret);
    const pull = cli('pull', image);
    assert.equal(pull.status, 0, `docker pull after a Berth login: ${pull.stderr}`);
    assert.deepEqual(filesWithSecret(home), []);
  }));

  it('leaves the secret in no file, app folder or log', () => app.guard('no-secret', async () => {
    const log = path.join(artifactsDir, `tauri-driver-${runId}.log`);
    assert.match(fs.readFileSync(log, 'utf8'), /logged in/, 'the app log is where we look');
    assert.deepEqual(filesWithSecret(home), []);
    assert.ok(fs.existsSync(path.join(home, 'data')), 'the app wrote its data folder here');
    assert.equal(fs.readFileSync(log, 'latin1').includes(secret), false, 'the secret is in the app log');
  }));

  it('logs out after confirmation, everywhere', () => app.guard('logout', async () => {
    await page.logout(registry);
    const confirm = new ConfirmDialog(app);
    await confirm.waitOpen();
    await confirm.ok();
    await page.waitForGone(registry);
    assert.equal(keychain(registry), null);
    assert.equal(helperHas(registry), false);
  }));
});

// The docker CLI with a plain-text login and no credential helper: moving the login must not
// log the CLI out. The platform's helper is installed here, so the window offers to set it up.
describe('registries: moving a login when the docker CLI has no credential helper', () => {
  let app, page, home;
  const cli = (...args) => spawnSync('docker', ['--config', process.env.DOCKER_CONFIG, ...args], { encoding: 'utf8' });

  before(async () => {
    docker('tag', TEST_IMAGE, image);
    execFileSync('docker', ['--config', path.join(repoRoot, 'target/registry/docker-config'), 'push', image], { stdio: 'ignore' });
    docker('rmi', image);
    home = isolate();
    const plain = Buffer.from(`${user}:${secret}`).toString('base64');
    fs.writeFileSync(path.join(process.env.DOCKER_CONFIG, 'config.json'),
      `{\n\t"auths": {\n\t\t"${registry}": {\n\t\t\t"auth": "${plain}"\n\t\t}\n\t},\n\t"psFormat": "table {{.Names}}"\n}`);
    forget(registry);
    app = await launchApp();
    page = new RegistriesPage(app);
    await app.guard('no-helper-open', () => page.open());
  });

  after(async () => {
    await app?.close();
    forget(registry);
    try { docker('rmi', '-f', image); } catch { /* not pulled */ }
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('offers to set up docker-credential-secretservice, and the CLI stays logged in', () => app.guard('no-helper-move', async () => {
    await page.waitForRow(registry);
    await page.moveToKeychain(registry);
    const confirm = new ConfirmDialog(app);
    await confirm.waitOpen();
    assert.match(await app.browser.$('[data-testid="confirm-dialog"]').getText(), /set up docker-credential-secretservice/);
    await app.screenshot('registries-offer-helper');
    await confirm.ok();
    await app.browser.waitUntil(async () => (await page.row(registry).getAttribute('data-plain')) === 'false',
      { timeout: 15_000, timeoutMsg: 'the plain-text copy to go' });
    const config = JSON.parse(fs.readFileSync(path.join(process.env.DOCKER_CONFIG, 'config.json'), 'utf8'));
    assert.equal(config.credsStore, 'secretservice');
    assert.equal(config.psFormat, 'table {{.Names}}', 'other settings stay');
    assert.ok(helperHas(registry), 'the docker CLI helper holds it');
    assert.deepEqual(filesWithSecret(home), [], 'and no file');
    const pull = cli('pull', image);
    assert.equal(pull.status, 0, `the docker CLI is still logged in: ${pull.stderr}`);
  }));
});

describe('registries without a keychain', () => {
  let app, page, home;

  before(async () => {
    home = isolate();
    // A desktop with no Secret Service: the session bus is nowhere.
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/berth-e2e-bus';
    app = await launchApp();
    page = new RegistriesPage(app);
    await app.guard('no-keychain-open', () => page.open());
  });

  after(async () => {
    await app?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('says so, and stores nothing anywhere', () => app.guard('no-keychain', async () => {
    await page.fillLogin({ preset: 'custom', host: registry, username: user, secret });
    await page.submitLogin();
    await page.loginError().waitForDisplayed({ timeout: 30_000 });
    assert.match(await page.loginError().getText(), /keychain cannot be used, so nothing was saved/);
    await app.screenshot('registries-no-keychain');
    assert.equal(await page.row(registry).isExisting(), false);
    assert.deepEqual(filesWithSecret(home), []);
  }));
});
