import type { VolumeSummary } from '../ipc/types';
import { sortBy, type Sort } from '../util/sort';

export type VolumeSortKey = 'name' | 'driver' | 'project' | 'size' | 'created' | 'containers';
export type VolumeSort = Sort<VolumeSortKey>;
export type VolumeUse = 'all' | 'used' | 'unused';

/** Matches the name, the compose project, a container using it, or a label. */
export function filterVolumes(volumes: readonly VolumeSummary[], query: string, use: VolumeUse): VolumeSummary[] {
  const q = query.trim().toLowerCase();
  return volumes.filter((v) => (use === 'all' || (use === 'used') === v.containers.length > 0)
    && (!q || v.name.toLowerCase().includes(q) || (v.composeProject ?? '').toLowerCase().includes(q)
      || v.containers.some((c) => c.name.toLowerCase().includes(q))
      || Object.entries(v.labels).some(([k, val]) => `${k}=${val}`.toLowerCase().includes(q))));
}

export function sortVolumes(volumes: readonly VolumeSummary[], sort: VolumeSort): VolumeSummary[] {
  const value = (v: VolumeSummary): string | number | null => {
    switch (sort.key) {
      case 'name': return v.name;
      case 'driver': return v.driver;
      case 'project': return v.composeProject ?? '';
      case 'size': return v.size;
      case 'created': return v.created;
      case 'containers': return v.containers.length;
    }
  };
  return sortBy(volumes, value, sort.dir);
}

/** An anonymous volume's name is a 64-hex id: show it short. */
export function isAnonymous(v: VolumeSummary): boolean {
  return /^[0-9a-f]{64}$/.test(v.name);
}

/** "shop-db-1 (running), migrate" for a removal refusal or the details pane. */
export function usersText(v: VolumeSummary): string {
  return v.containers.map((c) => (c.running ? `${c.name} (running)` : c.name)).join(', ');
}
