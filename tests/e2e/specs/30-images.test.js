// Images through the UI against a real registry with htpasswd login (scripts/registry.sh; the
// app reads its login from DOCKER_CONFIG, which `make test-e2e` sets): push a locally built
// image, find it by searching the registry, pull it with a picked tag, remove it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { runId, testLabel, TEST_IMAGE } from '../support/env.js';
import { ConfirmDialog, ImagesPage } from '../pages/BerthWindow.js';

const registry = `127.0.0.1:${process.env.BERTH_REGISTRY_PORT ?? 5000}`;
const local = `berth-e2e-img-${runId}:1`;
const repo = `berth-e2e-${runId}/app`;
const remote = `${registry}/${repo}:1`;

const exists = (name) => { try { docker('image', 'inspect', name); return true; } catch { return false; } };
const rmi = (...names) => { for (const n of names) { try { docker('rmi', '-f', n); } catch { /* gone */ } } };

describe('images', () => {
  let app, images;

  before(async () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-img-'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'),
      `FROM ${TEST_IMAGE}\nLABEL ${testLabel}\nRUN head -c 3000000 /dev/urandom > /data\nEXPOSE 8080\n`);
    execFileSync('docker', ['build', '-q', '-t', local, ctx], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
    fs.rmSync(ctx, { recursive: true });
    app = await launchApp();
    images = new ImagesPage(app);
    await app.guard('images-open', () => images.open());
  });
  after(async () => {
    await app?.close();
    rmi(local, remote);
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

  it('finds the image by searching the registry and pulls the picked tag', () => app.guard('search-pull', async () => {
    const tags = await images.searchRegistry(registry, `berth-e2e-${runId}`, repo);
    assert.deepEqual(tags, ['1']);
    await images.submitPull();
    const { state, text } = await images.waitTransfer(remote);
    assert.equal(state, 'done', text);
    await images.waitForRow(remote);
    assert.ok(exists(remote), 'the engine has the pulled image');
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
