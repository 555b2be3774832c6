/** "app:dev, app:latest  registry/app" → the tags, in order, each once. */
export function splitTags(input: string): string[] {
  return [...new Set(input.split(/[\s,]+/).filter(Boolean))];
}

/** 1234 ms → "1.2s"; 65000 → "1m 05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}
