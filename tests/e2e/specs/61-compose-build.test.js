// A stack with a `build:` service as a user works on it: Up builds it, the Stacks view offers
// Build for that service only, shows the build's steps while it runs, and Up with "Build images
// before starting" recreates the rebuilt service and leaves the other one running.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { runId, TEST_IMAGE } from '../support/env.js';
import { waitFor } from '../support/wait.js';
import { StacksPage } from '../pages/BerthWindow.js';

const project = `berthcmp-build-e2e-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berthcmp-build-e2e-'));
const folder = path.join(dir, project);
const dockerfile = (step) => `FROM ${TEST_IMAGE}\n${step}\nRUN echo built > /built\nCMD ["sleep", "3600"]\n`;
const COMPOSE = `
services:
  app:
    build: ./app
    stop_grace_period: 1s
  side:
    image: ${TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
`;

describe('compose build', () => {
  let app, stacks;
  const id = (service) => docker('inspect', '--format', '{{.Id}}', `${project}-${service}-1`);

  before(async () => {
    fs.mkdirSync(path.join(folder, 'app'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'compose.yaml'), COMPOSE);
    fs.writeFileSync(path.join(folder, 'app', 'Dockerfile'), dockerfile('RUN true'));
    app = await launchApp();
    stacks = new StacksPage(app);
    await app.guard('startup', () => stacks.open());
  });
  after(async () => {
    await app?.close();
    const label = `label=com.docker.compose.project=${project}`;
    for (const [list, remove] of [[['ps', '-aq'], ['rm', '-f']], [['network', 'ls', '-q'], ['network', 'rm']]]) {
      const ids = docker(...list, '--filter', label).split('\n').filter(Boolean);
      if (ids.length) docker(...remove, ...ids);
    }
    try { docker('rmi', '-f', `${project}-app`); } catch { /* never built */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Up builds the image, and only the service with a build section offers Build', () => app.guard('up', async () => {
    await stacks.openFolder(folder);
    await stacks.up();
    await stacks.open();
    await stacks.waitForService(project, 'app', (s) => s?.state === 'running', 'app to run');
    await stacks.waitForService(project, 'side', (s) => s?.state === 'running', 'side to run');
    await waitFor(() => stacks.serviceAction(project, 'app', 'build').isExisting(), { timeout: 10_000, message: 'a Build button for app' });
    assert.equal(await stacks.serviceAction(project, 'side', 'build').isExisting(), false, 'side has no build section');
  }));

  it('Build shows the steps while it runs, then Up with "Build images before starting" recreates only app', () => app.guard('build', async () => {
    const before = { app: id('app'), side: id('side') };
    const image = docker('image', 'inspect', '--format', '{{.Id}}', `${project}-app`);
    // The run id keeps the step out of the build cache of an earlier run.
    fs.writeFileSync(path.join(folder, 'app', 'Dockerfile'), dockerfile(`RUN sleep 3 && echo ${runId}`));
    await stacks.serviceClick(project, 'app', 'build');
    const step = await waitFor(async () => { const text = await stacks.buildProgress(project); return text?.includes('RUN sleep 3') && text; },
      { timeout: 20_000, message: 'the running step' });
    await app.screenshot('stacks-build-running');
    assert.match(step, /app: Building/);
    await waitFor(async () => (await stacks.buildProgress(project)) === null, { timeout: 60_000, message: 'the build to end' });
    assert.notEqual(docker('image', 'inspect', '--format', '{{.Id}}', `${project}-app`), image, 'the image was rebuilt');

    await stacks.openFolder(folder);
    await stacks.tickBuildBeforeUp();
    await stacks.up();
    await waitFor(() => id('app') !== before.app, { timeout: 60_000, message: 'app to be recreated' });
    assert.equal(id('side'), before.side, 'side is left running');
    assert.equal(docker('exec', `${project}-app-1`, 'cat', '/built'), 'built');
  }));
});
