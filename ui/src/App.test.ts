import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { createDeps } from './lib/bootstrap/deps';
import { MockBackend, type MockOptions } from './lib/ipc/mock';
import { mockCandidates, mockEngine } from './lib/ipc/mockData';
import { TestId } from './lib/testIds.js';

let backend: MockBackend;

function renderApp(options: MockOptions = {}) {
  backend = new MockBackend(options);
  const deps = createDeps(backend);
  render(App, { props: { deps } });
  return deps;
}

const row = (name: string) => document.querySelector<HTMLElement>(`[data-testid="${TestId.containerRow}"][data-name="${name}"]`);

afterEach(() => backend?.failures.clear());

describe('App with the mock backend', () => {
  it('renders a row per container with data-name and data-state', async () => {
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow)).toHaveLength(8));
    expect(row('shop-web-1')?.dataset.state).toBe('running');
    expect(row('shop-cache-1')?.dataset.state).toBe('paused');
    expect(row('dev-sandbox')?.dataset.state).toBe('exited');
    expect(screen.getByTestId(TestId.engineName).textContent).toContain('Docker Engine');
  });

  it('asks for the status and the list once, then only listens (no polling, no effect loop)', async () => {
    renderApp();
    await waitFor(() => expect(row('grafana')).not.toBeNull());
    await new Promise((r) => setTimeout(r, 300));
    const count = (command: string) => backend.calls.filter((c) => c.command === command).length;
    expect(count('engine_status')).toBe(1);
    expect(count('container_list')).toBe(1);
  });

  it('filters rows by text and by state', async () => {
    renderApp();
    await waitFor(() => expect(row('grafana')).not.toBeNull());
    await fireEvent.input(screen.getByTestId(TestId.containerFilter), { target: { value: 'postgres' } });
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow).map((r) => r.dataset.name)).toEqual(['shop-db-1']));
    await fireEvent.input(screen.getByTestId(TestId.containerFilter), { target: { value: '' } });
    await fireEvent.change(screen.getByTestId(TestId.containerStateFilter), { target: { value: 'stopped' } });
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow).every((r) => r.dataset.state === 'exited')).toBe(true));
  });

  it('asks for confirmation before removing, and force-removes a running container', async () => {
    renderApp();
    await waitFor(() => expect(row('grafana')).not.toBeNull());
    await fireEvent.click(await within(row('grafana')!).findByTestId(TestId.action('remove')));
    const dialog = await screen.findByTestId(TestId.confirmDialog);
    expect(dialog.textContent).toMatch(/force-removed/);
    expect(backend.calls.some((c) => c.command === 'container_remove')).toBe(false);

    await fireEvent.click(screen.getByTestId(TestId.confirmCancel));
    expect(screen.queryByTestId(TestId.confirmDialog)).toBeNull();
    expect(backend.calls.some((c) => c.command === 'container_remove')).toBe(false);

    const id = backend.byName('grafana').id;
    await fireEvent.click(await within(row('grafana')!).findByTestId(TestId.action('remove')));
    await fireEvent.click(await screen.findByTestId(TestId.confirmOk));
    await waitFor(() => expect(row('grafana')).toBeNull());
    expect(backend.calls.find((c) => c.command === 'container_remove')?.args).toEqual([[id], true]);
  });

  it('runs a bulk action and reports per-container failures as sentences', async () => {
    renderApp();
    await waitFor(() => expect(row('dev-sandbox')).not.toBeNull());
    backend.failures.set(backend.byName('db-migrate').id, 'The image ghcr.io/acme/migrate:1.3 is missing.');
    await fireEvent.click(within(row('dev-sandbox')!).getByTestId(TestId.rowCheckbox));
    await fireEvent.click(within(row('db-migrate')!).getByTestId(TestId.rowCheckbox));
    const bar = await screen.findByTestId(TestId.bulkActions);
    await fireEvent.click(within(bar).getByTestId(TestId.action('start')));
    const toasts = await screen.findAllByTestId(TestId.toast);
    const texts = toasts.map((t) => t.textContent ?? '');
    expect(texts.some((t) => t.includes('Could not start db-migrate: The image ghcr.io/acme/migrate:1.3 is missing.'))).toBe(true);
    expect(texts.join(' ')).not.toMatch(/"code"|\{/);
    await waitFor(() => expect(row('dev-sandbox')?.dataset.state).toBe('running'));
  });

  it('shows About with versions and engine, copies the diagnostics and opens the log folder', async () => {
    renderApp();
    await waitFor(() => expect(row('grafana')).not.toBeNull());
    await fireEvent.click(screen.getByTestId(TestId.aboutOpen));
    const text = (await screen.findByTestId(TestId.aboutDiagnostics)).textContent ?? '';
    expect(text).toContain('Berth 0.1.0');
    expect(text).toContain(`Engine: ${mockEngine.product} ${mockEngine.version}`);
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t: string) => void copied.push(t) }, configurable: true });
    await fireEvent.click(screen.getByTestId(TestId.aboutCopy));
    await waitFor(() => expect(copied).toEqual([text]));
    await fireEvent.click(screen.getByTestId(TestId.aboutLogFolder));
    await waitFor(() => expect(backend.calls.some((c) => c.command === 'app_open_log_folder')).toBe(true));
  });

  it('shows the engine-down screen with every endpoint tried, and recovers by itself', async () => {
    const tried = mockCandidates.map((c) => ({ ...c, error: c.error ?? 'Connection refused.' }));
    renderApp({ status: { type: 'disconnected', reason: 'No engine answered.', tried, lost: mockEngine } });
    const down = await screen.findByTestId(TestId.engineDown);
    expect(down.textContent).toContain('Lost connection to Docker Engine');
    expect(down.textContent).toContain('No engine answered.');
    for (const c of tried) {
      expect(down.textContent).toContain(c.host);
      expect(down.textContent).toContain(c.error);
    }
    expect(down.textContent).toMatch(/reconnects by itself/);
    // This OS's guidance and buttons come from core; a cancelled polkit prompt is a sentence.
    const help = await screen.findByTestId(TestId.engineHelp);
    expect(help.dataset.os).toBe('linux');
    expect(help.textContent).toContain('sudo systemctl start docker');
    await fireEvent.click(screen.getByTestId(TestId.engineHelpAction('startDockerService')));
    expect((await screen.findByTestId(TestId.engineHelpOutcome)).textContent).toContain('cancelled or not allowed');
    expect(backend.calls.some((c) => c.command === 'engine_help_act' && c.args[0] === 'startDockerService')).toBe(true);

    backend.setStatus({ type: 'connected', engine: mockEngine });
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow).length).toBeGreaterThan(0));
    expect(screen.queryByTestId(TestId.engineDown)).toBeNull();
  });

  it('run dialog shows client-side errors inline and server field errors on the field', async () => {
    renderApp();
    await fireEvent.click(await screen.findByTestId(TestId.runOpen));
    const dialog = await screen.findByTestId(TestId.runDialog);
    await fireEvent.input(within(dialog).getByTestId(TestId.runField('image')), { target: { value: 'nginx:1.27-alpine' } });
    await fireEvent.input(within(dialog).getByTestId(TestId.runField('ports')), { target: { value: '70000:80' } });
    await fireEvent.click(within(dialog).getByTestId(TestId.runSubmit));
    expect((await screen.findByTestId(TestId.fieldError('ports'))).textContent).toMatch(/out of range/);
    expect(backend.calls.some((c) => c.command === 'container_run')).toBe(false);

    await fireEvent.input(within(dialog).getByTestId(TestId.runField('ports')), { target: { value: '8080:80' } });
    await fireEvent.input(within(dialog).getByTestId(TestId.runField('image')), { target: { value: 'nosuch:latest' } });
    await fireEvent.click(within(dialog).getByTestId(TestId.runSubmit));
    expect((await screen.findByTestId(TestId.fieldError('image'))).textContent).toMatch(/not available locally/);
    expect(screen.queryByTestId(TestId.fieldError('ports'))).toBeNull();
  });

  it('run dialog starts a container, closes and selects it', async () => {
    renderApp();
    await fireEvent.click(await screen.findByTestId(TestId.runOpen));
    const dialog = await screen.findByTestId(TestId.runDialog);
    await fireEvent.input(within(dialog).getByTestId(TestId.runField('image')), { target: { value: 'alpine:3.20' } });
    await fireEvent.input(within(dialog).getByTestId(TestId.runField('name')), { target: { value: 'scratchpad' } });
    await fireEvent.click(within(dialog).getByTestId(TestId.runSubmit));
    await waitFor(() => expect(screen.queryByTestId(TestId.runDialog)).toBeNull());
    expect(row('scratchpad')?.dataset.state).toBe('running');
    const details = await screen.findByTestId(TestId.details);
    expect(details.textContent).toContain('scratchpad');
  });

  it('Escape closes the run dialog', async () => {
    renderApp();
    await fireEvent.click(await screen.findByTestId(TestId.runOpen));
    const dialog = await screen.findByTestId(TestId.runDialog);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByTestId(TestId.runDialog)).toBeNull();
  });
});

