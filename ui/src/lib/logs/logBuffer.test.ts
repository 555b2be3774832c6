import { describe, expect, it } from 'vitest';
import { computeWindow, isAtBottom, MAX_SCROLL_PX, scrollTopFor } from '../components/virtualWindow';
import { DEFAULT_MAX_LINES, LogBuffer, LogSearch } from './logBuffer.svelte';

function manual() {
  const queued: (() => void)[] = [];
  return { schedule: (f: () => void) => queued.push(f), run: () => queued.splice(0).forEach((f) => f()), queued };
}

describe('LogBuffer', () => {
  it('batches pushes into one append per frame', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule);
    buffer.push([{ stream: 'out', text: 'a' }]);
    buffer.push([{ stream: 'err', text: '\x1b[31mb\x1b[0m' }]);
    expect(frame.queued).toHaveLength(1);
    expect(buffer.count).toBe(0);
    frame.run();
    expect(buffer.count).toBe(2);
    expect(buffer.lines.at(1)).toMatchObject({ stream: 'err', raw: '\x1b[31mb\x1b[0m', plain: 'b' });
    buffer.push([{ stream: 'out', text: 'c' }]);
    expect(frame.queued).toHaveLength(1);
  });

  it('handles a million lines quickly', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule, 1_000_000);
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ stream: 'out' as const, text: `line ${i}` }));
    const started = performance.now();
    for (let i = 0; i < 100; i++) buffer.push(batch);
    frame.run();
    expect(buffer.count).toBe(1_000_000);
    // Generous: 2 shared cores under load.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('is a ring: pushing twice its cap keeps the newest cap lines', () => {
    const frame = manual();
    const cap = 1000;
    const buffer = new LogBuffer(frame.schedule, cap);
    const line = (i: number) => ({ stream: 'out' as const, text: `line ${i}` });
    // Over several frames, and once more than a whole ring in one frame.
    for (let i = 0; i < cap; i += 100) {
      buffer.push(Array.from({ length: 100 }, (_, j) => line(i + j)));
      frame.run();
    }
    buffer.push(Array.from({ length: cap }, (_, j) => line(cap + j)));
    frame.run();
    expect(buffer.count).toBe(cap);
    expect(buffer.lines.length).toBe(cap);
    expect(buffer.lines.at(0)!.plain).toBe(`line ${cap}`);
    expect(buffer.lines.at(cap - 1)!.plain).toBe(`line ${2 * cap - 1}`);
    buffer.push(Array.from({ length: 2 * cap + 5 }, (_, j) => line(2 * cap + j)));
    frame.run();
    expect(buffer.lines.length).toBe(cap);
    expect(buffer.lines.at(0)!.plain).toBe(`line ${3 * cap + 5}`);
    expect(buffer.lines.at(cap - 1)!.plain).toBe(`line ${4 * cap + 4}`);
  });

  it('keeps 10k lines by default and lets the cap change', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule);
    expect(buffer.maxLines).toBe(DEFAULT_MAX_LINES);
    expect(DEFAULT_MAX_LINES).toBe(10_000);
    buffer.push(Array.from({ length: 10 }, (_, i) => ({ stream: 'out' as const, text: `${i}` })));
    frame.run();
    const version = buffer.version;
    buffer.maxLines = 4;
    expect(buffer.lines.slice().map((l) => l.plain)).toEqual(['6', '7', '8', '9']);
    expect(buffer.version).toBeGreaterThan(version);
  });

  it('joins a line cut by the engine when copied', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule);
    buffer.push([{ stream: 'out', text: 'ab', continues: true }, { stream: 'out', text: 'c' }, { stream: 'out', text: 'd' }]);
    frame.run();
    expect(buffer.text()).toBe('abc\nd');
  });

  it('clear empties lines and pending batches', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule);
    buffer.push([{ stream: 'out', text: 'a' }]);
    buffer.clear();
    frame.run();
    expect(buffer.count).toBe(0);
    expect(buffer.text()).toBe('');
  });
});

describe('LogSearch', () => {
  it('finds matches incrementally and restarts on a new query or a clear', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule);
    const search = new LogSearch();
    buffer.push([{ stream: 'out', text: 'GET /a' }, { stream: 'out', text: 'POST /b' }]);
    frame.run();
    expect(search.update(buffer, 'get')).toEqual([0]);
    buffer.push([{ stream: 'out', text: 'get /c' }]);
    frame.run();
    expect(search.update(buffer, 'get')).toEqual([0, 2]);
    expect(search.update(buffer, 'post')).toEqual([1]);
    buffer.clear();
    buffer.push([{ stream: 'out', text: 'x' }, { stream: 'out', text: 'y' }, { stream: 'out', text: 'post' }]);
    frame.run();
    expect(search.update(buffer, 'post')).toEqual([2]);
  });

  it('shifts its matches as the ring drops the oldest lines', () => {
    const frame = manual();
    const buffer = new LogBuffer(frame.schedule, 4);
    const search = new LogSearch();
    buffer.push(['hit', 'a', 'hit', 'b'].map((text) => ({ stream: 'out' as const, text })));
    frame.run();
    expect(search.update(buffer, 'hit')).toEqual([0, 2]);
    buffer.push([{ stream: 'out', text: 'c' }, { stream: 'out', text: 'hit' }]);
    frame.run();
    expect(buffer.lines.slice().map((l) => l.plain)).toEqual(['hit', 'b', 'c', 'hit']);
    expect(search.update(buffer, 'hit')).toEqual([0, 3]);
  });
});

describe('virtual window and pinning', () => {
  it('renders only the visible rows plus overscan', () => {
    const w = computeWindow({ count: 10_000, rowHeight: 18, scrollTop: 18 * 500, height: 180, overscan: 5 });
    expect(w).toEqual({ total: 180_000, start: 495, end: 515, offset: 18 * 495, ratio: 1 });
  });

  it('caps the scroll height and still reaches the last row', () => {
    const count = 1_000_000;
    const height = 400;
    const w0 = computeWindow({ count, rowHeight: 18, scrollTop: 0, height, overscan: 0 });
    expect(w0.total).toBe(MAX_SCROLL_PX);
    const bottom = computeWindow({ count, rowHeight: 18, scrollTop: MAX_SCROLL_PX - height, height, overscan: 0 });
    expect(bottom.end).toBe(count);
    expect(scrollTopFor(count - 1, 18, height, bottom.ratio)).toBeLessThanOrEqual(MAX_SCROLL_PX);
  });

  it('is pinned only at the bottom', () => {
    expect(isAtBottom(600, 400, 1000)).toBe(true);
    expect(isAtBottom(598, 400, 1000)).toBe(true);
    expect(isAtBottom(500, 400, 1000)).toBe(false);
  });
});
