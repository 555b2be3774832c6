import { render, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import type { ContainerSummary, EngineStatus, FirstPage } from '../ipc/types';
import { defaultSettings, MockBackend } from '../ipc/mock';
import { mockContainers, mockEngine } from '../ipc/mockData';
import { createDeps } from './deps';
import { FIRST_PAGE_ID, firstScreen, takeFirstPage } from './firstScreen';

/**
 * A DOM as it draws: elements with their attributes sorted (class names too), checkboxes by their
 * state, text with its white space collapsed; no comments, and no test ids, data attributes or
 * `inert` (only the app's own rows are for tests and clicks).
 */
function canonical(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return (node.textContent ?? '').replace(/\s+/g, ' ');
  if (node.nodeType !== Node.ELEMENT_NODE) return '';
  const el = node as Element;
  const attrs = [...el.attributes]
    .filter((a) => !a.name.startsWith('data-') && !['inert', 'checked', 'disabled'].includes(a.name))
    .map((a) => (a.name === 'class' ? `class="${a.value.split(/\s+/).filter(Boolean).sort().join(' ')}"` : `${a.name}="${a.value}"`));
  if (el instanceof HTMLInputElement) attrs.push(`checked=${el.checked}`, `disabled=${el.disabled}`);
  if (el instanceof HTMLSelectElement) attrs.push(`value=${el.value}`);
  const inner = [...el.childNodes].map(canonical).join('').replace(/ {2,}/g, ' ');
  return `<${el.tagName.toLowerCase()} ${attrs.sort().join(' ')}>${inner}</${el.tagName.toLowerCase()}>`;
}

/** The app's first frame from `status` and `containers`: its shell, canonical. */
async function appFirstFrame(status: EngineStatus, containers: ContainerSummary[]): Promise<string> {
  // No animation frame ever comes: what follows the first frame (rows' buttons, other lists) stays away.
  vi.spyOn(window, 'requestAnimationFrame').mockImplementation(() => 0);
  const { container } = render(App, { props: { deps: createDeps(new MockBackend({ status, containers })) } });
  await waitFor(() => {
    const rows = container.querySelectorAll('[data-testid="container-row"]').length;
    expect(rows > 0 || container.textContent?.includes('No containers yet')).toBe(true);
    if (status.type === 'connected') expect(container.textContent).toContain(status.engine.product);
  });
  return canonical(container.querySelector('.shell')!);
}

function staticFirstFrame(page: FirstPage): string {
  const screen = firstScreen(page, { hash: '', height: window.innerHeight, now: Date.now() });
  const host = document.createElement('div');
  host.innerHTML = screen!.html;
  return canonical(host.firstElementChild!);
}

const page = (engine: EngineStatus, containers: ContainerSummary[] | null): FirstPage =>
  ({ settings: { settings: defaultSettings(), problem: null }, engine, containers });

const connected: EngineStatus = { type: 'connected', engine: mockEngine };

/** Many standalone containers: more than a window's worth of rows, as `make bench` lists. */
function many(n: number): ContainerSummary[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => {
    const state = i < 20 ? 'running' : i % 2 ? 'created' : 'exited';
    return {
      id: (0xabc0000000 + i).toString(16).padEnd(64, '0'), name: `bench-${i}`, image: 'busybox:1', imageId: 'sha256:1',
      command: 'sleep', state, status: state === 'running' ? 'Up 5 minutes' : state === 'exited' ? 'Exited (0) 5 minutes ago' : 'Created',
      created: now - 290, ports: [], composeProject: null, composeService: null, labels: {},
    } as ContainerSummary;
  });
}

afterEach(() => vi.restoreAllMocks());

describe('the first screen drawn before the app loads', () => {
  it.each([
    ['compose projects, ports and every state', connected, mockContainers()],
    ['200 containers (a window of rows, spacer below)', connected, many(200)],
    ['no containers', connected, []],
    ['a remote engine with a warning', { type: 'connected', engine: { ...mockEngine, host: 'tcp://build:2376', warning: 'Old API.' } } as EngineStatus, mockContainers()],
  ])('is the app\'s first frame: %s', async (_, status, list) => {
    const app = await appFirstFrame(status, list);
    expect(staticFirstFrame(page(status, list))).toBe(app);
  });

  it('is where the app starts from: its first frame needs no answer from the backend', async () => {
    const list = mockContainers();
    const carried = page(connected, list);
    carried.settings.settings.theme = 'dark';
    // Every answer takes a second: the app's first frame shows what the page carried.
    const backend = new MockBackend({ status: connected, containers: list, latency: 1000 });
    const { container } = render(App, { props: { deps: createDeps(backend, carried) } });
    await new Promise((r) => setTimeout(r, 20));
    expect(container.querySelectorAll('[data-testid="container-row"]')).toHaveLength(list.length);
    expect(container.querySelector('[data-testid="engine-name"]')?.textContent).toContain(mockEngine.name);
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(backend.calls.some((c) => c.command === 'settings_get')).toBe(false);
  });

  it('escapes what the engine names: no container can add markup', () => {
    const [x] = mockContainers();
    const evil = { ...x, name: '<img src=x onerror=alert(1)>', image: '"><script>1</script>', composeProject: null, status: '<b>' };
    const html = firstScreen(page(connected, [evil]), { hash: '', height: 600, now: Date.now() })!.html;
    const host = document.createElement('div');
    host.innerHTML = html;
    expect(host.querySelector('img, script, b')).toBeNull();
    expect(host.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('is left to the app for another view, an engine that is down, or no list', () => {
    const at = { hash: '', height: 600, now: Date.now() };
    const list = mockContainers();
    expect(firstScreen(page(connected, list), { ...at, hash: '#images' })).toBeNull();
    const last = page(connected, list);
    last.settings.settings.lastView = 'stacks';
    expect(firstScreen(last, at)).toBeNull();
    expect(firstScreen(page({ type: 'disconnected', reason: 'down', tried: [], lost: null } as unknown as EngineStatus, list), at)).toBeNull();
    expect(firstScreen(page(connected, null), at)).toBeNull();
    expect(firstScreen(page({ type: 'connecting', host: null }, list), at)?.rows).toBe(list.length);
  });

  it('reads the data block, and takes a broken one for none', () => {
    document.body.innerHTML = `<script type="application/json" id="${FIRST_PAGE_ID}">${JSON.stringify(page(connected, []))}</script>`;
    expect(takeFirstPage(document)?.containers).toEqual([]);
    expect(document.getElementById(FIRST_PAGE_ID)).toBeNull();
    document.body.innerHTML = `<script type="application/json" id="${FIRST_PAGE_ID}">{oops</script>`;
    expect(takeFirstPage(document)).toBeNull();
  });
});
