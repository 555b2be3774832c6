/**
 * Where the page's first second goes: named moments since it began loading, sent once with its
 * first list (`app_ready`), which prints them for `make bench` beside the app's own start.
 */
const marks: [string, number][] = [];
let sent = false;
// The page's script arrived and began to run (imported first by main.ts).
marks.push(['bundle', performance.now()]);

/** Notes that start-up reached `name` now (ignored once the timeline is sent). */
export function mark(name: string): void {
  if (!sent) marks.push([name, performance.now()]);
}

/** The timeline so far; later marks are not kept. */
export function timeline(): { originMs: number; marks: [string, number][] } {
  sent = true;
  return { originMs: performance.timeOrigin, marks };
}

/**
 * Runs `then` once the frame being made now has had time to reach the screen. An animation frame
 * callback runs before its frame is painted, and the painted frame still travels to the app's
 * process and onto the display: a list asked for or a second frame begun meanwhile held the first
 * one back (rows on screen 14 ms later, the median of 11 starts). 50 ms is three frames at 60 Hz.
 */
export function afterFrameShown(then: () => void): void {
  if (typeof requestAnimationFrame !== 'function') return then();
  requestAnimationFrame(() => setTimeout(then, 50));
}
