import { describe, expect, it } from 'vitest';
import { MockBackend } from '../ipc/mock';
import { ExecConnection, type ExecState } from './execConnection';

const tick = () => new Promise((r) => setTimeout(r, 0));

function connect(name: string) {
  const backend = new MockBackend();
  const states: ExecState[] = [];
  const output: string[] = [];
  const decoder = new TextDecoder();
  const conn = new ExecConnection(backend, backend.byName(name).id, {
    output: (bytes) => output.push(decoder.decode(bytes)),
    state: (s) => states.push(s),
  });
  return { backend, conn, states, output };
}

describe('ExecConnection', () => {
  it('starts with the terminal size, forwards keystrokes and resizes', async () => {
    const { backend, conn, states, output } = connect('shop-web-1');
    await conn.start(120, 40);
    await tick();
    expect(states).toEqual(['starting', 'open']);
    expect(backend.calls.find((c) => c.command === 'exec_start')?.args.slice(1)).toEqual([120, 40]);
    expect(output.join('')).toMatch(/# $/);
    conn.write('ls\r');
    conn.resize(100, 30);
    await tick();
    expect(backend.writes).toEqual(['ls\r']);
    expect(backend.calls.some((c) => c.command === 'exec_resize')).toBe(true);
  });

  it('sends fast typing in order, one call at a time, batching keys typed meanwhile', async () => {
    const { backend, conn } = connect('shop-web-1');
    await conn.start(80, 24);
    for (const key of 'echo hi') conn.write(key);
    await tick();
    await tick();
    expect(backend.writes.join('')).toBe('echo hi');
    expect(backend.writes[0]).toBe('e');
    expect(backend.writes.length).toBeLessThan(7);
  });

  it('reports the end of the session (zero-length message) and stops writing', async () => {
    const { backend, conn, states } = connect('shop-web-1');
    await conn.start(80, 24);
    conn.write('\x04');
    await tick();
    expect(states.at(-1)).toBe('exited');
    conn.write('more');
    await tick();
    expect(backend.writes).toEqual(['\x04']);
  });

  it('fails with a sentence for a stopped container', async () => {
    const { conn, states } = connect('dev-sandbox');
    await conn.start(80, 24);
    expect(states).toEqual(['starting', 'failed']);
  });

  it('closes the exec on close()', async () => {
    const { backend, conn } = connect('shop-web-1');
    await conn.start(80, 24);
    conn.close();
    conn.close();
    await tick();
    expect(backend.calls.filter((c) => c.command === 'exec_close')).toHaveLength(1);
  });
});
