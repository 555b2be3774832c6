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
