import type { StatsSample } from '../ipc/types';

/** How many samples the charts keep: about a minute. */
export const KEEP = 60;

/** A sample with the per-second rates the cumulative counters imply. */
export interface StatsPoint extends StatsSample {
  at: number;
  netRxRate: number;
  netTxRate: number;
  blockReadRate: number;
  blockWriteRate: number;
}

/** Appends `sample` (received at `at`, ms) to `points`, keeping the last KEEP. */
export function append(points: readonly StatsPoint[], sample: StatsSample, at: number): StatsPoint[] {
  const prev = points.at(-1);
  const secs = prev ? (at - prev.at) / 1000 : 0;
  // Counters restart with the container; a drop is a restart, not a negative rate.
  const rate = (now: number, before: number | undefined) =>
    prev && secs > 0 && before !== undefined && now >= before ? (now - before) / secs : 0;
  const point: StatsPoint = {
    ...sample,
    at,
    netRxRate: rate(sample.netRxBytes, prev?.netRxBytes),
    netTxRate: rate(sample.netTxBytes, prev?.netTxBytes),
    blockReadRate: rate(sample.blockReadBytes, prev?.blockReadBytes),
    blockWriteRate: rate(sample.blockWriteBytes, prev?.blockWriteBytes),
  };
  return [...points.slice(-(KEEP - 1)), point];
}

/** SVG polyline points for `values` in a `width` × `height` box; `max` at the top. */
export function sparkline(values: readonly number[], width: number, height: number, max: number): string {
  if (values.length === 0) return '';
  const top = Math.max(max, ...values, 1e-9);
  const step = width / Math.max(KEEP - 1, 1);
  const x0 = width - (values.length - 1) * step;
  return values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(height - (v / top) * height).toFixed(1)}`).join(' ');
}
