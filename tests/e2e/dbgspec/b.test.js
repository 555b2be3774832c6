// The run dialog creates a real container; a bad port is refused in the form itself.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp } from '../support/app.js';
import { docker, removeTestContainers, uniqueName } from '../support/docker.js';
import { waitFor } from '../support/wait.js';
import { ContainerList, RunDialog } from '../pages/BerthWindow.js';
import { TEST_IMAGE } from '../support/env.js';

const t0 = Date.now(); const T = (m) => console.log('#T', ((Date.now()-t0)/1000).toFixed(1), m);
describe('run dialog', () => {
  let app, list, dialog;

  before(async () => {
    T('before'); app = await launchApp(); T('launched');
    list = new ContainerList(app);
    dialog = new RunDialog(app);
    await app.guard('startup', () => list.waitForList());
  });
  after(async () => {
    T('after'); await app?.close(); T('closed');
    removeTestContainers(); T('removed');
  });

  it('an invalid port shows an inline error', () => app.guard('invalid-port', async () => {
    await dialog.open();
    await dialog.fill({ image: TEST_IMAGE, name: uniqueName('badport'), ports: '99999:80' });
    await dialog.submit();
    await dialog.fieldError('ports').waitForDisplayed({ timeout: 5_000 });
    assert.match(await dialog.fieldError('ports').getText(), /\S/, 'the error says something');
    assert.ok(await dialog.isOpen(), 'the dialog stays open');
    await app.browser.keys('Escape');
  }));

  it('creates a web server with a published port, running', () => app.guard('run', async () => {
    const name = uniqueName('httpd');
    await waitFor(async () => !(await dialog.isOpen()), { timeout: 5_000, message: 'the dialog to close' })
      .catch(() => {}); // still open from the previous case: reuse it
    if (!(await dialog.isOpen())) await dialog.open();
    await dialog.fill({ image: TEST_IMAGE, name, command: 'httpd -f -p 80', ports: '18081:80' });
    await dialog.submit();
    await list.waitForState(name, 'running', 15_000);
    assert.match(docker('port', name, '80/tcp'), /:18081\b/);
  }));
});
