// Services that use another service's network (`network_mode: service:`), and orphans: a
// service taken out of the file is reported on Up and removed only when the user ticks it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { runId, TEST_IMAGE } from '../support/env.js';
import { waitFor } from '../support/wait.js';
import { StacksPage } from '../pages/BerthWindow.js';

const project = `berthcmp-shared-e2e-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berthcmp-shared-e2e-'));
const folder = path.join(dir, project);
const service = (name, more = '') => `  ${name}:\n    image: ${TEST_IMAGE}\n    stop_grace_period: 1s\n${more}`;
const WEB = service('web', '    command: sh -c "mkdir -p /www && echo hello-web > /www/index.html && exec httpd -f -p 8080 -h /www"\n');
const SIDE = service('side', '    network_mode: service:web\n    command: sleep 3600\n');
const OLD = service('old', '    command: sleep 3600\n');

describe('compose services that share, and orphans', () => {
  let app, stacks;

  before(async () => {
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'compose.yaml'), `services:\n${WEB}${SIDE}${OLD}`);
    app = await launchApp();
    stacks = new StacksPage(app);
    await app.guard('startup', () => stacks.open());
  });
  after(async () => {
    await app?.close();
    try { execFileSync('docker-compose', ['-p', project, 'down', '--remove-orphans'], { cwd: folder, stdio: 'ignore' }); } catch { /* already down */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a sidecar with network_mode service:web reaches web on localhost', () => app.guard('shared-up', async () => {
    await stacks.openFolder(folder);
    await stacks.up();
    await stacks.open();
    await stacks.waitForService(project, 'side', (s) => s?.state === 'running', 'side to run');
    const body = await waitFor(() => {
      try { return docker('exec', `${project}-side-1`, 'wget', '-qO-', 'http://localhost:8080/'); } catch { return false; }
    }, { timeout: 15_000, message: 'web to answer on side\'s localhost' });
    assert.equal(body, 'hello-web');
  }));

  it('a service taken out of the file is an orphan, removed when ticked', () => app.guard('orphans', async () => {
    fs.writeFileSync(path.join(folder, 'compose.yaml'), `services:\n${WEB}${SIDE}`);
    await stacks.openFolder(folder);
    const orphans = await waitFor(() => stacks.orphans(), { timeout: 10_000, message: 'the orphans row' });
    assert.match(orphans, new RegExp(`${project}-old-1`));
    await app.screenshot('compose-orphans');
    await stacks.up();
    assert.match(await stacks.upWarning(), /Found orphan containers \(.*-old-1\) for this project/);
    assert.equal(docker('inspect', '--format', '{{.State.Running}}', `${project}-old-1`), 'true', 'kept when not ticked');
    await waitFor(async () => (await stacks.orphans()) !== null, { timeout: 10_000, message: 'the orphans row again' });
    await stacks.tickRemoveOrphans();
    await stacks.up();
    await waitFor(() => !docker('ps', '-a', '--format', '{{.Names}}').split('\n').includes(`${project}-old-1`),
      { timeout: 20_000, message: 'the orphan to be removed' });
    await waitFor(async () => (await stacks.orphans()) === null, { timeout: 10_000, message: 'the orphans row to go' });
    await stacks.open();
    await stacks.down(project, { volumes: false });
    await stacks.waitForGone(project);
  }));
});
