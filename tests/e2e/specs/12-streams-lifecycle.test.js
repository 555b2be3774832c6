// Streams end with the page that asked for them: a reload must not leave the engine following a
// log or running a terminal's shell for nobody. Observed from outside the app: the engine's open
// readers of the container's log file, and the container's processes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchApp } from '../support/app.js';
import { docker, removeTestContainers, runContainer, uniqueName } from '../support/docker.js';
import { waitFor } from '../support/wait.js';
import { ContainerList } from '../pages/BerthWindow.js';

/** The engine's open files on `id`'s json-file log: one for its writer, one per follower. */
function logReaders(id) {
  const pid = fs.readFileSync('/var/run/docker.pid', 'utf8').trim();
  const dir = `/proc/${pid}/fd`;
  return fs.readdirSync(dir).filter((fd) => {
    try { return fs.readlinkSync(`${dir}/${fd}`).endsWith(`${id}-json.log`); } catch { return false; }
  }).length;
}

/** The container's terminal shells (the main process is a plain `sh -c`, never `ash`). */
const shells = (name) => docker('top', name, '-o', 'pid,args').split('\n').filter((l) => /\bash\b|sleep 4242/.test(l)).length;

describe('streams end with their page', () => {
  let app, list;
  const name = uniqueName('chatty');
  let id;
  // Other tests' containers come and go on the shared engine and can move the row under a click.
  const openDetails = () => waitFor(() => list.open(name).catch(() => false), { timeout: 45_000, message: `details of ${name}` });

  before(async () => {
    runContainer(name, { cmd: ['sh', '-c', 'i=0; while true; do for j in 0 1 2 3 4 5 6 7 8 9; do echo line $i; i=$((i+1)); done; sleep 1; done'] });
    id = docker('inspect', '-f', '{{.Id}}', name);
    app = await launchApp();
    list = new ContainerList(app);
    await app.guard('startup', () => list.waitForList());
  });
  after(async () => {
    await app?.close();
    removeTestContainers();
  });

  it('a followed log stops being read by the engine when the page reloads', () => app.guard('logs-reload', async () => {
    assert.equal(logReaders(id), 1, 'only the engine writes the log before the app follows it');
    const details = await openDetails();
    await details.tab('logs');
    await waitFor(async () => (await details.logLines()).some((l) => /line \d+/.test(l)), { timeout: 15_000, message: 'log lines' });
    assert.equal(logReaders(id), 2, 'the app follows the log');
    await app.browser.refresh();
    await list.waitForList();
    await waitFor(() => logReaders(id) === 1, { timeout: 10_000, message: 'the engine to stop reading the log for the reloaded page' });
  }));

  it('a terminal shell ends when its details close', () => app.guard('terminal-close', async () => {
    const details = await openDetails();
    await details.tab('terminal');
    await details.typeInTerminal('sleep 4242\n');
    await waitFor(() => shells(name) === 2, { timeout: 15_000, message: 'the shell and its sleep in the container' });
    await app.browser.$('button[aria-label="Close details"]').click();
    await waitFor(() => shells(name) === 0, { timeout: 15_000, message: 'the shell to end with its details' });
  }));

  it('a terminal shell ends when the page reloads', () => app.guard('terminal-reload', async () => {
    const details = await openDetails();
    await details.tab('terminal');
    await details.typeInTerminal('sleep 4242\n');
    await waitFor(() => shells(name) === 2, { timeout: 15_000, message: 'the shell and its sleep in the container' });
    await app.browser.refresh();
    await list.waitForList();
    await waitFor(() => shells(name) === 0, { timeout: 15_000, message: 'the shell to end with the page' });
    await waitFor(() => logReaders(id) === 1, { timeout: 10_000, message: 'the log the details showed to be let go too' });
  }));
});
