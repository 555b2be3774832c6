import type { Backend } from '../ipc/backend';
import type { ArchiveEvent, ImageSummary, PruneScope } from '../ipc/types';
import { LiveList } from '../util/liveList.svelte';

/**
 * Every image, pushed by the backend after engine events (`images://changed`), and what can be
 * done to one; pulls and pushes are {@link Transfers}.
 */
export class ImagesStore extends LiveList<ImageSummary> {
  constructor(private readonly backend: Backend) {
    super(() => backend.imageList(), (h) => backend.onImagesChanged(h));
  }

  /** Local image names (for the run form). */
  names() { return this.backend.imageNames(); }
  details(image: string) { return this.backend.imageDetails(image); }
  remove(image: string, force: boolean) { return this.backend.imageRemove(image, force); }
  pruneEstimate(scope: PruneScope) { return this.backend.imagePruneEstimate(scope); }
  /** Removes exactly `images` (the estimate's). */
  prune(scope: PruneScope, images: string[]) { return this.backend.imagePrune(scope, images); }
  /** A typed reference as the docker CLI normalises it, or why it is not one. */
  reference(input: string) { return this.backend.imageReference(input); }
  searchHub(term: string) { return this.backend.imageSearchHub(term); }
  registrySearch(registry: string, term: string) { return this.backend.imageRegistrySearch(registry, term); }
  registryTags(registry: string, repository: string) { return this.backend.imageRegistryTags(registry, repository); }
  /** Asks where to save, then saves `names` in one archive; null when the user cancels. */
  save(names: string[], onEvent: (e: ArchiveEvent) => void) { return this.backend.imageSave(names, onEvent); }
  /** Asks for an archive, then loads it; null when the user cancels. */
  load(onEvent: (e: ArchiveEvent) => void) { return this.backend.imageLoad(onEvent); }
  cancel(id: string) { return this.backend.subscriptionCancel(id); }
}
