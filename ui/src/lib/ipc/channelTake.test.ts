import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queued } from './bindings';

const taken: Queued[][] = [];
vi.mock('./bindings', () => ({ commands: { channelTake: vi.fn(async () => taken.shift() ?? []) } }));
const { installChannelTake } = await import('./channelTake');

type Page = { __TAURI_INTERNALS__?: unknown; __BERTH_TAKE__?: () => void };

describe('channel take', () => {
  afterEach(() => {
    delete (window as Page).__TAURI_INTERNALS__;
    delete (window as Page).__BERTH_TAKE__;
  });

  it('hands each queued message to its Channel callback as Tauri would, bytes as an ArrayBuffer', async () => {
    const runCallback = vi.fn();
    (window as Page).__TAURI_INTERNALS__ = { runCallback };
    installChannelTake();
    taken.push([
      { callback: 7, index: 0, message: { type: 'lines', lines: [] }, raw: false },
      { callback: 9, index: 3, message: [104, 105], raw: true },
    ]);
    (window as Page).__BERTH_TAKE__!();
    await vi.waitFor(() => expect(runCallback).toHaveBeenCalledTimes(2));
    expect(runCallback.mock.calls[0]).toEqual([7, { message: { type: 'lines', lines: [] }, index: 0 }]);
    const [id, { message, index }] = runCallback.mock.calls[1];
    expect([id, index]).toEqual([9, 3]);
    expect(message).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(message)]).toEqual([104, 105]);
  });
});
