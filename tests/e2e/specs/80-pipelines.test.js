// Pipelines: a folder with a .gitlab-ci.yml reaches the real window by a real OS drop, its
// pipeline runs on the real engine (jobs in the offline Debian image, artifacts between stages),
// the graph goes green, a job's log shows with its collapsible section, a job re-runs on its own,
// a failing job and a ruled-out job say why, and a masked variable never shows in a log or file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestId } from '../../../ui/src/lib/testIds.js';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { dropOnWindow } from '../support/drop.js';
import { waitFor } from '../support/wait.js';

const sel = (id) => `[data-testid="${id}"]`;
const JOB_IMAGE = 'berth-test/debian:bookworm';
const SECRET = `s3cr3t-${Date.now().toString(36)}`;
const PIPELINE = `stages: [build, test]
default:
  image: ${JOB_IMAGE}
build:
  stage: build
  script:
    - printf '\\033[0Ksection_start:%s:compile\\r\\033[0KCompiling\\n' "$(date +%s)"
    - mkdir -p out && echo "built $CI_COMMIT_SHORT_SHA" > out/app.txt
    - echo "compiled ok"
    - printf '\\033[0Ksection_end:%s:compile\\r\\033[0K\\n' "$(date +%s)"
  artifacts:
    paths: [out/]
test:
  stage: test
  needs: [build]
  script:
    - cat out/app.txt
    - echo "the secret is \${SECRET:-unset}"
lint:
  stage: test
  allow_failure: true
  script:
    - echo "lint found problems"
    - exit 3
nightly:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
  script: [echo never]
`;

