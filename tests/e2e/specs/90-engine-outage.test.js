// Losing the engine and getting it back, without restarting the app. Runs last (it stops
// dockerd) and only against a dockerd that scripts/engine.sh started.
import { describe, it, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { engineAnswers, removeTestContainers, runTicker, uniqueName } from '../support/docker.js';
import { repoRoot } from '../support/env.js';
import { ContainerList, EngineBanner } from '../pages/BerthWindow.js';

const engineScript = path.join(repoRoot, 'scripts/engine.sh');
const ours = fs.existsSync(path.join(repoRoot, 'target/dockerd.pid'));
const engine = (cmd) => execFileSync(engineScript, [cmd], { stdio: 'inherit' });

describe('engine outage', { skip: ours ? false : 'skipped: dockerd was not started by scripts/engine.sh (target/dockerd.pid absent), so the tests do not stop it' }, () => {
  let app, list, banner;
  const name = uniqueName('survivor');

  before(async () => {
    app = await launchApp();
    list = new ContainerList(app);
    banner = new EngineBanner(app);
    await app.guard('startup', () => list.waitForList());
    // restart=always: it is running again when the engine comes back.
    runTicker(name, ['--restart', 'always']);
    await list.waitForState(name, 'running');
  });
  after(async () => {
    if (!engineAnswers()) engine('start');
    await app?.close();
    removeTestContainers();
  });

  it('shows engine-down within 10 s of the engine stopping', () => app.guard('engine-down', async () => {
    engine('stop');
    await banner.waitDown(10_000);
  }));

  it('shows the list again when the engine is back', () => app.guard('engine-back', async () => {
    engine('start');
    await banner.waitUp(30_000);
    await list.waitForState(name, 'running', 30_000);
  }));
});
