import type { LogLine } from '../ipc/types';
import { LineStore } from './lineStore';

export interface LogEntry {
  stream: 'out' | 'err';
  /** As received, possibly with ANSI escapes. */
  raw: string;
  /** Without escapes (the same string when there are none), for search and copy. */
  plain: string;
  /** Cut at the engine's line limit: it goes on in the next line of its stream. */
  continues: boolean;
}

export type Scheduler = (flush: () => void) => void;

const nextFrame: Scheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

/**
 * Lines a log view keeps unless the user chose otherwise: a terminal's usual scrollback. The
 * whole log stays with the engine (Save…, "All lines").
 */
export const DEFAULT_MAX_LINES = 10_000;
export const MAX_LINES_CHOICES = [10_000, 100_000, 1_000_000] as const;
const MAX_LINES_KEY = 'berth.logs.maxLines';

/** The user's choice of lines kept per log view (stored in localStorage: the app has no settings store). */
export function storedMaxLines(): number {
  const n = Number(globalThis.localStorage?.getItem(MAX_LINES_KEY));
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_LINES;
}

export function storeMaxLines(n: number): void {
  globalThis.localStorage?.setItem(MAX_LINES_KEY, String(n));
}

/**
 * A log view's lines, kept as bytes (`LineStore`): past `maxLines` the oldest are dropped, so a
 * chatty container followed all day does not grow the window's memory. `count` and `version`
 * are the reactive signals. Incoming batches are queued and appended at most once per frame.
 */
export class LogBuffer {
  /** Read with `count`/`version`: the store changes in place. */
  readonly lines = new LineStore();
  count = $state(0);
  /** Bumped on every change, also when the ring is full and `count` stays the same. */
  version = $state(0);
  /** Lines dropped from the front since the last `clear`: an index taken before is now `i - dropped`. */
  dropped = 0;
  /** Bumped by `clear`, so derived indexes know to start over. */
  epoch = 0;
  private queue: LogLine[] = [];
  private scheduled = false;
  private readonly schedule: Scheduler;
  private max: number;

  constructor(schedule: Scheduler = nextFrame, maxLines = DEFAULT_MAX_LINES) {
    this.schedule = schedule;
    this.max = maxLines;
  }

  get maxLines(): number {
    return this.max;
  }

  set maxLines(n: number) {
    this.max = Math.max(1, Math.floor(n));
    this.trim(this.max);
    this.changed();
  }

  push(lines: readonly LogLine[]): void {
    for (const l of lines) this.queue.push(l);
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Appends everything queued (normally called by the scheduler). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    // Lines that would be dropped at once are not even stored.
    const skip = Math.max(0, this.queue.length - this.max);
    this.dropped += skip;
    this.trim(this.max - (this.queue.length - skip));
    for (let i = skip; i < this.queue.length; i++) {
      const l = this.queue[i];
      this.lines.push(l.stream, l.text, l.continues === true);
    }
    this.queue = [];
    this.changed();
  }

  clear(): void {
    this.epoch += 1;
    this.lines.clear();
    this.queue = [];
    this.dropped = 0;
    this.changed();
  }

  text(): string {
    let out = '';
    for (const l of this.lines.slice()) out += l.continues ? l.plain : `${l.plain}\n`;
    return out.endsWith('\n') ? out.slice(0, -1) : out;
  }

  /** Drops the oldest lines until at most `keep` are left. */
  private trim(keep: number): void {
    const excess = this.lines.length - keep;
    if (excess <= 0) return;
    this.lines.dropOldest(excess);
    this.dropped += excess;
  }

  private changed(): void {
    this.count = this.lines.length;
    this.version += 1;
  }
}

/** What a search reads: a `LogBuffer`, or another growing list of lines (a pipeline job's log). */
export type Searchable = Pick<LogBuffer, 'count' | 'epoch' | 'dropped' | 'version'> & {
  readonly lines: { at(i: number): Pick<LogEntry, 'plain'> | undefined };
};

/** Indexes of lines containing `query` (case-insensitive), extended incrementally as lines arrive. */
export class LogSearch {
  matches: number[] = [];
  private scanned = 0;
  private dropped = 0;
  private query = '';
  private epoch = -1;

  /** Reads `buffer.count`, so a `$derived` around it follows new lines. */
  update(buffer: Searchable, query: string): number[] {
    const { lines, count, epoch, dropped } = buffer;
    void buffer.version;
    const q = query.toLowerCase();
    if (q !== this.query || epoch !== this.epoch || dropped < this.dropped) {
      this.query = q;
      this.epoch = epoch;
      this.matches = [];
      this.scanned = 0;
      this.dropped = dropped;
    }
    // Lines dropped from the front of the ring shift every index down.
    const shift = dropped - this.dropped;
    if (shift > 0) {
      this.dropped = dropped;
      this.scanned = Math.max(0, this.scanned - shift);
      this.matches = this.matches.filter((i) => i >= shift).map((i) => i - shift);
    }
    if (!q) {
      this.scanned = count;
      return this.matches;
    }
    const found: number[] = [];
    for (let i = this.scanned; i < count; i++) {
      if (lines.at(i)?.plain.toLowerCase().includes(q)) found.push(i);
    }
    this.scanned = count;
    if (found.length) this.matches = this.matches.concat(found);
    return this.matches;
  }
}