const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('pipelines', () => {
  let app, folder, dataDir;
  const job = (name) => app.browser.$(`${sel(TestId.pipelineJob)}[data-name="${name}"]`);
  const status = () => app.byTestId(TestId.pipelineStatus);
  const logText = async () => (await app.browser.$$(sel(TestId.logLine)).map((l) => l.getText())).join('\n');

  async function waitForRunEnd(message) {
    await waitFor(async () => (await status().getAttribute('data-status')) !== 'running', { timeout: 180_000, message });
  }

  async function openJob(name) {
    await job(name).$('button').click();
    await app.byTestId(TestId.jobPanel, `[data-name="${name}"]`).waitForDisplayed({ timeout: 10_000 });
  }

  before(async () => {
    docker('image', 'inspect', JOB_IMAGE); // made by scripts/ci-images.sh (make ci-images)
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-pipe-')));
    folder = path.join(root, 'ci-demo');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, '.gitlab-ci.yml'), PIPELINE);
    fs.writeFileSync(path.join(folder, 'README.md'), 'demo\n');
    git(folder, 'init', '-q', '-b', 'main');
    git(folder, 'add', '.');
    git(folder, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'init');
    git(folder, 'remote', 'add', 'origin', 'https://gitlab.example.com/team/ci-demo.git');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-data-'));
    process.env.BERTH_DATA_DIR = dataDir;
    app = await launchApp();
    await app.byTestId(TestId.engineName).waitForDisplayed({ timeout: 20_000 });
  });

  after(async () => {
    await app?.close();
    try { execFileSync('secret-tool', ['clear', 'service', 'Berth pipeline variable'], { stdio: 'ignore' }); } catch { /* none kept */ }
    fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a dropped folder\'s pipeline and the graph goes green', () => app.guard('pipeline-run', async () => {
    await dropOnWindow(app.browser, folder);
    await app.byTestId(TestId.projectPanel, `[data-folder="${folder}"]`).waitForDisplayed({ timeout: 10_000 });
    // The folder has nothing else Berth acts on: its one action shows without tabs.
    assert.equal(await app.byTestId(TestId.projectAction('pipeline')).isExisting(), false);
    await app.byTestId(TestId.projectPanel).$(sel(TestId.pipelineRun)).click();
    await app.byTestId(TestId.pipelinesView).waitForDisplayed({ timeout: 15_000 });
    await status().waitForExist({ timeout: 15_000 });
    const stages = await app.browser.$$(sel(TestId.pipelineStage)).map((s) => s.getAttribute('data-name'));
    assert.deepEqual(stages, ['build', 'test']);
    assert.equal(await app.byTestId(TestId.pipelineEdge).getAttribute('data-to'), 'test');
    await waitFor(async () => (await job('build').getAttribute('data-status')) === 'running', { timeout: 60_000, message: 'build to run' });
    assert.ok(await app.byTestId(TestId.pipelineCancel).isDisplayed(), 'Cancel shows while the run goes on');
    await app.screenshot('pipeline-running');
    await waitForRunEnd('the run to end');
    assert.equal(await status().getAttribute('data-status'), 'success', await app.byTestId(TestId.pipelineGraph).getText());
    for (const name of ['build', 'test']) assert.equal(await job(name).getAttribute('data-status'), 'success', name);
    assert.equal(await job('lint').getAttribute('data-status'), 'failed');
    assert.equal(await job('lint').getAttribute('data-allowed-failure'), 'true');
    assert.equal(await job('nightly').getAttribute('data-status'), 'skipped');
    assert.equal(await app.byTestId(TestId.pipelineCancel).isExisting(), false);
    await app.screenshot('pipeline-finished');
    // The run left nothing on the engine (found by the executor's run id, which its kept
    // summary names: other processes may run pipelines on the same engine).
    const summaries = fs.readdirSync(dataDir, { recursive: true }).filter((f) => f.endsWith('summary.json'));
    assert.equal(summaries.length, 1, 'one kept run');
    const engineRun = JSON.parse(fs.readFileSync(path.join(dataDir, summaries[0]), 'utf8')).id;
    for (const kind of ['ps', 'network']) {
      const args = kind === 'ps' ? ['ps', '-aq'] : ['network', 'ls', '-q'];
      assert.equal(docker(...args, '--filter', `label=dev.berth.pipeline=${engineRun}`), '', `${kind} of run ${engineRun}`);
    }
  }));

  it('shows a job\'s log with its section, and its artifacts', () => app.guard('pipeline-log', async () => {
    await openJob('build');
    await waitFor(async () => /compiled ok/.test(await logText()), { timeout: 10_000, message: 'the build log' });
    const section = app.byTestId(TestId.jobSection, '[data-name="compile"]');
    assert.equal(await section.getAttribute('data-collapsed'), 'false');
    await app.screenshot('pipeline-job-log');
    await section.click();
    await waitFor(async () => !/compiled ok/.test(await logText()), { message: 'the section to fold' });
    await app.byTestId(TestId.artifactRow, '[data-path="out/app.txt"]').waitForDisplayed({ timeout: 10_000 });
    await openJob('test');
    await waitFor(async () => /built [0-9a-f]{8}/.test(await logText()), { timeout: 10_000, message: 'the artifact read by test' });
  }));

  it('says why a job failed and why a job did not run', () => app.guard('pipeline-reasons', async () => {
    await openJob('lint');
    assert.match(await app.byTestId(TestId.jobReason).getText(), /allowed to fail: the script exited with code 3/);
    await openJob('nightly');
    assert.match(await app.byTestId(TestId.jobReason).getText(), /None of its rules matched/);
  }));

  it('re-runs one job with its need\'s artifacts', () => app.guard('pipeline-rerun', async () => {
    await openJob('test');
    await app.byTestId(TestId.jobRerun).click();
    await waitFor(async () => (await app.browser.$$(sel(TestId.runHistoryRow))).length === 2, { timeout: 15_000, message: 'a second run' });
    await waitForRunEnd('the re-run to end');
    assert.equal(await status().getAttribute('data-status'), 'success');
    assert.equal(await job('build').getAttribute('data-status'), 'success', 'kept from the first run');
    await waitFor(async () => /built [0-9a-f]{8}/.test(await logText()), { timeout: 10_000, message: 'the re-run log' });
  }));

  it('runs with a masked variable that no log or file shows', () => app.guard('pipeline-masked', async () => {
    await app.byTestId(TestId.pipelineRunWithVariables).click();
    await app.byTestId(TestId.variablesDialog).waitForDisplayed();
    await app.byTestId(TestId.variableAdd).click();
    const row = app.byTestId(TestId.variableRow);
    await row.$('input[name="name"]').setValue('SECRET');
    await row.$('input[name="masked"]').click();
    await row.$('input[name="value"]').setValue(SECRET);
    await app.byTestId(TestId.variablesSubmit).click();
    await waitFor(async () => (await app.browser.$$(sel(TestId.runHistoryRow))).length === 3, { timeout: 15_000, message: 'a third run' });
    await waitForRunEnd('the run with variables to end');
    await openJob('test');
    await waitFor(async () => /the secret is \[MASKED\]/.test(await logText()), { timeout: 10_000, message: 'the masked line' });
    assert.ok(!(await logText()).includes(SECRET));
    const kept = fs.readdirSync(dataDir, { recursive: true }).map((f) => path.join(dataDir, f))
      .filter((f) => fs.statSync(f).isFile() && fs.readFileSync(f).includes(SECRET));
    assert.deepEqual(kept, [], 'no file in Berth\'s data holds the secret');
  }));
});
