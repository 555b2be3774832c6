// Build: a project folder reaches the real window by a real OS drag and drop (support/drop.js),
// the build runs with BuildKit and live steps, and the image appears in the images list. A
// dropped file is refused in words.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestId } from '../../../ui/src/lib/testIds.js';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { dropOnWindow } from '../support/drop.js';
import { runId, testLabel, TEST_IMAGE } from '../support/env.js';
import { waitFor } from '../support/wait.js';
import { ImagesPage } from '../pages/BerthWindow.js';

const sel = (id) => `[data-testid="${id}"]`;
const tag = `berth-e2e-build-${runId}:1`;

describe('build', () => {
  let app, folder, dataDir;

  before(async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-build-')));
    folder = path.join(root, 'hello-app');
    fs.mkdirSync(path.join(folder, 'src'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'node_modules/dep'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'Dockerfile'), [
      `FROM ${TEST_IMAGE} AS build`,
      'ARG GREETING=hello',
      'RUN echo "$GREETING from the build" > /greeting && echo step-output',
      `FROM ${TEST_IMAGE}`,
      `LABEL ${testLabel}`,
      'COPY --from=build /greeting /greeting',
      'COPY . /app',
      'EXPOSE 8080',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(folder, '.dockerignore'), 'node_modules\n*.log\n');
    fs.writeFileSync(path.join(folder, 'src/main.js'), 'console.log(1)\n');
    fs.writeFileSync(path.join(folder, 'node_modules/dep/index.js'), '');
    fs.writeFileSync(path.join(folder, 'debug.log'), '');
    // The app keeps its build history here rather than in the user's data directory.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-data-'));
    process.env.BERTH_DATA_DIR = dataDir;
    app = await launchApp();
    await app.browser.$(sel(TestId.engineName)).waitForDisplayed({ timeout: 20_000 });
  });
  after(async () => {
    await app?.close();
    try { docker('rmi', '-f', tag); } catch { /* not built */ }
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a dropped file in words', () => app.guard('drop-file', async () => {
    await dropOnWindow(app.browser, path.join(folder, 'Dockerfile'));
    await app.browser.$(sel(TestId.nav('build'))).click();
    const error = app.browser.$(sel(TestId.projectError));
    await error.waitForDisplayed({ timeout: 10_000 });
    assert.match(await error.getText(), /is a file\. Drop or choose the project's folder instead/);
  }));

  it('opens a dropped folder with the context measured after .dockerignore', () => app.guard('drop-folder', async () => {
    await dropOnWindow(app.browser, folder);
    const panel = app.browser.$(`${sel(TestId.projectPanel)}[data-folder="${folder}"]`);
    await panel.waitForDisplayed({ timeout: 10_000 });
    const context = app.browser.$(sel(TestId.buildContext));
    await waitFor(async () => /files/.test(await context.getText()), { timeout: 10_000, message: 'the context summary' });
    // .dockerignore, Dockerfile and src/main.js; node_modules/ and debug.log are left out.
    assert.match(await context.getText(), /Context: 3 files .* after \.dockerignore \(2 left out\)/);
    const args = await app.browser.$$(sel(TestId.buildField('arg'))).map((a) => a.getAttribute('data-name'));
    assert.deepEqual(args, ['GREETING']);
    const tags = app.browser.$(sel(TestId.buildField('tags')));
    assert.equal(await tags.getValue(), 'hello-app');
  }));

  it('builds with BuildKit and live steps, and the image shows in the list', () => app.guard('build', async () => {
    const tags = app.browser.$(sel(TestId.buildField('tags')));
    await tags.setValue(tag);
    const submit = app.browser.$(sel(TestId.buildSubmit));
    await waitFor(() => submit.isEnabled(), { timeout: 10_000, message: 'the Build button' });
    await submit.click();
    const live = app.browser.$(sel(TestId.buildLive));
    await live.waitForExist({ timeout: 10_000 });
    await waitFor(async () => ['done', 'failed'].includes(await live.getAttribute('data-phase')),
      { timeout: 120_000, message: 'the build to end' });
    assert.equal(await live.getAttribute('data-phase'), 'done', await live.getText());
    assert.equal(await live.getAttribute('data-builder'), 'buildKit');
    const lines = await app.browser.$$(sel(TestId.buildStep)).map((s) => s.getAttribute('data-line'));
    assert.ok(lines.includes('3') && lines.includes('7'), `steps point at Dockerfile lines: ${lines}`);
    const result = app.browser.$(sel(TestId.buildResult));
    const id = await result.getAttribute('data-image-id');
    assert.equal(docker('image', 'inspect', '--format', '{{.Id}}', tag), id);
    await app.screenshot('build-done');

    const images = new ImagesPage(app);
    await images.open();
    await images.waitForRow(tag);
  }));
});
