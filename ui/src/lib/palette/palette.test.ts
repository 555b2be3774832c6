import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { TestId } from '../testIds.js';
import { fuzzyScore, rank } from './fuzzy';

describe('fuzzy matching', () => {
  it('matches subsequences, word starts first', () => {
    expect(fuzzyScore('pi', 'Pull image…')).not.toBeNull();
    expect(fuzzyScore('xyz', 'Pull image…')).toBeNull();
    const titles = ['Go to Images', 'Open pipeline', 'Pull image…'];
    expect(rank('pi', titles, (t) => t)[0]).toBe('Pull image…');
    expect(rank('', titles, (t) => t)).toEqual(titles);
    expect(rank('go img', titles, (t) => t)).toEqual(['Go to Images']);
  });
});

function renderApp() {
  const backend = new MockBackend();
  const deps = createDeps(backend);
  render(App, { props: { deps } });
  return { backend, deps };
}

const key = (k: string, init: KeyboardEventInit = {}) => fireEvent.keyDown(window, { key: k, ctrlKey: true, ...init });
const items = () => screen.queryAllByTestId(TestId.paletteItem);
const activeItem = () => items().find((i) => i.getAttribute('aria-selected') === 'true');

describe('command palette', () => {
  it('opens with Ctrl+K, filters, moves with the arrows and runs with Enter', async () => {
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow).length).toBeGreaterThan(0));
    await key('k');
    const input = screen.getByTestId(TestId.paletteInput);
    expect(document.activeElement).toBe(input);
    expect(screen.getByTestId(TestId.palette).getAttribute('aria-modal')).toBe('true');
    // Every view has its shortcut shown.
    expect(items().find((i) => i.dataset.id === 'go-images')?.textContent).toContain('Ctrl+2');

    await fireEvent.input(input, { target: { value: 'go vol' } });
    expect(items().map((i) => i.dataset.id)).toEqual(['go-volumes']);
    await fireEvent.input(input, { target: { value: 'go' } });
    expect(activeItem()?.dataset.id).toBe('go-containers');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(activeItem()?.dataset.id).toBe('go-images');
    expect(input.getAttribute('aria-activedescendant')).toBe(activeItem()?.id);
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(activeItem()?.dataset.id).toBe(items().at(-1)?.dataset.id); // wraps around
    await fireEvent.keyDown(input, { key: 'Home' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.queryByTestId(TestId.palette)).toBeNull();
    await waitFor(() => expect(screen.getByTestId(TestId.nav('images')).getAttribute('aria-current')).toBe('page'));
  });

  it('keeps focus inside (Tab), closes on Escape and gives focus back', async () => {
    renderApp();
    const nav = screen.getByTestId(TestId.nav('volumes'));
    nav.focus();
    await key('k');
    const input = screen.getByTestId(TestId.paletteInput);
    await fireEvent.keyDown(input, { key: 'Tab' });
    expect(document.activeElement).toBe(input);
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId(TestId.palette)).toBeNull();
    expect(document.activeElement).toBe(nav);
  });

  it('says when nothing matches', async () => {
    renderApp();
    await key('k');
    await fireEvent.input(screen.getByTestId(TestId.paletteInput), { target: { value: 'qqqq' } });
    expect(items()).toHaveLength(0);
    expect(screen.getByTestId(TestId.palette).textContent).toContain('No command matches');
  });

  it('opens the pull dialog and the login dialog in their views', async () => {
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId(TestId.containerRow).length).toBeGreaterThan(0));
    await key('k');
    await fireEvent.input(screen.getByTestId(TestId.paletteInput), { target: { value: 'pull image' } });
    await fireEvent.keyDown(screen.getByTestId(TestId.paletteInput), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId(TestId.pullDialog)).toBeTruthy());
  });

  it('goes to views with Ctrl+1…9 and to Settings with Ctrl+,', async () => {
    renderApp();
    await key('3');
    expect(screen.getByTestId(TestId.nav('volumes')).getAttribute('aria-current')).toBe('page');
    await key(',');
    await waitFor(() => expect(screen.getByTestId(TestId.settingsView)).toBeTruthy());
    await key('1', { ctrlKey: false }); // a plain "1" is typing, not a shortcut
    expect(screen.getByTestId(TestId.settingsView)).toBeTruthy();
  });
});

describe('shortcuts and terminals', () => {
  it('leaves Ctrl+K to a terminal that has the focus', async () => {
    renderApp();
    const term = document.createElement('div');
    term.className = 'xterm';
    const textarea = document.createElement('textarea');
    term.append(textarea);
    document.body.append(term);
    await fireEvent.keyDown(textarea, { key: 'k', ctrlKey: true });
    expect(screen.queryByTestId(TestId.palette)).toBeNull();
    term.remove();
  });
});
