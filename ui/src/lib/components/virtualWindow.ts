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
