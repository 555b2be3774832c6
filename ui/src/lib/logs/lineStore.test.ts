import { describe, expect, it } from 'vitest';
import { LineStore } from './lineStore';

describe('LineStore', () => {
  it('gives back each line as it was pushed, escapes, streams and all', () => {
    const store = new LineStore();
    store.push('out', 'plain ascii', false);
    store.push('err', '\x1b[31mred\x1b[0m é 日本 🐳', true);
    store.push('out', '', false);
    expect(store.length).toBe(3);
    expect(store.at(0)).toEqual({ stream: 'out', raw: 'plain ascii', plain: 'plain ascii', continues: false });
    expect(store.at(1)).toEqual({ stream: 'err', raw: '\x1b[31mred\x1b[0m é 日本 🐳', plain: 'red é 日本 🐳', continues: true });
    expect(store.at(2)).toEqual({ stream: 'out', raw: '', plain: '', continues: false });
    expect(store.at(3)).toBeUndefined();
    expect(store.slice(1, 9).map((l) => l.raw)).toEqual(['\x1b[31mred\x1b[0m é 日本 🐳', '']);
  });

  it('keeps the right lines across many chunks while the oldest are dropped', () => {
    const store = new LineStore();
    const line = (i: number) => `${i} ${'x'.repeat(i % 300)} ü`;
    let oldest = 0;
    for (let i = 0; i < 50_000; i++) {
      store.push('out', line(i), false);
      if (store.length > 3000) {
        store.dropOldest(store.length - 3000);
        oldest = i - 2999;
      }
    }
    expect(store.length).toBe(3000);
    for (const i of [0, 1, 1500, 2999]) expect(store.at(i)!.raw).toBe(line(oldest + i));
  });

  it('takes lines of the engine limit and longer', () => {
    const store = new LineStore();
    const long = 'é'.repeat(200_000);
    store.push('out', 'before', false);
    store.push('out', long, true);
    store.push('out', 'after', false);
    expect(store.slice().map((l) => l.raw.length)).toEqual([6, 200_000, 5]);
    expect(store.at(1)!.raw).toBe(long);
  });

  it('starts afresh after a clear or after every line was dropped', () => {
    const store = new LineStore();
    for (let i = 0; i < 5000; i++) store.push('out', `a${i}`, false);
    store.dropOldest(5000);
    expect(store.length).toBe(0);
    store.push('err', 'b', false);
    expect(store.slice().map((l) => l.raw)).toEqual(['b']);
    store.clear();
    expect(store.length).toBe(0);
    store.push('out', 'c', false);
    expect(store.at(0)!.raw).toBe('c');
  });
});
