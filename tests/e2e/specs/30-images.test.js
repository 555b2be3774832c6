// Images through the UI against a real registry with htpasswd login (scripts/registry.sh; the
// app reads its login from DOCKER_CONFIG, which `make test-e2e` sets): push a locally built
// image, find it by searching the registry, pull it with a picked tag, run it from its details,
// see what a prune would free, cancel a pull under way, remove it. Every image made is removed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { waitFor } from '../support/wait.js';
import { runId, testLabel, TEST_IMAGE } from '../support/env.js';
import { ConfirmDialog, ImagesPage, RunDialog } from '../pages/BerthWindow.js';

const registry = `127.0.0.1:${process.env.BERTH_REGISTRY_PORT ?? 5000}`;
const local = `berth-e2e-img-${runId}:1`;
const repo = `berth-e2e-${runId}/app`;
const remote = `${registry}/${repo}:1`;

const dangling = `berth-e2e-img-${runId}-dangling:1`;
const danglingIds = [];

/** Builds a labelled image FROM the test image with these instructions; returns its id. */
function build(name, ...instructions) {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-img-'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), [`FROM ${TEST_IMAGE}`, `LABEL ${testLabel}`, ...instructions, ''].join('\n'));
  execFileSync('docker', ['build', '-q', '-t', name, ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
  fs.rmSync(ctx, { recursive: true });
  return docker('image', 'inspect', '-f', '{{.Id}}', name);
}

const exists = (name) => { try { docker('image', 'inspect', name); return true; } catch { return false; } };
const rmi = (...names) => { for (const n of names) { try { docker('rmi', '-f', n); } catch { /* gone */ } } };

describe('images', () => {
  let app, images;

  before(async () => {
    build(local, 'RUN head -c 3000000 /dev/urandom > /data', 'EXPOSE 8080');
    app = await launchApp();
    images = new ImagesPage(app);
    await app.guard('images-open', () => images.open());
  });
  after(async () => {
    await app?.close();
    // Everything this spec made: the built, pushed and pulled names, and the prune test's builds.
    rmi(local, remote, dangling, ...danglingIds);
  });

  it('pushes a local image to the registry with progress', () => app.guard('push', async () => {
    await images.waitForRow(local);
    await images.push(local, remote);
    const { state, text } = await images.waitTransfer(remote);
    assert.equal(state, 'done', text);
    rmi(local, remote);
    await images.waitForGone(remote);
  }));

  it('refuses a malformed reference in words', () => app.guard('bad-reference', async () => {
    await images.openPull();
    await images.typeReference('Bad/Name:');
    await images.referenceError().waitForDisplayed({ timeout: 5_000 });
    assert.match(await images.referenceError().getText(), /not a valid image reference/);
  }));

  it('says in words when Docker Hub cannot be reached', () => app.guard('hub-search', async () => {
    // The pull dialog is still open. These machines do not reach the internet; one that does
    // gets results, which must then include the official image.
    const { error, results } = await images.searchHub('nginx');
    if (error !== undefined) assert.match(error, /^Docker Hub cannot be reached/);
    else assert.ok(results.includes('nginx'), `Hub answered: ${results.join(', ')}`);
  }));

  it('finds the image by searching the registry and pulls the picked tag', () => app.guard('search-pull', async () => {
    const tags = await images.searchRegistry(registry, `berth-e2e-${runId}`, repo);
    assert.deepEqual(tags, ['1']);
    await images.submitPull();
    const { state, text } = await images.waitTransfer(remote);
    assert.equal(state, 'done', text);
    await images.waitForRow(remote);
    assert.ok(exists(remote), 'the engine has the pulled image');
  }));

  it('runs an image from its details with the EXPOSEd ports filled in', () => app.guard('details-run', async () => {
    await images.runFromDetails(remote);
    const run = new RunDialog(app);
    await run.waitOpen();
    assert.equal(await run.value('image'), remote);
    assert.equal(await run.value('ports'), '8080');
    await run.close();
  }));

  it('shows what a prune would free before asking, and prunes nothing when cancelled', () => app.guard('prune', async () => {
    // Cancelled on purpose: the engine may be shared, and its other dangling images are not ours.
    // Building `dangling` again leaves its first build untagged: a dangling image of our own.
    danglingIds.push(build(dangling, 'RUN echo one > /v'), build(dangling, 'RUN echo two > /v'));
    const first = danglingIds[0];
    await images.waitForRow(dangling);
    await images.prune('dangling');
    const confirm = new ConfirmDialog(app);
    await confirm.waitOpen();
    assert.match(await confirm.text(), /Remove \d+ dangling images? \(.*\)\? This frees (about|up to) [\d.]+ [KMG]?i?B/s);
    await confirm.cancel();
    assert.ok(exists(first), 'the dangling image is still there');
  }));

  it('cancels a pull that is under way and leaves no image', () => app.guard('cancel-pull', async () => {
    // A registry that accepts connections and never answers keeps the pull running until cancelled.
    const silent = net.createServer(() => {});
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const stuck = `127.0.0.1:${silent.address().port}/berth-e2e-${runId}/stuck:1`;
    try {
      await images.openPull();
      await images.typeReference(stuck);
      await images.submitPull();
      await waitFor(async () => (await images.transfer(stuck).getAttribute('data-state')) === 'running',
        { timeout: 10_000, message: 'the pull to start' });
      await images.cancelTransfer(stuck);
      assert.equal((await images.waitTransfer(stuck, 10_000)).state, 'cancelled');
      assert.equal(exists(stuck), false);
    } finally {
      silent.close();
    }
  }));

  it('removes the pulled image after confirmation', () => app.guard('remove', async () => {
    await images.action(remote, 'remove');
    const confirm = new ConfirmDialog(app);
    await confirm.waitOpen();
    await confirm.ok();
    await images.waitForGone(remote);
    assert.equal(exists(remote), false);
  }));
});
