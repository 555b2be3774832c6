import { refreshOnConnect, type EngineStore } from '../engine/engine.svelte';
import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { Stack } from '../ipc/types';

/** Container changes come in bursts during an up or down: re-list once they settle. */
const SETTLE_MS = 150;

/**
 * Every compose project on the engine. Listed on connect and again after container changes
 * (the engine's events, pushed to the UI); never polls.
 */
export class StacksStore {
  all = $state.raw<Stack[]>([]);
  loaded = $state(false);
  error = $state.raw<IpcError | null>(null);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  start(engine: EngineStore): Unsubscribe {
    const unlisten = this.backend.onContainersChanged((c) => {
      const compose = c.removed.length > 0 || c.upserted.some((x) => x.composeProject);
      if (compose) this.soon();
    });
    const unwatch = refreshOnConnect(engine, () => void this.refresh());
    return () => {
      unlisten();
      unwatch();
      if (this.timer) clearTimeout(this.timer);
    };
  }

  soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, SETTLE_MS);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    try {
      const list = await this.backend.composeStacks();
      if (generation !== this.generation) return;
      this.all = list;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      if (generation === this.generation) this.error = toIpcError(e);
    }
  }

  get(name: string): Stack | undefined {
    return this.all.find((s) => s.name === name);
  }
}

/** A stack's overall state for its badge. */
export function stackState(s: Stack): 'running' | 'partial' | 'exited' {
  if (s.running === 0) return 'exited';
  return s.running === s.total ? 'running' : 'partial';
}
