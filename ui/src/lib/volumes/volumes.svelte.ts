import type { Backend } from '../ipc/backend';
import type { VolumeSpec, VolumeSummary } from '../ipc/types';
import { LiveList } from '../util/liveList.svelte';

/** Every volume, pushed by the backend after engine events (`volumes://changed`), and what can be done to one. */
export class VolumesStore extends LiveList<VolumeSummary> {
  constructor(private readonly backend: Backend) {
    super(() => backend.volumeList(), (h) => backend.onVolumesChanged(h));
  }

  /** Measures every volume's size (one disk-usage query) and shows the list with them. */
  async measure(): Promise<void> {
    this.set(await this.backend.volumeMeasure());
  }

  create(spec: VolumeSpec) { return this.backend.volumeCreate(spec); }
  inspect(name: string) { return this.backend.volumeInspect(name); }
  remove(name: string) { return this.backend.volumeRemove(name); }
  pruneEstimate() { return this.backend.volumePruneEstimate(); }
  /** Removes exactly `names` (the estimate's). */
  prune(names: string[]) { return this.backend.volumePrune(names); }
  browse(name: string) { return this.backend.volumeBrowse(name); }
  browseCancel(name: string) { return this.backend.volumeBrowseCancel(name); }
}