describe('details pane', () => {
  it('opens on row click, streams logs, and cancels the subscription when closed', async () => {
    renderApp();
    await waitFor(() => expect(row('db-migrate')).not.toBeNull());
    await fireEvent.click(row('db-migrate')!);
    const details = await screen.findByTestId(TestId.details);
    await waitFor(() => expect(within(details).getAllByTestId(TestId.logLine).length).toBeGreaterThan(0), { timeout: 2000 });
    expect(within(details).getByText(/container exited/)).toBeTruthy();
    expect(within(details).getByTestId(TestId.tab('terminal')).hasAttribute('disabled')).toBe(true);
    expect(backend.activeLogSubscriptions).toHaveLength(1);

    await fireEvent.click(within(details).getByTestId(TestId.tab('inspect')));
    await waitFor(() => expect(details.textContent).toContain('"Name": "/db-migrate"'));

    await fireEvent.click(within(details).getByLabelText('Close details'));
    expect(screen.queryByTestId(TestId.details)).toBeNull();
    await waitFor(() => expect(backend.activeLogSubscriptions).toHaveLength(0));
  });
});

describe('engine switcher', () => {
  it('lists candidates, greys out unreachable ones with their error', async () => {
    renderApp();
    await fireEvent.click(await screen.findByTestId(TestId.engineSwitcher));
    const menu = await screen.findByRole('menu');
    await waitFor(() => expect(within(menu).getAllByRole('menuitem')).toHaveLength(mockCandidates.length));
    const items = within(menu).getAllByRole('menuitem');
    const podman = items.find((i) => i.textContent?.includes('Podman (rootless)'))!;
    expect(podman.hasAttribute('disabled')).toBe(true);
    expect(podman.textContent).toContain('Connection refused');
    await fireEvent.click(items.find((i) => i.textContent?.includes('Docker Engine'))!);
    await waitFor(() => expect(backend.calls.some((c) => c.command === 'engine_select')).toBe(true));
  });
});
