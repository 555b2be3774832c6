import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend, defaultSettings } from '../ipc/mock';
import { mockProject } from '../ipc/mockData';
import type { BuildEvent, Settings, TransferEvent } from '../ipc/types';
import { TestId } from '../testIds.js';
import { SettingsStore } from './settings.svelte';
import { upOptions } from '../stacks/composeTask';

async function renderApp(setup: (b: MockBackend) => void = () => {}) {
  const backend = new MockBackend();
  setup(backend);
  const deps = createDeps(backend);
  await deps.settings.load(); // as main.ts does before the first paint
  render(App, { props: { deps } });
  return { backend, deps };
}

describe('settings', () => {
  it('shows the toggles and saves a change at once', async () => {
    const { backend } = await renderApp();
    await fireEvent.click(screen.getByTestId(TestId.nav('settings')));
    const tray = await screen.findByTestId<HTMLInputElement>(TestId.setting('tray'));
    expect(tray.checked).toBe(false);
    for (const kind of ['build', 'pull', 'push', 'stackUp', 'pipeline', 'containerDied']) {
      expect(screen.getByTestId<HTMLInputElement>(TestId.setting(`notify-${kind}`)).checked).toBe(true);
    }
    await fireEvent.click(tray);
    await waitFor(() => expect(backend.settings.tray).toBe(true));
    await fireEvent.click(screen.getByTestId(TestId.setting('notify-pull')));
    await waitFor(() => expect(backend.settings.notifications?.pull).toBe(false));
    expect(backend.settings.notifications?.build).toBe(true);
  });

  it('applies the theme: dark, light, and the OS choice for "system"', async () => {
    const { backend } = await renderApp((b) => (b.settings = { ...defaultSettings(), theme: 'dark' }));
    expect(document.documentElement.dataset.theme).toBe('dark');
    await fireEvent.click(screen.getByTestId(TestId.nav('settings')));
    await fireEvent.change(await screen.findByTestId(TestId.setting('theme')), { target: { value: 'light' } });
    expect(document.documentElement.dataset.theme).toBe('light');
    await waitFor(() => expect(backend.settings.theme).toBe('light'));
    const root = document.createElement('div');
    const store = new SettingsStore(backend, root);
    backend.settings.theme = 'system';
    await store.load();
    expect(root.dataset.theme).toBe('light'); // jsdom has no dark OS preference
  });

  it('says when the settings file could not be read', async () => {
    await renderApp((b) => (b.settingsProblem = 'Settings file /x/settings.json cannot be read (EOF); Berth uses the defaults.'));
    await fireEvent.click(screen.getByTestId(TestId.nav('settings')));
    expect((await screen.findByTestId(TestId.settingsProblem)).textContent).toContain('uses the defaults');
  });

  it('remembers the last view and starts in it', async () => {
    const { backend } = await renderApp();
    await fireEvent.click(screen.getByTestId(TestId.nav('networks')));
    await waitFor(() => expect(backend.settings.lastView).toBe('networks'));
    document.body.innerHTML = '';
    location.hash = ''; // an earlier test's view link; a fresh start has no address
    await renderApp((b) => (b.settings = { ...defaultSettings(), lastView: 'volumes' }));
    await waitFor(() => expect(screen.getByTestId(TestId.nav('volumes')).getAttribute('aria-current')).toBe('page'));
  });

  it('keeps keys it does not know', async () => {
    const { backend, deps } = await renderApp((b) => (b.settings = { ...defaultSettings(), future: { a: 1 } } as Settings));
    await deps.settings.update({ tray: true });
    expect((backend.settings as Record<string, unknown>).future).toEqual({ a: 1 });
  });
});

describe('launch folder', () => {
  it('opens the folder named on the command line, and one a second launch hands over', async () => {
    const { backend, deps } = await renderApp((b) => (b.launchedWith = mockProject.folder));
    await waitFor(() => expect(deps.projects.current?.folder).toBe(mockProject.folder));
    expect(screen.getByTestId(TestId.nav('build')).getAttribute('aria-current')).toBe('page');
    deps.projects.close();
    await fireEvent.click(screen.getByTestId(TestId.nav('images')));
    backend.emitOpenFolder(mockProject.folder);
    await waitFor(() => expect(deps.projects.current?.folder).toBe(mockProject.folder));
    expect(screen.getByTestId(TestId.nav('build')).getAttribute('aria-current')).toBe('page');
  });
});

describe('notifications of finished work', () => {
  it('reports builds, pulls, pushes and pipeline runs as they end, not cancels', async () => {
    const backend = new MockBackend();
    const deps = createDeps(backend);
    await deps.settings.load();
    const seen: BuildEvent[] = [];
    const { id } = await deps.backend.buildStart(
      { folder: '/src/shop', dockerfile: 'Dockerfile', tags: ['shop:dev'], args: {}, target: null, noCache: false, pull: false, builder: null },
      (e) => seen.push(e),
    );
    backend.builds.get(id)!.onEvent({ kind: 'failed', error: { code: 'BuildFailed', message: 'Step 3 failed.', detail: '', field: null }, stepId: null, line: 3, output: [] });
    expect(seen).toHaveLength(1); // the caller still gets its events
    const pull = await deps.backend.imagePull('busybox:1', () => {});
    const pullSink = backend.transfers.get(pull.id)!;
    pullSink({ type: 'failed', error: { code: 'Cancelled', message: 'Cancelled.', detail: '', field: null } } as TransferEvent);
    pullSink({ type: 'done', reference: 'docker.io/library/busybox:1' });
    const push = await deps.backend.imagePush('shop:dev', 'localhost:5000/shop:dev', () => {});
    backend.transfers.get(push.id)!({ type: 'done', reference: 'localhost:5000/shop:dev' });
    await deps.backend.composeUp('/src/shop', [], upOptions(), () => {});
    const folder = [...backend.pipelines.keys()][0];
    const run = { folder, variables: [], registry: null, only: null, previous: null };
    await deps.backend.pipelineRun(run, () => {});
    backend.emitPipeline({ type: 'finished', status: 'canceled' });
    await deps.backend.pipelineRun(run, () => {});
    backend.emitPipeline({ type: 'finished', status: 'failed' });
    // The stack's done event comes later than the run's finish: order is not the point.
    await waitFor(() => expect(backend.notified).toHaveLength(5));
    expect(backend.notified).toEqual(expect.arrayContaining([
      { kind: 'build', subject: 'shop:dev', failed: true },
      { kind: 'pull', subject: 'docker.io/library/busybox:1', failed: false },
      { kind: 'push', subject: 'localhost:5000/shop:dev', failed: false },
      { kind: 'stackUp', subject: 'Stack shop', failed: false },
      { kind: 'pipeline', subject: `Pipeline ${folder.split('/').pop()}`, failed: true },
    ]));
    // Every other call still reaches the backend itself.
    expect(await deps.backend.imageNames()).toEqual(await backend.imageNames());
  });
});
