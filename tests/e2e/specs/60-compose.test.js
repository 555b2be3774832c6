// A compose project as a user runs it: open its folder, bring it up, watch its services get
// healthy and its merged logs, then take it down; the docker-compose CLI sees the same stack.
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

const project = `berthcmp-e2e-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berthcmp-e2e-'));
const folder = path.join(dir, project);

const COMPOSE = `
services:
  db:
    image: ${TEST_IMAGE}
    command: sh -c "sleep 1; echo ok > /ready; while true; do echo db tick; sleep 1; done"
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD-SHELL", "test -f /ready"]
      interval: 1s
      retries: 30
    volumes: [data:/data]
  web:
    image: ${TEST_IMAGE}
    command: sh -c "while true; do echo web says \${GREETING}; sleep 1; done"
    stop_grace_period: 1s
    ports: ["127.0.0.1::80"]
    environment:
      GREETING: \${GREETING:-hello}
    depends_on:
      db: {condition: service_healthy}
  debug:
    image: ${TEST_IMAGE}
    command: sleep 3600
    profiles: [debug]
volumes:
  data: {}
`;

describe('compose stacks', () => {
  let app, stacks;

  before(async () => {
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'compose.yaml'), COMPOSE);
    fs.writeFileSync(path.join(folder, '.env'), 'GREETING=from-dotenv\n');
    app = await launchApp();
    stacks = new StacksPage(app);
    await app.guard('startup', () => stacks.open());
  });
  after(async () => {
    await app?.close();
    try { execFileSync('docker-compose', ['-p', project, 'down', '-v'], { cwd: folder, stdio: 'ignore' }); } catch { /* already down */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opening a folder shows its project, and Up brings its services up healthy', () => app.guard('up', async () => {
    await stacks.openFolder(folder);
    await app.screenshot('stacks-project-panel');
    await stacks.up();
    await stacks.open();
    await stacks.waitForService(project, 'db', (s) => s?.health === 'healthy', 'db to be healthy');
    await stacks.waitForService(project, 'web', (s) => s?.state === 'running', 'web to run');
    assert.equal(await stacks.service(project, 'debug').isExisting(), false, 'the debug profile is not active');
    await app.screenshot('stacks-up');
  }));

  it('the docker-compose CLI sees the same stack', () => app.guard('cli', async () => {
    const ps = execFileSync('docker-compose', ['-p', project, 'ps'], { cwd: folder, encoding: 'utf8' });
    assert.match(ps, new RegExp(`${project}-web-1`));
    assert.match(ps, new RegExp(`${project}-db-1`));
  }));

  it('its logs are merged from every service', () => app.guard('logs', async () => {
    await stacks.stackAction(project, 'logs');
    const lines = await waitFor(async () => {
      const all = await stacks.logLines();
      return all.some((l) => l.includes('web says from-dotenv')) && all.some((l) => l.includes('db tick')) && all;
    }, { timeout: 15_000, message: 'log lines from web and db' });
    assert.ok(lines.some((l) => /^web-1\s+\|/.test(l)), lines.slice(0, 5).join('\n'));
    await app.screenshot('stacks-logs');
  }));

  it('the editor checks as you type, shows the resolved file, and applies by recreating only what changed', () => app.guard('edit', async () => {
    const dbBefore = docker('inspect', '--format', '{{.Id}}', `${project}-db-1`);
    const webBefore = docker('inspect', '--format', '{{.Id}}', `${project}-web-1`);
    await stacks.openEditor();
    await waitFor(async () => (await stacks.resolved()).includes('GREETING: from-dotenv'), { timeout: 10_000, message: 'the resolved config' });
    await stacks.setEditorText(COMPOSE.replace('    ports:', '    portz:'));
    const broken = await waitFor(async () => { const st = await stacks.editorStatus(); return !st.ok && st; },
      { timeout: 10_000, message: 'the problem to show' });
    assert.match(broken.text, /Line \d+: .*services\.web additional properties 'portz' not allowed/);
    await app.screenshot('compose-editor-problem');
    await stacks.setEditorText(COMPOSE.replace('GREETING: \${GREETING:-hello}', 'GREETING: edited'));
    await waitFor(async () => (await stacks.editorStatus()).ok && (await stacks.resolved()).includes('GREETING: edited'),
      { timeout: 10_000, message: 'valid again, resolved anew' });
    await app.screenshot('compose-editor');
    await stacks.apply();
    await waitFor(() => docker('inspect', '--format', '{{.Id}}', `${project}-web-1`) !== webBefore,
      { timeout: 30_000, message: 'web to be recreated' });
    assert.equal(docker('inspect', '--format', '{{.Id}}', `${project}-db-1`), dbBefore, 'db is unchanged');
    assert.match(fs.readFileSync(path.join(folder, 'compose.yaml'), 'utf8'), /GREETING: edited/);
    // The save command writes only the project's own files, whatever path reaches it over IPC.
    const outside = path.join(dir, `${project}-outside.txt`);
    fs.writeFileSync(outside, 'untouched\n');
    const refused = await app.browser.executeAsync((d, f, done) => {
      window.__TAURI_INTERNALS__.invoke('compose_file_save', { dir: d, file: f, text: 'services: {}\n' })
        .then(() => done('saved'), (e) => done(typeof e === 'string' ? e : JSON.stringify(e)));
    }, folder, path.join(folder, '..', path.basename(outside)));
    assert.match(refused, /is not one of this project's compose files/);
    assert.equal(fs.readFileSync(outside, 'utf8'), 'untouched\n');
    await app.browser.keys('Escape');
    await stacks.open();
  }));

  it('a service scales from its row', () => app.guard('scale', async () => {
    await stacks.scale(project, 'web', 2);
    await waitFor(() => docker('ps', '--format', '{{.Names}}').split('\n').includes(`${project}-web-2`),
      { timeout: 30_000, message: 'a second web container' });
    await waitFor(async () => (await stacks.service(project, 'web').getText()).includes('×2'),
      { timeout: 10_000, message: 'the row to show two containers' });
  }));

  it('Down removes its containers and network and, when asked, its volume', () => app.guard('down', async () => {
    await stacks.down(project, { volumes: true });
    await stacks.waitForGone(project);
    const label = `label=com.docker.compose.project=${project}`;
    await waitFor(() => docker('ps', '-aq', '--filter', label) === '', { timeout: 15_000, message: 'no containers left' });
    // The stack leaves the list with its containers; Down goes on to its network, then its volume.
    await waitFor(() => docker('network', 'ls', '-q', '--filter', label) === '', { timeout: 15_000, message: 'no network left' });
    await waitFor(() => docker('volume', 'ls', '-q', '--filter', label) === '', { timeout: 15_000, message: 'no volume left' });
  }));

  it('a failed up says which service and why, and removes what it created when asked', () => app.guard('failed-up', async () => {
    const broken = path.join(dir, `${project}-broken`);
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'compose.yaml'),
      `services:\n  ok:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n    stop_grace_period: 1s\n` +
      `  bad:\n    image: berthcmp/missing:1\n    pull_policy: never\n    depends_on: [ok]\n`);
    await stacks.open();
    await stacks.openFolder(broken);
    await stacks.up();
    const text = await stacks.upError();
    assert.match(text, /Service "bad" failed: The image "berthcmp\/missing:1" is not on this engine/);
    await app.screenshot('stacks-failed-up');
    await stacks.undoUp();
    const label = `label=com.docker.compose.project=${path.basename(broken)}`;
    await waitFor(() => docker('ps', '-aq', '--filter', label) === '' && docker('network', 'ls', '-q', '--filter', label) === '',
      { timeout: 20_000, message: 'what the failed up created to be removed' });
  }));
});
