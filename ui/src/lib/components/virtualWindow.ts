/** Browsers cap element heights (~17–33M px); beyond this the scrollbar is scaled. */
export const MAX_SCROLL_PX = 8_000_000;

export interface WindowInput {
  count: number;
  rowHeight: number;
  scrollTop: number;
  height: number;
  overscan: number;
}

export interface VirtualWindow {
  /** Height of the scrollable content, px. */
  total: number;
  /** Rows [start, end) to render. */
  start: number;
  end: number;
  /** Top of row `start` within the content, px. */
  offset: number;
  /** Real px per scrolled px (1 unless the list is taller than MAX_SCROLL_PX). */
  ratio: number;
}

export function computeWindow({ count, rowHeight, scrollTop, height, overscan }: WindowInput): VirtualWindow {
  const real = count * rowHeight;
  const total = Math.min(real, MAX_SCROLL_PX);
  const ratio = real > total && total > height ? (real - height) / (total - height) : 1;
  const realTop = scrollTop * ratio;
  const start = Math.max(0, Math.floor(realTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((realTop + height) / rowHeight) + overscan);
  return { total, start, end, offset: start * rowHeight - realTop + scrollTop, ratio };
}

/** The scrollTop that puts row `index` in the middle of the viewport. */
export function scrollTopFor(index: number, rowHeight: number, height: number, ratio: number): number {
  return Math.max(0, (index * rowHeight - height / 2 + rowHeight / 2) / ratio);
}

/** Within `slack` px of the bottom counts as "at the bottom" (pinned). */
export function isAtBottom(scrollTop: number, clientHeight: number, scrollHeight: number, slack = 4): boolean {
  return scrollTop + clientHeight >= scrollHeight - slack;
}

export interface RowsInView {
  /** Rows [start, end) to render. */
  start: number;
  end: number;
  /** Height of the rows before `start` and after `end`, px: the spacers that keep the scroll size. */
  above: number;
  below: number;
}

/**
 * The rows of a list with these heights (px) that show in [scrollTop, scrollTop + height), with
 * `overscan` more on each side. For tables, whose rows cannot be moved by a transform.
 */
export function rowsInView(heights: readonly number[], scrollTop: number, height: number, overscan: number): RowsInView {
  const n = heights.length;
  const tops = [0];
  for (const h of heights) tops.push(tops[tops.length - 1] + h);
  let first = 0;
  while (first < n && tops[first + 1] <= scrollTop) first++;
  let last = first;
  while (last < n && tops[last] < scrollTop + height) last++;
  const start = Math.max(0, first - overscan);
  const end = Math.min(n, last + overscan);
  return { start, end, above: tops[start], below: tops[n] - tops[end] };
}
