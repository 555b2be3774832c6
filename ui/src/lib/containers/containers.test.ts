import { describe, expect, it } from 'vitest';
import { EngineStore } from '../engine/engine.svelte';
import { MockBackend } from '../ipc/mock';
import { mockEngine } from '../ipc/mockData';
import type { ContainerSummary } from '../ipc/types';
import { ContainersStore } from './containers.svelte';

const tick = () => new Promise((r) => setTimeout(r, 0));

function summary(id: string, name: string, state: ContainerSummary['state'] = 'running'): ContainerSummary {
  return {
    id, name, image: 'alpine:3.20', imageId: 'sha256:1', command: 'sh', state, status: state, created: 1_700_000_000,
    ports: [], composeProject: null, composeService: null, labels: {},
  };
}

function setup(containers = [summary('a1', 'alpha'), summary('b2', 'beta', 'exited')]) {
  const backend = new MockBackend({ containers });
  const engine = new EngineStore(backend);
  const store = new ContainersStore(backend);
  const stop = [store.start(engine), engine.start()];
  return { backend, engine, store, stop: () => stop.forEach((f) => f()) };
}

describe('ContainersStore', () => {
  it('lists containers once the engine reports connected', async () => {
    const { store, stop } = setup();
    await tick();
    await tick();
    expect(store.loaded).toBe(true);
    expect(store.all.map((c) => c.name).sort()).toEqual(['alpha', 'beta']);
    stop();
  });

  it('lists at once, beside the engine status, and not again when the status says connected', async () => {
    const { backend, store, stop } = setup();
    expect(backend.calls.map((c) => c.command)).toContain('container_list');
    await tick();
    await tick();
    expect(store.loaded).toBe(true);
    expect(backend.calls.filter((c) => c.command === 'container_list').length).toBe(1);
    stop();
  });

  it('says nothing when the early list finds no engine yet, and lists once it connects', async () => {
    const backend = new MockBackend({ containers: [summary('a1', 'alpha')], status: { type: 'connecting', host: null } });
    const engine = new EngineStore(backend);
    const store = new ContainersStore(backend);
    const stop = [store.start(engine), engine.start()];
    await tick();
    await tick();
    expect(store.error).toBeNull();
    expect(store.loaded).toBe(false);
    backend.setStatus({ type: 'connected', engine: mockEngine });
    await tick();
    await tick();
    expect(store.all.map((c) => c.name)).toEqual(['alpha']);
    stop.forEach((f) => f());
  });

  it('renames through the backend and shows the new name at once, refusing a taken one', async () => {
    const { store, stop } = setup();
    await tick();
    await tick();
    const row = await store.rename('a1', 'alpha-2');
    expect(row.name).toBe('alpha-2');
    expect(store.nameOf('a1')).toBe('alpha-2');
    await expect(store.rename('a1', 'beta')).rejects.toMatchObject({ code: 'Conflict' });
    await expect(store.rename('a1', '-x')).rejects.toMatchObject({ code: 'InvalidInput', field: 'name' });
    expect(store.nameOf('a1')).toBe('alpha-2');
    stop();
  });

  it('upserts and removes from containers://changed without re-listing', async () => {
    const { backend, store, stop } = setup();
    await tick();
    await tick();
    const lists = backend.calls.filter((c) => c.command === 'container_list').length;
    backend.emitChanged({ upserted: [{ ...summary('a1', 'alpha'), state: 'paused' }, summary('c3', 'gamma')], removed: ['b2'] });
    expect(store.get('a1')?.state).toBe('paused');
    expect(store.get('c3')?.name).toBe('gamma');
    expect(store.get('b2')).toBeUndefined();
    expect(backend.calls.filter((c) => c.command === 'container_list').length).toBe(lists);
    stop();
  });

  it('re-lists when the engine comes back', async () => {
    const { backend, store, stop } = setup();
    await tick();
    await tick();
    backend.setStatus({ type: 'disconnected', reason: 'gone', tried: [], lost: mockEngine });
    backend.containers.clear();
    backend.containers.set('z9', summary('z9', 'zeta'));
    backend.setStatus({ type: 'connected', engine: mockEngine });
    await tick();
    expect(store.all.map((c) => c.name)).toEqual(['zeta']);
    expect(backend.calls.filter((c) => c.command === 'container_list').length).toBe(2);
    stop();
  });

  it('keeps changes that arrive while a list is in flight', async () => {
    const { backend, store, stop } = setup();
    await tick();
    await tick();
    const refresh = store.refresh();
    backend.emitChanged({ upserted: [], removed: ['a1'] });
    // The mock's list already reflects the removal; simulate a stale list by re-adding it.
    backend.containers.set('a1', summary('a1', 'alpha'));
    await refresh;
    expect(store.get('a1')).toBeUndefined();
    stop();
  });

  it('stops listening after cleanup', async () => {
    const { backend, store, stop } = setup();
    await tick();
    await tick();
    stop();
    backend.emitChanged({ upserted: [summary('d4', 'delta')], removed: [] });
    expect(store.get('d4')).toBeUndefined();
  });
});
