import type { NetworkSummary } from '../ipc/types';
import { sortBy, type Sort } from '../util/sort';

export type NetworkSortKey = 'name' | 'driver' | 'project' | 'subnet' | 'created' | 'containers';
export type NetworkSort = Sort<NetworkSortKey>;

/** Matches the name, driver, subnet, compose project or a container on it. */
export function filterNetworks(networks: readonly NetworkSummary[], query: string, hidePredefined: boolean): NetworkSummary[] {
  const q = query.trim().toLowerCase();
  return networks.filter((n) => !(hidePredefined && n.predefined)
    && (!q || n.name.toLowerCase().includes(q) || n.driver.includes(q) || (n.composeProject ?? '').toLowerCase().includes(q)
      || n.subnets.some((s) => s.subnet.includes(q)) || n.containers.some((c) => c.name.toLowerCase().includes(q))));
}

export function sortNetworks(networks: readonly NetworkSummary[], sort: NetworkSort): NetworkSummary[] {
  const value = (n: NetworkSummary): string | number | null => {
    switch (sort.key) {
      case 'name': return n.name;
      case 'driver': return n.driver;
      case 'project': return n.composeProject ?? '';
      case 'subnet': return n.subnets[0]?.subnet ?? '';
      case 'created': return n.created;
      case 'containers': return n.containers.length;
    }
  };
  return sortBy(networks, value, sort.dir);
}
