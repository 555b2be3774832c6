import type { LogLine } from '../ipc/types';
import { stripAnsi } from './ansi';

export interface LogEntry {
  stream: 'out' | 'err';
  /** As received, possibly with ANSI escapes. */
  raw: string;
  /** Without escapes (the same string when there are none), for search and copy. */
  plain: string;
}

export type Scheduler = (flush: () => void) => void;

const nextFrame: Scheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

/**
 * Log lines in one plain array that only grows; `count` is the reactive signal.
 * Incoming batches are queued and appended at most once per frame.
 */
export class LogBuffer {
  /** Read with `count`: the array is mutated in place, `count` is what changes. */
  readonly lines: LogEntry[] = [];
  count = $state(0);
  /** Bumped by `clear`, so derived indexes know to start over. */
  epoch = 0;
  private queue: LogLine[] = [];
  private scheduled = false;
  private readonly schedule: Scheduler;

  constructor(schedule: Scheduler = nextFrame) {
    this.schedule = schedule;
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
    for (const l of this.queue) this.lines.push({ stream: l.stream, raw: l.text, plain: stripAnsi(l.text) });
    this.queue = [];
    this.count = this.lines.length;
  }

  clear(): void {
    this.epoch += 1;
    this.lines.length = 0;
    this.queue = [];
    this.count = 0;
  }

  text(): string {
    return this.lines.map((l) => l.plain).join('\n');
  }
}

/** Indexes of lines containing `query` (case-insensitive), extended incrementally as lines arrive. */
export class LogSearch {
  matches: number[] = [];
  private scanned = 0;
  private query = '';
  private epoch = -1;

  /** Reads `buffer.count`, so a `$derived` around it follows new lines. */
  update(buffer: LogBuffer, query: string): number[] {
    const { lines, count, epoch } = buffer;
    const q = query.toLowerCase();
    if (q !== this.query || epoch !== this.epoch || count < this.scanned) {
      this.query = q;
      this.epoch = epoch;
      this.matches = [];
      this.scanned = 0;
    }
    if (!q) {
      this.scanned = count;
      return this.matches;
    }
    const found: number[] = [];
    for (let i = this.scanned; i < count; i++) {
      if (lines[i].plain.toLowerCase().includes(q)) found.push(i);
    }
    this.scanned = count;
    if (found.length) this.matches = this.matches.concat(found);
    return this.matches;
  }
}
