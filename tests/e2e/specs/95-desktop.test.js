// Berth as a desktop citizen, in the real window: the command palette and shortcuts, settings
// and themes, one instance (a second launch with a folder hands it to the open window), a
// notification for a container that dies unexpectedly (the D-Bus Notify call on the session
// bus), the tray icon on and off, and the window's size, position and last view kept across a
// quit and relaunch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestId } from '../../../ui/src/lib/testIds.js';
import { launchApp } from '../support/app.js';
import { monitorBus, trayIcon } from '../support/bus.js';
import { docker, removeTestContainers, runContainer, uniqueName } from '../support/docker.js';
import { appPath } from '../support/env.js';
import { waitFor } from '../support/wait.js';

const sel = (id) => `[data-testid="${id}"]`;
const xdotool = (...args) => execFileSync('xdotool', args, { encoding: 'utf8' }).trim();

/** The X window of the app (the one titled Berth), as xdotool sees it. */
function berthWindow() {
  const ids = xdotool('search', '--onlyvisible', '--name', '^Berth$').split('\n').filter(Boolean);
  assert.equal(ids.length, 1, `one Berth window (saw ${ids.length})`);
  return ids[0];
}

/** x, y, width and height per `xdotool getwindowgeometry --shell`. */
function geometry(id) {
  const values = Object.fromEntries(xdotool('getwindowgeometry', '--shell', id).split('\n').map((l) => l.split('=')));
  return { x: Number(values.X), y: Number(values.Y), width: Number(values.WIDTH), height: Number(values.HEIGHT) };
}

