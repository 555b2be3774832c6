import type { PortMapping } from '../ipc/types';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 16663797760 → "15.5 GiB" */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `relativeTime`'s units, largest first, with their seconds. */
export const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60],
];

/** Unix seconds → "3 hours ago" relative to `now` (ms). */
export function relativeTime(unixSeconds: number, now = Date.now()): string {
  const diff = unixSeconds - now / 1000;
  for (const [unit, secs] of RELATIVE_STEPS) {
    if (Math.abs(diff) >= secs) {
      const n = Math.round(diff / secs);
      const words = `${Math.abs(n)} ${unit}${Math.abs(n) === 1 ? '' : 's'}`;
      return n < 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return 'just now';
}

// One formatter for every row: toLocaleString() builds a new one per call, which costs WebKit
// about a millisecond each (a list's first paint formats dozens). Same fields as its default.
let dateTime: Intl.DateTimeFormat | undefined;

export function absoluteTime(value: number | string): string {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  dateTime ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

/** "8080→80/tcp", or "80/tcp" when not published. */
export function portLabel(p: PortMapping): string {
  const inner = `${p.privatePort}/${p.protocol}`;
  return p.publicPort ? `${p.publicPort}→${inner}` : inner;
}

/** Published ports, one per host port (IPv4 and IPv6 bindings collapse into one). */
export function publishedPorts(ports: readonly PortMapping[]): PortMapping[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.publicPort}:${p.privatePort}/${p.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => (a.publicPort ?? 0) - (b.publicPort ?? 0) || a.privatePort - b.privatePort);
}

/** count(1, 'image') → "1 image", count(3, 'image') → "3 images". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
