import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { mockProject } from '../ipc/mockData';
import { TestId } from '../testIds.js';
import { JobLog } from './jobLog.svelte';
import { reasonText } from './pipelines.svelte';

const enc = (s: string) => new TextEncoder().encode(s);

/** The app rendered, once it listens for drops (after its first paint). */
async function setup() {
  const backend = new MockBackend();
  render(App, { props: { deps: createDeps(backend) } });
  await waitFor(() => expect(backend.listensForDrops).toBe(true));
  return backend;
}

/** Drop the shop folder, open its Pipeline tab and run it from there. */
async function runFromProject(backend: MockBackend) {
  backend.emitDrop({ type: 'drop', paths: [mockProject.folder] });
  await screen.findByTestId(TestId.projectPanel);
  await fireEvent.click(screen.getByTestId(TestId.projectAction('pipeline')));
  await fireEvent.click(screen.getByTestId(TestId.pipelineRun));
  // The view is loaded on first use (a dynamic import: slow the first time under vitest).
  await screen.findByTestId(TestId.pipelinesView, {}, { timeout: 15_000 });
  await waitFor(() => expect(backend.pipelineRuns.length).toBe(1));
}

const card = (name: string) => screen.getAllByTestId(TestId.pipelineJob).find((e) => e.dataset.name === name)!;

describe('job log', () => {
  it('folds GitLab sections, keeps a character split across chunks and ends a last line without newline', () => {
    const log = new JobLog();
    log.push(enc('\x1b[0Ksection_start:100:prepare[collapsed=true]\r\x1b[0KPreparing\nstep one\nsection_end:103:prepare\r\x1b[0K\n'));
    const euro = enc('price 5€');
    log.push(euro.slice(0, euro.length - 1));
    log.push(euro.slice(euro.length - 1));
    log.end();
    expect(log.lines.map((l) => l.plain)).toEqual(['Preparing', 'step one', 'price 5€']);
    expect(log.sections[0]).toMatchObject({ name: 'prepare', collapsed: true, secs: 3 });
    expect(log.visible().map((l) => l.plain)).toEqual(['Preparing', 'price 5€']);
    log.toggle(0);
    expect(log.visible()).toHaveLength(3);
  });

  it('says which rule kept a job out', () => {
    expect(reasonText({ type: 'rule', index: 0, line: 12, text: 'if: $X' })).toBe('Rule 1 (line 12) matched: if: $X');
    expect(reasonText({ type: 'unsupported', text: 'trigger: downstream pipelines' })).toMatch(/^Not available in a local run: trigger/);
  });
});