describe('desktop citizenship', () => {
  let app, root, folder;

  before(async () => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-desktop-')));
    folder = path.join(root, 'handed-over');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'Dockerfile'), 'FROM scratch\n');
    // Settings and window geometry in a folder of the test's own, not the user's.
    process.env.BERTH_CONFIG_DIR = path.join(root, 'config');
    process.env.BERTH_DATA_DIR = path.join(root, 'data');
    app = await launchApp();
    await app.browser.$(sel(TestId.engineName)).waitForDisplayed({ timeout: 20_000 });
  });
  after(async () => {
    await app?.close();
    removeTestContainers();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const palette = async (query) => {
    await app.browser.keys(['Control', 'k']);
    const input = app.browser.$(sel(TestId.paletteInput));
    await input.waitForDisplayed({ timeout: 5_000 });
    await input.setValue(query);
    return input;
  };

  it('opens the command palette with Ctrl+K and runs a command from the keyboard', () => app.guard('palette', async () => {
    const input = await palette('go vol');
    const ids = await app.browser.$$(sel(TestId.paletteItem)).map((i) => i.getAttribute('data-id'));
    assert.deepEqual(ids, ['go-volumes']);
    await app.screenshot('desktop-palette');
    await input.addValue('\uE007'); // Enter
    await app.browser.$(sel(TestId.palette)).waitForExist({ reverse: true, timeout: 5_000 });
    await waitFor(async () => (await app.browser.$(sel(TestId.nav('volumes'))).getAttribute('aria-current')) === 'page',
      { message: 'the Volumes view' });
    // Ctrl+1 goes back to Containers.
    await app.browser.keys(['Control', '1']);
    await waitFor(async () => (await app.browser.$(sel(TestId.nav('containers'))).getAttribute('aria-current')) === 'page',
      { message: 'the Containers view' });
  }));

  it('switches between the light and dark themes from Settings', () => app.guard('theme', async () => {
    await app.browser.$(sel(TestId.nav('settings'))).click();
    const theme = app.browser.$(sel(TestId.setting('theme')));
    await theme.selectByAttribute('value', 'dark');
    await waitFor(async () => (await app.browser.execute(() => document.documentElement.dataset.theme)) === 'dark');
    await app.browser.$(sel(TestId.nav('containers'))).click();
    await app.screenshot('desktop-theme-dark');
    const bg = await app.browser.execute(() => getComputedStyle(document.querySelector('main')).backgroundColor);
    assert.equal(bg, 'rgb(23, 25, 31)');
    await app.browser.$(sel(TestId.nav('settings'))).click();
    await app.browser.$(sel(TestId.setting('theme'))).selectByAttribute('value', 'light');
    await waitFor(async () => (await app.browser.execute(() => document.documentElement.dataset.theme)) === 'light');
    await app.browser.$(sel(TestId.nav('containers'))).click();
    await app.screenshot('desktop-theme-light');
    const saved = JSON.parse(fs.readFileSync(path.join(process.env.BERTH_CONFIG_DIR, 'settings.json'), 'utf8'));
    assert.equal(saved.theme, 'light');
  }));

  it('stays one instance: a second launch hands its folder to the open window and exits', () => app.guard('single-instance', async () => {
    const second = spawn(appPath, [folder], { cwd: '/', stdio: 'ignore' });
    const code = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { second.kill('SIGKILL'); reject(new Error('the second launch did not exit within 20 s')); }, 20_000);
      second.once('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 0);
    const panel = app.browser.$(sel(TestId.projectPanel));
    await panel.waitForDisplayed({ timeout: 10_000 });
    assert.equal(await panel.getAttribute('data-folder'), folder);
    // Only the first process stays (it answers; the second's pid is gone).
    assert.throws(() => process.kill(second.pid, 0), /ESRCH/);
  }));

  it('shows the tray icon only while the setting is on, its menu following the engine', () => app.guard('tray', async () => {
    const shown = () => trayIcon()?.status === 'Active';
    const labels = () => trayIcon()?.labels ?? [];
    assert.ok(!shown(), 'no tray icon by default');
    const toggle = async () => {
      await app.browser.$(sel(TestId.nav('settings'))).click();
      await app.browser.$(sel(TestId.setting('tray'))).click();
    };
    await toggle();
    await waitFor(shown, { message: 'the tray icon on the bus' });
    assert.match(labels()[0], /^Engine: Docker Engine/);
    assert.ok(labels().includes('Show Berth') && labels().includes('Quit Berth'));
    const name = runContainer(uniqueName('tray'), { cmd: ['sleep', '300'] });
    await waitFor(() => labels().includes(name), { message: 'the running container in the tray menu' });
    assert.deepEqual(labels().slice(labels().indexOf(name), labels().indexOf(name) + 3), [name, 'Stop', 'Restart']);
    docker('rm', '-f', name);
    await waitFor(() => !labels().includes(name), { message: 'the removed container to leave the menu' });
    await toggle();
    await waitFor(() => !shown(), { message: 'the tray icon to go' });
    assert.equal(JSON.parse(fs.readFileSync(path.join(process.env.BERTH_CONFIG_DIR, 'settings.json'), 'utf8')).tray, false);
    await toggle();
    await waitFor(shown, { message: 'the tray icon back' });
    await toggle();
    await waitFor(() => !shown(), { message: 'the tray icon to go again' });
  }));

  it('notifies a container that dies unexpectedly, not one that is stopped', () => app.guard('died', async () => {
    const bus = await monitorBus(["type='method_call',interface='org.freedesktop.Notifications',member='Notify'"]);
    try {
      const stopped = runContainer(uniqueName('stopped'), { cmd: ['sleep', '300'] });
      docker('stop', '-t', '1', stopped);
      const crashed = runContainer(uniqueName('crash'), { cmd: ['sh', '-c', 'sleep 1; exit 3'] });
      await waitFor(() => bus.text().includes(`${crashed} exited with code 3.`), { timeout: 20_000, message: 'the Notify call' });
      assert.ok(bus.text().includes('Container stopped unexpectedly'));
      assert.ok(!bus.text().includes(stopped), `no notification for the stopped container:\n${bus.text()}`);
    } finally {
      await bus.stop();
    }
  }));

  it('keeps the window size, position and view across a quit and relaunch', () => app.guard('window-state', async () => {
    await app.browser.$(sel(TestId.nav('networks'))).click();
    const id = berthWindow();
    await app.browser.setWindowRect(60, 40, 1000, 640);
    await waitFor(() => { const g = geometry(id); return g.width === 1000 && g.height === 640 && g.x === 60 && g.y === 40; },
      { message: 'the window to take the new geometry' });
    const before = geometry(id);
    const input = await palette('quit berth');
    // The app quits while the key press is still being answered: the session ends with it.
    await input.addValue('\uE007').catch(() => {});
    await waitFor(() => { try { berthWindow(); return false; } catch { return true; } }, { timeout: 15_000, message: 'the window to close' });
    await app.close();
    app = await launchApp();
    await app.browser.$(sel(TestId.nav('networks'))).waitForDisplayed({ timeout: 20_000 });
    await waitFor(async () => (await app.browser.$(sel(TestId.nav('networks'))).getAttribute('aria-current')) === 'page',
      { message: 'the Networks view, the last one shown' });
    assert.deepEqual(geometry(berthWindow()), before);
  }));
});
