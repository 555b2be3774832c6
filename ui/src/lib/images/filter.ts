import type { ImageSummary } from '../ipc/types';

export type ImageSortKey = 'name' | 'size' | 'created' | 'containers';
export interface ImageSort { key: ImageSortKey; dir: 'asc' | 'desc' }

/** The name shown for an image: its first repo:tag, or `<none>` when dangling. */
export function imageName(i: ImageSummary): string {
  return i.repoTags[0] ?? '<none>';
}

/** One row per name (an image with two tags shows twice, as `docker images` does). */
export function imageRows(images: readonly ImageSummary[]): { key: string; name: string; image: ImageSummary }[] {
  return images.flatMap((image) => (image.repoTags.length ? image.repoTags : ['<none>'])
    .map((name) => ({ key: `${image.id}|${name}`, name, image })));
}

export function filterImages<T extends { name: string; image: ImageSummary }>(rows: readonly T[], query: string, danglingOnly: boolean): T[] {
  const q = query.trim().toLowerCase();
  return rows.filter((r) => (!danglingOnly || r.image.dangling)
    && (!q || r.name.toLowerCase().includes(q) || r.image.id.replace('sha256:', '').startsWith(q)));
}

export function sortImages<T extends { name: string; image: ImageSummary }>(rows: readonly T[], sort: ImageSort): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const value = (r: T): string | number => sort.key === 'name' ? r.name : r.image[sort.key];
  return [...rows].sort((a, b) => {
    const x = value(a), y = value(b);
    return sign * (typeof x === 'string' ? x.localeCompare(String(y)) : x - Number(y)) || a.name.localeCompare(b.name);
  });
}

/** The port list for the run dialog from EXPOSE ("80/tcp" → "80", "53/udp" → "53/udp"). */
export function runPorts(exposed: readonly string[]): string {
  return exposed.map((p) => p.replace(/\/tcp$/, '')).join('\n');
}

/** Index of the largest layer, or -1 when none has a size. */
export function largestLayer(layers: readonly { size: number }[]): number {
  let best = -1;
  layers.forEach((l, i) => { if (l.size > 0 && (best < 0 || l.size > layers[best].size)) best = i; });
  return best;
}
