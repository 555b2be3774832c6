import { refreshOnConnect, type EngineStore } from '../engine/engine.svelte';
import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { ContainerSummary, ContainersChanged } from '../ipc/types';
import { stamp } from '../util/liveStatus.svelte';

/**
 * Every container of the connected engine, by id. Filled by `container_list`, patched by
 * `containers://changed`, re-listed whenever the engine (re)connects. Never polls.
 */
export class ContainersStore {
  byId = $state.raw<ReadonlyMap<string, ContainerSummary>>(new Map());
  all = $derived([...this.byId.values()]);
  loaded = $state(false);
  loading = $state(false);
  error = $state.raw<IpcError | null>(null);
  /** Changes that arrive while a list is in flight are re-applied on top of its result. */
  private pending: ContainersChanged[] | null = null;
  private generation = 0;
  private readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  start(engine: EngineStore): Unsubscribe {
    const unlisten = this.backend.onContainersChanged((c) => this.apply(c));
    const unwatch = refreshOnConnect(engine, () => void this.refresh());
    return () => {
      unlisten();
      unwatch();
    };
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.pending = [];
    this.loading = true;
    try {
      const list = await this.backend.containerList();
      if (generation !== this.generation) return;
      stamp(list);
      const map = new Map(list.map((c) => [c.id, c]));
      for (const change of this.pending) patch(map, change);
      this.byId = map;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      if (generation === this.generation) this.error = toIpcError(e);
    } finally {
      if (generation === this.generation) {
        this.pending = null;
        this.loading = false;
      }
    }
  }

  apply(change: ContainersChanged): void {
    stamp(change.upserted);
    this.pending?.push(change);
    const map = new Map(this.byId);
    patch(map, change);
    this.byId = map;
  }

  /** Renames `id`; the list shows the new name at once (the engine's event confirms it). */
  async rename(id: string, name: string): Promise<ContainerSummary> {
    const row = await this.backend.containerRename(id, name);
    this.apply({ upserted: [row], removed: [] });
    return row;
  }

  get(id: string): ContainerSummary | undefined {
    return this.byId.get(id);
  }

  /** The display name of `id`, or its short id when unknown. */
  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id.slice(0, 12);
  }
}

function patch(map: Map<string, ContainerSummary>, change: ContainersChanged): void {
  for (const c of change.upserted) map.set(c.id, c);
  for (const id of change.removed) map.delete(id);
}
