// Volumes and networks through the UI: create each through its dialog (a bad subnet is refused
// under its field first), see it listed, browse a volume's files, see a volume in use refused in
// words, remove both with confirmation, and see a volume made with the docker CLI appear by
// itself (engine events, no reload). Everything made carries the run's label and is removed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { waitFor } from '../support/wait.js';
import { runId, testLabel, TEST_IMAGE } from '../support/env.js';
import { ConfirmDialog, NetworksPage, VolumesPage, dismissToasts, toastTexts } from '../pages/BerthWindow.js';
import { TestId } from '../../../ui/src/lib/testIds.js';

const volume = `bvol-e2e-${runId}`;
const outside = `bvol-e2e-cli-${runId}`;
const user = `bvol-e2e-user-${runId}`;
const network = `bvol-e2e-net-${runId}`;
// A /24 unlikely to clash with other networks on a shared engine.
const third = 100 + (process.pid % 100);
const subnet = `10.232.${third}.0/24`;

const quietly = (...args) => { try { docker(...args); } catch { /* already gone */ } };
const exists = (...args) => { try { docker(...args); return true; } catch { return false; } };

describe('volumes and networks', () => {
  let app, volumes, networks, confirm;

  before(async () => {
    app = await launchApp();
    volumes = new VolumesPage(app);
    networks = new NetworksPage(app);
    confirm = new ConfirmDialog(app);
  });
  after(async () => {
    await app?.close();
    quietly('rm', '-f', user);
    quietly('volume', 'rm', '-f', volume, outside);
    quietly('network', 'rm', network);
  });

  it('creates a volume through the dialog and lists it', () => app.guard('volume-create', async () => {
    await volumes.open();
    await volumes.create({ name: volume, labels: testLabel });
    await volumes.submit();
    await volumes.waitForRow(volume);
    assert.equal(await volumes.dialogOpen(), false);
    assert.equal(docker('volume', 'inspect', '-f', '{{index .Labels "berth.test"}}', volume), runId);
  }));

  it('lists a volume made outside Berth by itself', () => app.guard('volume-event', async () => {
    docker('volume', 'create', '--label', testLabel, outside);
    await volumes.waitForRow(outside);
  }));

  it('browses a volume\'s files read-only', () => app.guard('volume-browse', async () => {
    docker('run', '--rm', '--label', testLabel, '-v', `${volume}:/data`, TEST_IMAGE, 'sh', '-c', 'mkdir /data/conf && echo hi > /data/conf/app.ini');
    assert.deepEqual(await volumes.browse(volume), ['conf', 'conf/app.ini']);
  }));

  it('measures volume sizes on demand, not on every engine event', () => app.guard('volume-measure', async () => {
    docker('run', '--rm', '--label', testLabel, '-v', `${volume}:/data`, TEST_IMAGE, 'sh', '-c', 'head -c 300000 /dev/zero > /data/blob');
    await volumes.measure();
    await waitFor(async () => Number(await volumes.row(volume).getAttribute('data-size')) >= 300_000, { message: 'the measured size' });
  }));

  it('says which container holds a volume instead of removing it', () => app.guard('volume-in-use', async () => {
    docker('create', '--name', user, '--label', testLabel, '-v', `${volume}:/data`, TEST_IMAGE, 'true');
    await waitFor(async () => (await volumes.row(volume).getAttribute('data-used')) === 'true', { message: 'the volume to show its user' });
    await volumes.action(volume, 'remove');
    const said = await waitFor(async () => (await toastTexts(app.browser)).find((t) => t.includes(user)), { message: 'a toast naming the container' });
    assert.match(said, new RegExp(`^Volume ${volume} is used by ${user}: remove that container first`));
    assert.ok(exists('volume', 'inspect', volume));
    docker('rm', user);
    await dismissToasts(app.browser);
  }));

  it('removes a volume after confirmation', () => app.guard('volume-remove', async () => {
    await waitFor(async () => (await volumes.row(volume).getAttribute('data-used')) === 'false', { message: 'the volume to be unused' });
    await volumes.action(volume, 'remove');
    await confirm.waitOpen();
    assert.match(await confirm.text(), new RegExp(`Remove volume ${volume}.*cannot be undone`, 's'));
    await confirm.ok();
    await volumes.waitForGone(volume);
    assert.equal(exists('volume', 'inspect', volume), false);
  }));

  it('refuses a bad subnet under its field, then creates the network', () => app.guard('network-create', async () => {
    await networks.open();
    await networks.create({ name: network, subnet: `10.232.${third}.0/33`, labels: testLabel });
    await networks.submit();
    await networks.fieldError('subnet').waitForDisplayed({ timeout: 5_000 });
    assert.match(await networks.fieldError('subnet').getText(), /is not a subnet/);
    await networks.fill({ subnet, gateway: `10.232.${third}.1` });
    await networks.submit();
    await networks.waitForRow(network);
    assert.equal(await networks.dialogOpen(), false);
    assert.match(await networks.row(network).getText(), new RegExp(subnet.replace(/\./g, '\\.')));
    assert.equal(docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network), `10.232.${third}.1`);
  }));

  it('offers no removal of the engine\'s own networks', () => app.guard('network-predefined', async () => {
    await networks.waitForRow('bridge');
    assert.equal(await networks.row('bridge').getAttribute('data-predefined'), 'true');
    assert.equal(await networks.row('bridge').$(`[data-testid="${TestId.networkAction('remove')}"]`).isExisting(), false);
  }));

  it('removes the network after confirmation', () => app.guard('network-remove', async () => {
    await networks.action(network, 'remove');
    await confirm.waitOpen();
    assert.match(await confirm.text(), new RegExp(`Remove network ${network}\\?`));
    await confirm.ok();
    await networks.waitForGone(network);
    assert.equal(exists('network', 'inspect', network), false);
  }));
});
