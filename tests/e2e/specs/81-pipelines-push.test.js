// The seeds' flow: a pipeline whose build job runs `docker build`, whose test job runs the image
// and whose deploy job pushes it to the test registry, with CI_REGISTRY* from a login made in
// Berth (password from the keychain, masked in logs). Jobs reach the engine through the host
// socket (the project's engine access, chosen in the run dialog); the image is pulled afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestId } from '../../../ui/src/lib/testIds.js';
import { launchApp } from '../support/app.js';
import { docker } from '../support/docker.js';
import { dropOnWindow } from '../support/drop.js';
import { runId, testLabel, TEST_IMAGE } from '../support/env.js';
import { waitFor } from '../support/wait.js';
import { RegistriesPage } from '../pages/BerthWindow.js';

const sel = (id) => `[data-testid="${id}"]`;
const registry = `127.0.0.1:${process.env.BERTH_REGISTRY_PORT ?? 5000}`;
const [user, secret] = ['berth', 'berth-test-secret']; // scripts/registry.sh
const PIPELINE = `stages: [build, test, deploy]
default:
  image: { name: berth-test/dind, entrypoint: [""] }
build:
  stage: build
  script:
    - docker build --label ${testLabel} -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .
test:
  stage: test
  script:
    - docker run --rm --label ${testLabel} "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" cat /hello.txt
deploy:
  stage: deploy
  script:
    - echo "logging in as $CI_REGISTRY_USER with $CI_REGISTRY_PASSWORD"
    - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA"
`;

const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('pipelines: build, test and push to a registry', () => {
  let app, home, folder, image;
  const status = () => app.byTestId(TestId.pipelineStatus);
  const logText = async () => (await app.browser.$$(sel(TestId.logLine)).map((l) => l.getText())).join('\n');
  const cli = (...args) => spawnSync('docker', ['--config', path.join(home, 'pull'), ...args], { encoding: 'utf8' });

  before(async () => {
    docker('image', 'inspect', 'berth-test/dind'); // scripts/ci-images.sh
    home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'berth-e2e-push-')));
    // The app's docker config, config and data apart from the user's (and other specs').
    process.env.DOCKER_CONFIG = path.join(home, 'docker');
    process.env.XDG_CONFIG_HOME = path.join(home, 'config');
    process.env.BERTH_DATA_DIR = path.join(home, 'data');
    fs.mkdirSync(process.env.DOCKER_CONFIG);
    folder = path.join(home, 'seeds');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\n`);
    fs.writeFileSync(path.join(folder, 'hello.txt'), `hello from ${runId}\n`);
    fs.writeFileSync(path.join(folder, '.gitlab-ci.yml'), PIPELINE);
    git(folder, 'init', '-q', '-b', 'main');
    git(folder, 'add', '.');
    git(folder, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'init');
    git(folder, 'remote', 'add', 'origin', `https://gitlab.example.com/e2e-${runId}/seeds.git`);
    image = `${registry}/e2e-${runId}/seeds:${git(folder, 'rev-parse', '--short=8', 'HEAD')}`;
    app = await launchApp();
    await app.byTestId(TestId.engineName).waitForDisplayed({ timeout: 20_000 });
  });

  after(async () => {
    await app?.close();
    spawnSync('secret-tool', ['clear', 'service', 'Berth registry login', 'username', registry]);
    spawnSync('docker-credential-secretservice', ['erase'], { input: registry });
    try { docker('rmi', '-f', image); } catch { /* not built */ }
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('pushes the image the pipeline built and tested, with the password masked', () => app.guard('pipeline-push', async () => {
    const registries = new RegistriesPage(app);
    await registries.open();
    await registries.fillLogin({ preset: 'custom', host: registry, username: user, secret });
    await registries.submitLogin();
    await registries.waitForRow(registry);

    await dropOnWindow(app.browser, folder);
    await app.byTestId(TestId.projectPanel, `[data-folder="${folder}"]`).waitForDisplayed({ timeout: 10_000 });
    await app.byTestId(TestId.projectAction('pipeline')).click();
    await app.byTestId(TestId.pipelineShow).click();
    await app.byTestId(TestId.pipelinesView).waitForDisplayed({ timeout: 15_000 });
    await app.byTestId(TestId.pipelineRunWithVariables).click();
    await app.byTestId(TestId.variablesDialog).waitForDisplayed();
    await app.byTestId(TestId.variablesAccess('socket')).click();
    const choice = app.byTestId(TestId.variablesRegistry);
    await waitFor(async () => (await choice.$$('option').map((o) => o.getValue())).includes(registry), { message: 'the Berth login in the list' });
    await choice.selectByAttribute('value', registry);
    await app.byTestId(TestId.variablesSubmit).click();

    await status().waitForExist({ timeout: 15_000 });
    await waitFor(async () => (await status().getAttribute('data-status')) !== 'running', { timeout: 300_000, message: 'the run to end' });
    await app.screenshot('pipeline-push-finished');
    assert.equal(await status().getAttribute('data-status'), 'success', await app.byTestId(TestId.pipelineGraph).getText());

    await app.browser.$(`${sel(TestId.pipelineJob)}[data-name="deploy"] button`).click();
    await waitFor(async () => /logging in as berth with \[MASKED\]/.test(await logText()), { timeout: 10_000, message: 'the masked password line' });
    assert.ok(!(await logText()).includes(secret), 'the password shows nowhere in the log');

    // The image is in the registry: a client of its own pulls it.
    docker('rmi', '-f', image);
    fs.mkdirSync(path.join(home, 'pull'));
    const login = spawnSync('docker', ['--config', path.join(home, 'pull'), 'login', '-u', user, '--password-stdin', registry], { input: secret, encoding: 'utf8' });
    assert.equal(login.status, 0, login.stderr);
    const pull = cli('pull', image);
    assert.equal(pull.status, 0, pull.stderr);
    assert.equal(docker('run', '--rm', '--label', testLabel, image, 'cat', '/hello.txt'), `hello from ${runId}`);
  }));
});
