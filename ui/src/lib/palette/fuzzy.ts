/**
 * How well `query` matches `text` as a subsequence (case-insensitive), or null when it does not.
 * Higher is better: letters that start words and runs of consecutive letters score more, so
 * "pi" ranks "Pull image…" above "Open pipeline".
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let at = 0;
  let previous = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    const found = t.indexOf(ch, at);
    if (found < 0) return null;
    const wordStart = found === 0 || /[\s\-_/.…]/.test(t[found - 1]);
    score += 1 + (wordStart ? 3 : 0) + (found === previous + 1 ? 2 : 0);
    previous = found;
    at = found + 1;
  }
  return score;
}

/** The items matching `query`, best first (the list's order among equals). */
export function rank<T>(query: string, items: readonly T[], text: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, score: fuzzyScore(query, text(item)) }))
    .filter((r): r is { item: T; index: number; score: number } => r.score !== null)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((r) => r.item);
}