describe('pipelines view', { timeout: 30_000 }, () => {
  it('runs a dropped folder\'s pipeline and shows live states, needs edges, logs and the outcome', async () => {
    const backend = await setup();
    await runFromProject(backend);
    expect(backend.pipelineRuns[0].request).toMatchObject({ folder: mockProject.folder, only: null, previous: null });
    // The saved masked variable is sent without a value: the backend reads the keychain.
    expect(backend.pipelineRuns[0].request.variables).toEqual([{ name: 'TOKEN', value: null, masked: true }]);
    const stages = screen.getAllByTestId(TestId.pipelineStage).map((s) => s.dataset.name);
    expect(stages).toEqual(['build', 'test', 'deploy']);
    expect(card('nightly').dataset.status).toBe('skipped');
    expect(card('deploy').dataset.status).toBe('manual');
    expect(screen.getByTestId(TestId.pipelineCancel)).toBeTruthy();

    backend.emitPipeline({ type: 'status', job: 'compile', status: 'running', allowed_failure: false, reason: null });
    backend.emitPipeline({ type: 'log', job: 'compile', stream: 'stdout', bytes: [...enc('\x1b[32;1m$ make\x1b[0;m\nbuilt\n')] });
    await waitFor(() => expect(card('compile').dataset.status).toBe('running'));
    await fireEvent.click(within(card('compile')).getByRole('button'));
    await waitFor(() => expect(screen.getAllByTestId(TestId.logLine).map((l) => l.textContent)).toEqual(['$ make', 'built']));

    backend.emitPipeline({ type: 'status', job: 'compile', status: 'success', allowed_failure: false, reason: null });
    backend.emitPipeline({ type: 'status', job: 'unit', status: 'failed', allowed_failure: false, reason: 'the script exited with code 1' });
    backend.emitPipeline({ type: 'status', job: 'lint', status: 'failed', allowed_failure: true, reason: 'the script exited with code 2' });
    backend.emitPipeline({ type: 'finished', status: 'failed' });
    await waitFor(() => expect(screen.getByTestId(TestId.pipelineStatus).dataset.status).toBe('failed'));
    expect(card('lint').dataset.allowedFailure).toBe('true');
    expect(screen.queryByTestId(TestId.pipelineCancel)).toBeNull();
    await waitFor(() => expect(screen.getByTestId(TestId.pipelineEdge).dataset.to).toBe('unit'));

    await fireEvent.click(within(card('unit')).getByRole('button'));
    expect((await screen.findByTestId(TestId.jobReason)).textContent).toMatch(/Failed: the script exited with code 1/);
    await fireEvent.click(screen.getByTestId(TestId.jobRerun));
    await waitFor(() => expect(backend.pipelineRuns.length).toBe(2));
    expect(backend.pipelineRuns[1].request).toMatchObject({ only: ['unit'], previous: backend.pipelineRuns[0].id });
    // A re-run keeps the other jobs' outcomes on screen.
    expect(card('compile').dataset.status).toBe('success');
    expect((await screen.findAllByTestId(TestId.runHistoryRow)).length).toBe(2);
  });

  it('shows why a job will not run, and plays a manual job', async () => {
    const backend = await setup();
    await runFromProject(backend);
    await fireEvent.click(within(card('nightly')).getByRole('button'));
    expect((await screen.findByTestId(TestId.jobReason)).textContent).toMatch(/Rule 1 \(line 12\) matched: if: \$CI_PIPELINE_SOURCE == "schedule"/);
    const play = screen.getAllByTestId(TestId.pipelinePlay).find((b) => b.dataset.name === 'deploy')!;
    await fireEvent.click(play);
    await waitFor(() => expect(backend.calls.some((c) => c.command === 'pipeline_play' && (c.args as string[])[1] === 'deploy')).toBe(true));
  });

  it('asks once for Docker-in-Docker, keeps the answer and runs', async () => {
    const backend = await setup();
    const view = backend.pipelines.get(mockProject.folder)!;
    view.pipeline.jobs[0].services = [{ image: { name: 'docker:dind', entrypoint: null, pullPolicy: [], user: null }, aliases: [], command: null, variables: [] }];
    await fireEvent.click(screen.getByTestId(TestId.nav('pipelines')));
    const recent = await screen.findAllByTestId(TestId.pipelineRecent, {}, { timeout: 15_000 });
    await fireEvent.click(recent.find((r) => r.dataset.folder === mockProject.folder)!);
    await fireEvent.click(await screen.findByTestId(TestId.pipelineRun));
    const dialog = await screen.findByTestId(TestId.consentDialog);
    expect(dialog.textContent).toMatch(/privileged Docker-in-Docker service \(docker:dind\)/);
    expect(backend.pipelineRuns.length).toBe(0);
    await fireEvent.click(screen.getByTestId(TestId.consentAnswer('privileged')));
    await waitFor(() => expect(backend.pipelineRuns.length).toBe(1));
    expect(view.settings.privilegedServices).toBe(true);
    expect(screen.queryByTestId(TestId.consentDialog)).toBeNull();
  });

  it('runs with variables and engine access from the dialog: a masked value is never sent back', async () => {
    const backend = await setup();
    await fireEvent.click(screen.getByTestId(TestId.nav('pipelines')));
    const recent = await screen.findAllByTestId(TestId.pipelineRecent, {}, { timeout: 15_000 });
    await fireEvent.click(recent.find((r) => r.dataset.folder === mockProject.folder)!);
    await fireEvent.click(await screen.findByTestId(TestId.pipelineRunWithVariables));
    await screen.findByTestId(TestId.variablesDialog);
    await fireEvent.click(screen.getByTestId(TestId.variableAdd));
    const row = screen.getAllByTestId(TestId.variableRow)[1];
    await fireEvent.input(row.querySelector('input[name="name"]')!, { target: { value: 'GREETING' } });
    await fireEvent.input(row.querySelector('input[name="value"]')!, { target: { value: 'hello' } });
    await fireEvent.click(screen.getByTestId(TestId.variablesAccess('socket')));
    await fireEvent.click(screen.getByTestId(TestId.variablesSubmit));
    await waitFor(() => expect(backend.pipelineRuns.length).toBe(1));
    // The engine access is kept for the project before the run starts.
    expect(backend.calls.find((c) => c.command === 'pipeline_consent')?.args).toEqual([mockProject.folder, false, true]);
    expect(backend.pipelineRuns[0].request.variables).toEqual([
      { name: 'TOKEN', value: null, masked: true },
      { name: 'GREETING', value: 'hello', masked: false },
    ]);
  });

  it('shows why the file does not load', async () => {
    const backend = await setup();
    await fireEvent.click(screen.getByTestId(TestId.nav('pipelines')));
    backend.pipelines.delete(mockProject.folder);
    const recent = await screen.findAllByTestId(TestId.pipelineRecent, {}, { timeout: 15_000 });
    await fireEvent.click(recent.find((r) => r.dataset.folder === mockProject.folder)!);
    expect((await screen.findByTestId(TestId.pipelineError)).textContent).toMatch(/no .gitlab-ci.yml/);
  });
});
