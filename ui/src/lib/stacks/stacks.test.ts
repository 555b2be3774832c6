import { describe, expect, it, vi } from 'vitest';
import { EngineStore } from '../engine/engine.svelte';
import { MockBackend } from '../ipc/mock';
import { StacksStore, stackState } from './stacks.svelte';

describe('StacksStore', () => {
  it('lists the compose projects of the mock containers on connect', async () => {
    const backend = new MockBackend();
    const stacks = new StacksStore(backend);
    await stacks.refresh();
    expect(stacks.loaded).toBe(true);
    expect(stacks.all.map((s) => s.name)).toContain('shop');
  });

  it('takes the list the backend pushes after container changes, without listing again', async () => {
    const backend = new MockBackend();
    const list = vi.spyOn(backend, 'composeStacks');
    const stacks = new StacksStore(backend);
    const stop = stacks.start(new EngineStore(backend));
    list.mockClear();
    const [one] = await backend.containerList();
    backend.emitChanged({ upserted: [{ ...one, composeProject: 'pushed', composeService: 'web' }], removed: [] });
    expect(stacks.get('pushed')?.total).toBe(1);
    expect(list).not.toHaveBeenCalled();
    stop();
  });

  it('says whether a stack runs fully, partly or not at all', () => {
    const base = { name: 'p', workingDir: null, configFiles: [], services: [] };
    expect(stackState({ ...base, running: 2, total: 2 })).toBe('running');
    expect(stackState({ ...base, running: 1, total: 2 })).toBe('partial');
    expect(stackState({ ...base, running: 0, total: 2 })).toBe('exited');
  });
});
