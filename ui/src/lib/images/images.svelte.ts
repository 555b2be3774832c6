import { refreshOnConnect, type EngineStore } from '../engine/engine.svelte';
import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { ImageSummary } from '../ipc/types';

/** The engine's local images: listed on connect, replaced by each `images://changed`. */
export class ImagesStore {
  all = $state.raw<ImageSummary[]>([]);
  loaded = $state(false);
  error = $state.raw<IpcError | null>(null);
  private readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  start(engine: EngineStore): Unsubscribe {
    const unlisten = this.backend.onImagesChanged((list) => { this.all = list; this.loaded = true; });
    const unwatch = refreshOnConnect(engine, () => void this.refresh());
    return () => { unlisten(); unwatch(); };
  }

  async refresh(): Promise<void> {
    try {
      this.all = await this.backend.imageList();
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }
}
