/** A run of text with one style. `fg`/`bg` are CSS colours or palette classes ("c1".."c15"). */
export interface Span {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  /** Part of a search match. */
  mark?: boolean;
}

type Style = Omit<Span, 'text' | 'mark'>;

// CSI ... final byte, OSC ... BEL/ST, and other two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

function palette(n: number): string {
  return `c${n}`;
}

function xterm256(n: number): string {
  if (n < 16) return palette(n);
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

/** Applies SGR parameters to `style` (mutated). */
function applySgr(style: Style, params: number[]): void {
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) { for (const k of Object.keys(style)) delete style[k as keyof Style]; }
    else if (p === 1) style.bold = true;
    else if (p === 2) style.dim = true;
    else if (p === 3) style.italic = true;
    else if (p === 4) style.underline = true;
    else if (p === 22) { delete style.bold; delete style.dim; }
    else if (p === 23) delete style.italic;
    else if (p === 24) delete style.underline;
    else if (p >= 30 && p <= 37) style.fg = palette(p - 30);
    else if (p >= 90 && p <= 97) style.fg = palette(p - 90 + 8);
    else if (p >= 40 && p <= 47) style.bg = palette(p - 40);
    else if (p >= 100 && p <= 107) style.bg = palette(p - 100 + 8);
    else if (p === 39) delete style.fg;
    else if (p === 49) delete style.bg;
    else if (p === 38 || p === 48) {
      const key = p === 38 ? 'fg' : 'bg';
      if (params[i + 1] === 5 && params[i + 2] !== undefined) {
        style[key] = xterm256(params[i + 2]);
        i += 2;
      } else if (params[i + 1] === 2 && params[i + 4] !== undefined) {
        style[key] = `rgb(${params[i + 2]},${params[i + 3]},${params[i + 4]})`;
        i += 4;
      }
    }
  }
}

/** Splits a log line into styled spans: SGR colour codes become styles, other escapes are dropped. */
export function parseAnsi(line: string): Span[] {
  if (!line.includes('\x1b')) return [{ text: line }];
  const spans: Span[] = [];
  const style: Style = {};
  let last = 0;
  for (const m of line.matchAll(ESCAPE)) {
    if (m.index > last) spans.push({ text: line.slice(last, m.index), ...style });
    last = m.index + m[0].length;
    if (m[2] === 'm') {
      const params = m[1] === '' ? [0] : m[1].split(/[;:]/).map((s) => (s === '' ? 0 : Number(s)));
      applySgr(style, params);
    }
  }
  if (last < line.length) spans.push({ text: line.slice(last), ...style });
  return spans;
}

/** The line's text without escape sequences. */
export function stripAnsi(line: string): string {
  return line.includes('\x1b') ? line.replace(ESCAPE, '') : line;
}

/** Splits spans so that case-insensitive occurrences of `query` are marked. */
export function highlight(spans: Span[], query: string): Span[] {
  if (!query) return spans;
  const plain = spans.map((s) => s.text).join('');
  const lower = plain.toLowerCase();
  const q = query.toLowerCase();
  const ranges: [number, number][] = [];
  for (let at = lower.indexOf(q); at !== -1; at = lower.indexOf(q, at + q.length)) ranges.push([at, at + q.length]);
  if (ranges.length === 0) return spans;
  const out: Span[] = [];
  let offset = 0;
  for (const span of spans) {
    const start = offset;
    const end = offset + span.text.length;
    let cursor = start;
    for (const [a, b] of ranges) {
      if (b <= cursor || a >= end) continue;
      const from = Math.max(a, cursor);
      const to = Math.min(b, end);
      if (from > cursor) out.push({ ...span, text: plain.slice(cursor, from) });
      out.push({ ...span, text: plain.slice(from, to), mark: true });
      cursor = to;
    }
    if (cursor < end) out.push({ ...span, text: plain.slice(cursor, end) });
    offset = end;
  }
  return out;
}
