import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { mockProject } from '../ipc/mockData';
import type { BuildEvent, BuildStep } from '../ipc/types';
import { TestId } from '../testIds.js';
import { BuildRun } from './buildRun.svelte';
import { formatDuration, splitTags } from './form';

/** The app rendered, once it listens for drops (after its first paint). */
async function setup() {
  const backend = new MockBackend();
  render(App, { props: { deps: createDeps(backend) } });
  await waitFor(() => expect(backend.listensForDrops).toBe(true));
  return backend;
}

const step = (id: string, state: BuildStep['state'], extra: Partial<BuildStep> = {}): BuildEvent => ({
  kind: 'step', step: { id, name: `[2/3] RUN ${id}`, line: 3, state, internal: false, startedMs: 0, durationMs: null, ...extra },
});

describe('build', () => {
  it('opens a dropped folder in the Build view with the form pre-filled from the plan', async () => {
    const backend = await setup();
    backend.emitDrop({ type: 'over' });
    expect(await screen.findByTestId(TestId.dropOverlay)).toBeTruthy();
    backend.emitDrop({ type: 'drop', paths: [mockProject.folder] });
    const panel = await screen.findByTestId(TestId.projectPanel);
    expect(panel.dataset.folder).toBe(mockProject.folder);
    expect(screen.queryByTestId(TestId.dropOverlay)).toBeNull();
    await waitFor(() => expect((screen.getByTestId(TestId.buildField('tags')) as HTMLInputElement).value).toBe('shop'));
    const args = screen.getAllByTestId(TestId.buildField('arg')).map((a) => a.dataset.name);
    expect(args).toEqual(['NODE_VERSION', 'API_URL']);
    const targets = [...(screen.getByTestId(TestId.buildField('target')) as HTMLSelectElement).options].map((o) => o.value);
    expect(targets).toEqual(['', 'deps', 'runtime']);
    expect(screen.getByTestId(TestId.buildContext).textContent).toMatch(/312 files · 4\.6 MiB/);
  });

  it('says so when a file is dropped', async () => {
    const backend = await setup();
    backend.emitDrop({ type: 'drop', paths: ['/home/dev/notes.txt'] });
    await fireEvent.click(screen.getByTestId(TestId.nav('build')));
    expect((await screen.findByTestId(TestId.projectError)).textContent).toMatch(/is a file/);
  });

  it('builds with the form values and shows steps, then the result with Run', async () => {
    const backend = await setup();
    backend.emitDrop({ type: 'drop', paths: [mockProject.folder] });
    await screen.findByTestId(TestId.projectPanel);
    await waitFor(() => expect((screen.getByTestId(TestId.buildSubmit) as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId(TestId.buildField('noCache')));
    await fireEvent.click(screen.getByTestId(TestId.buildSubmit));
    await waitFor(() => expect(backend.builds.size).toBe(1));
    const [{ request, onEvent }] = [...backend.builds.values()];
    expect(request).toMatchObject({ folder: mockProject.folder, dockerfile: 'Dockerfile', tags: ['shop'], noCache: true, args: { NODE_VERSION: '20' } });

    onEvent({ kind: 'started', builder: 'buildKit', note: null, context: { files: 1, bytes: 10, excludedFiles: 0, ignoreFile: null } });
    onEvent(step('a', 'running'));
    onEvent({ kind: 'log', stepId: 'a', lines: ['compiling…'] });
    const live = await screen.findByTestId(TestId.buildLive);
    await waitFor(() => expect(screen.getByTestId(TestId.buildLog).textContent).toBe('compiling…'));
    onEvent(step('a', 'done', { durationMs: 1200 }));
    onEvent({ kind: 'done', result: { imageId: 'sha256:abcdef0123456789', tags: ['shop:latest'], exposedPorts: ['3000/tcp'], builder: 'buildKit', durationMs: 1500 } });
    await waitFor(() => expect(live.dataset.phase).toBe('done'));
    await fireEvent.click(screen.getByTestId(TestId.buildRun));
    const dialog = await screen.findByTestId(TestId.runDialog);
    expect((dialog.querySelector(`[data-testid="${TestId.runField('image')}"]`) as HTMLInputElement).value).toBe('shop:latest');
    expect((dialog.querySelector(`[data-testid="${TestId.runField('ports')}"]`) as HTMLTextAreaElement).value).toBe('3000');
  });

  it('cancels through the subscription', async () => {
    const backend = await setup();
    backend.emitDrop({ type: 'drop', paths: [mockProject.folder] });
    await screen.findByTestId(TestId.projectPanel);
    await waitFor(() => expect((screen.getByTestId(TestId.buildSubmit) as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId(TestId.buildSubmit));
    await waitFor(() => expect(backend.builds.size).toBe(1));
    await fireEvent.click(await screen.findByTestId(TestId.buildCancel));
    await waitFor(() => expect(screen.getByTestId(TestId.buildLive).dataset.phase).toBe('cancelled'));
    expect(backend.calls.some((c) => c.command === 'subscription_cancel')).toBe(true);
  });
});

describe('starter', () => {
  it('offers a starter for a folder without a Dockerfile, writes it after review, then offers Build', async () => {
    const backend = await setup();
    const folder = '/home/dev/api';
    backend.projects.set(folder, { folder, name: 'api', dockerfiles: [], composeFiles: [], pipeline: null, language: 'go' });
    backend.emitDrop({ type: 'drop', paths: [folder] });
    const text = (await screen.findByTestId(TestId.starterText)) as HTMLTextAreaElement;
    await waitFor(() => expect(text.value).toBe('FROM go\n'));
    await fireEvent.input(text, { target: { value: 'FROM golang:1\n' } });
    await fireEvent.click(screen.getByTestId(TestId.starterWrite));
    await screen.findByTestId(TestId.buildSubmit);
    const write = backend.calls.find((c) => c.command === 'starter_write');
    expect(write?.args[1]).toMatchObject({ language: 'go', dockerfile: 'FROM golang:1\n' });
  });
});

describe('BuildRun', () => {
  it('folds steps, focuses the failed one and counts progress without internals', () => {
    const run = new BuildRun(new MockBackend(), {} as never);
    run.apply({ kind: 'step', step: { id: 'i', name: '[internal] load', line: null, state: 'done', internal: true, startedMs: 0, durationMs: 1 } });
    run.apply(step('a', 'done'));
    run.apply(step('b', 'running'));
    expect(run.progress).toEqual({ done: 1, total: 2 });
    expect(run.focus).toBe('b');
    run.apply(step('b', 'failed'));
    run.apply({ kind: 'failed', error: { code: 'BuildFailed', message: 'x', detail: '', field: null }, stepId: 'b', line: 3, output: ['boom'] });
    expect(run.phase).toBe('failed');
    expect(run.focus).toBe('b');
  });

  it('formats tags and durations', () => {
    expect(splitTags(' a:1, b  a:1 ')).toEqual(['a:1', 'b']);
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(65_000)).toBe('1m 05s');
  });
});
