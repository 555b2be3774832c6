import { refreshOnConnect, type EngineStore } from '../engine/engine.svelte';
import type { Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';

/**
 * A short engine list kept live without polling: fetched on connect, then replaced whole by
 * each change event the backend pushes (images, volumes, networks).
 */
export class LiveList<T> {
  all = $state.raw<T[]>([]);
  loaded = $state(false);
  error = $state.raw<IpcError | null>(null);
  private readonly fetch: () => Promise<T[]>;
  private readonly listen: (handler: (list: T[]) => void) => Unsubscribe;

  constructor(fetch: () => Promise<T[]>, listen: (handler: (list: T[]) => void) => Unsubscribe) {
    this.fetch = fetch;
    this.listen = listen;
  }

  start(engine: EngineStore): Unsubscribe {
    const unlisten = this.listen((list) => { this.all = list; this.loaded = true; this.error = null; });
    const unwatch = refreshOnConnect(engine, () => void this.refresh());
    return () => { unlisten(); unwatch(); };
  }

  /** Replace the list with one read elsewhere (a fuller read of the same list). */
  set(list: T[]): void {
    this.all = list;
    this.error = null;
    this.loaded = true;
  }

  async refresh(): Promise<void> {
    try {
      this.all = await this.fetch();
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }
}
