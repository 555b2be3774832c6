// A container's life as a user sees it: started elsewhere, watched, entered, stopped, removed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp } from '../support/app.js';
import { containerState, removeTestContainers, runTicker, uniqueName } from '../support/docker.js';
import { waitFor } from '../support/wait.js';
import { ConfirmDialog, ContainerList } from '../pages/BerthWindow.js';

describe('containers', () => {
  let app, list, details;
  const name = uniqueName('ticker');

  before(async () => {
    app = await launchApp();
    list = new ContainerList(app);
    await app.guard('startup', () => list.waitForList());
  });
  after(async () => {
    await app?.close();
    removeTestContainers();
  });

  it('a container started from the docker CLI appears by itself, running', () => app.guard('appears', async () => {
    runTicker(name);
    await list.waitForState(name, 'running', 10_000);
    await app.screenshot('container-list'); // the README's window shot comes from here
  }));

  it('its Logs tab shows its output', () => app.guard('logs', async () => {
    details = await list.open(name);
    await details.tab('logs');
    const lines = await waitFor(async () => {
      const all = await details.logLines();
      return all.some((l) => /line \d+/.test(l)) && all;
    }, { timeout: 10_000, message: 'log lines "line N"' });
    assert.match(lines.join('\n'), /line 0/);
  }));

  it('its Stats tab shows live CPU and memory, and its uptime keeps counting', () => app.guard('stats', async () => {
    await details.tab('stats');
    const { cpu, memory } = await details.statsText();
    assert.match(cpu, /\d+\.\d %/);
    assert.match(memory, /\d+(\.\d)? (B|KiB|MiB|GiB)/);
    // No engine event arrives while it just runs, yet "Up N seconds" must not freeze.
    const before = await details.statusText();
    await waitFor(async () => (await details.statusText()) !== before, { timeout: 5_000, message: `the status to move on from "${before}"` });
    await app.screenshot('container-stats');
  }));

  it('its Terminal tab runs what the user types', () => app.guard('terminal', async () => {
    await details.tab('terminal');
    await details.typeInTerminal('echo hello-from-berth\n');
    // The output line, not the echoed command line.
    let text = '';
    await waitFor(async () => {
      text = await details.terminalText();
      return text.split('\n').some((l) => l.trim() === 'hello-from-berth');
    }, { timeout: 10_000, message: 'a hello-from-berth output line' }).catch((e) => {
      throw new Error(`${e.message}; the terminal shows:\n${text.trim()}`);
    });
  }));

  it('a line wider than 80 columns stays on one line (the TTY got the window size)', () => app.guard('wide', async () => {
    const wide = 'w'.repeat(100);
    await details.typeInTerminal(`echo ${wide}\n`);
    let text = '';
    await waitFor(async () => {
      text = await details.terminalText();
      return text.split('\n').some((l) => l.trim() === wide);
    }, { timeout: 10_000, message: 'a 100-column output line' }).catch((e) => {
      throw new Error(`${e.message}; the terminal shows:\n${text.trim()}`);
    });
  }));

  it('stopping it from its row shows it exited', () => app.guard('stop', async () => {
    await list.action(name, 'stop');
    // busybox sh ignores SIGTERM as PID 1, so the engine kills it after the 10 s stop timeout.
    await list.waitForState(name, 'exited', 25_000);
    assert.equal(containerState(name), 'exited');
  }));

  it('removing it asks for confirmation, then it disappears', () => app.guard('remove', async () => {
    await list.action(name, 'remove');
    const confirm = new ConfirmDialog(app);
    await confirm.waitOpen();
    assert.notEqual(containerState(name), null, 'nothing is removed before the user confirms');
    await confirm.ok();
    await list.waitForGone(name);
    assert.equal(containerState(name), null);
  }));
});
