import type { Backend } from '../ipc/backend';
import type { NetworkSpec, NetworkSummary } from '../ipc/types';
import { LiveList } from '../util/liveList.svelte';

/** Every network, pushed by the backend after engine events (`networks://changed`), and what can be done to one. */
export class NetworksStore extends LiveList<NetworkSummary> {
  constructor(private readonly backend: Backend) {
    super(() => backend.networkList(), (h) => backend.onNetworksChanged(h));
  }

  /** The names a container can join (for the run form). */
  names() { return this.backend.networkNames(); }
  create(spec: NetworkSpec) { return this.backend.networkCreate(spec); }
  inspect(network: string) { return this.backend.networkInspect(network); }
  connect(network: string, container: string, aliases: string[]) { return this.backend.networkConnect(network, container, aliases); }
  disconnect(network: string, container: string) { return this.backend.networkDisconnect(network, container); }
  remove(network: string) { return this.backend.networkRemove(network); }
  pruneEstimate() { return this.backend.networkPruneEstimate(); }
  /** Removes exactly `names` (the estimate's). */
  prune(names: string[]) { return this.backend.networkPrune(names); }
}
