import { stripAnsi } from '../logs/ansi';
import type { LogEntry } from '../logs/logBuffer.svelte';

/** One shown line of a job log, with the GitLab sections it sits in. */
export interface JobLine extends LogEntry {
  /** Ids of the open sections around it, outermost first (shared arrays). */
  sections: readonly number[];
  /** Set on a section's header line. */
  header?: number;
}

export interface Section {
  id: number;
  name: string;
  collapsed: boolean;
  /** Seconds between its start and end markers, when ended. */
  secs: number | null;
  started: number;
}

// `section_start:<unix time>:<name>[options]\r\e[0K<header>` and `section_end:<time>:<name>\r\e[0K`.
// eslint-disable-next-line no-control-regex
const MARKER = /^(?:\x1b\[0K)?section_(start|end):(\d+):([A-Za-z0-9_.-]+)(\[[^\]]*\])?\r(?:\x1b\[0K)?/;

/**
 * A job's log as it arrives: bytes decoded per job (a UTF-8 character may span chunks), cut
 * into lines, with GitLab's collapsible sections. `count`/`version` are the reactive signals;
 * `visible` is what a view shows with its collapsed sections hidden.
 */
export class JobLog {
  readonly lines: JobLine[] = [];
  readonly sections: Section[] = [];
  count = $state(0);
  version = $state(0);
  /** Bumped when lines are hidden or shown, so searches start over. */
  epoch = 0;
  readonly dropped = 0;
  private decoder = new TextDecoder();
  private partial = '';
  private open: number[] = [];

  push(bytes: Uint8Array | number[], stream: 'out' | 'err' = 'out'): void {
    const text = this.partial + this.decoder.decode(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes), { stream: true });
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.line(p, stream);
    this.changed();
  }

  /** Text already decoded (a kept log). */
  pushText(text: string): void {
    this.push(new TextEncoder().encode(text));
    this.end();
  }

  /** The job ended: its last line counts even without a newline. */
  end(): void {
    if (!this.partial) return;
    this.line(this.partial, 'out');
    this.partial = '';
    this.changed();
  }

  clear(): void {
    this.lines.length = 0;
    this.sections.length = 0;
    this.open = [];
    this.partial = '';
    this.decoder = new TextDecoder();
    this.epoch += 1;
    this.changed();
  }

  toggle(id: number): void {
    const s = this.sections[id];
    if (!s) return;
    s.collapsed = !s.collapsed;
    this.epoch += 1;
    this.changed();
  }

  /** Lines not inside a collapsed section (a collapsed section's header stays). */
  visible(): JobLine[] {
    void this.version;
    if (!this.sections.some((s) => s.collapsed)) return this.lines;
    return this.lines.filter((l) => !l.sections.some((id) => this.sections[id].collapsed && l.header !== id));
  }

  text(): string {
    return this.lines.map((l) => l.plain).join('\n');
  }

  private line(raw: string, stream: 'out' | 'err'): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = MARKER.exec(text);
    if (m) {
      const [whole, kind, time, name, options] = m;
      if (kind === 'end') {
        const at = this.open.map((id) => this.sections[id].name).lastIndexOf(name);
        if (at >= 0) {
          const s = this.sections[this.open[at]];
          s.secs = Math.max(0, Number(time) - s.started);
          this.open = this.open.slice(0, at);
        }
        return;
      }
      const id = this.sections.length;
      this.sections.push({ id, name, collapsed: options?.includes('collapsed=true') ?? false, secs: null, started: Number(time) });
      this.open = [...this.open, id];
      const rest = text.slice(whole.length);
      this.lines.push({ stream, raw: rest || name, plain: stripAnsi(rest) || name, continues: false, sections: this.open, header: id });
      return;
    }
    this.lines.push({ stream, raw: text, plain: stripAnsi(text), continues: false, sections: this.open });
  }

  private changed(): void {
    this.count = this.lines.length;
    this.version += 1;
  }
}
