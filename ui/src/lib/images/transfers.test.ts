import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../ipc/mock';
import type { TransferProgress } from '../ipc/types';
import { Transfers } from './transfers.svelte';

const progress = (fraction: number): TransferProgress => ({
  fraction, bytesDone: 50, bytesTotal: 100, bytesPerSecond: 10, remainingBytes: 50, layersDone: 0, layersTotal: 2,
  message: '', layers: [],
});

describe('Transfers', () => {
  it('runs several pulls at once and follows their progress to the end', async () => {
    const backend = new MockBackend();
    const finished = vi.fn();
    const transfers = new Transfers(backend, finished);
    const a = await transfers.pull('alpine');
    const b = await transfers.pull('busybox');
    expect(transfers.running.map((t) => t.reference)).toEqual(['alpine', 'busybox']);

    backend.transfers.get(a.id)!({ type: 'progress', ...progress(0.5) });
    expect(transfers.get(a.id)!.progress?.fraction).toBe(0.5);
    backend.transfers.get(a.id)!({ type: 'done', reference: 'alpine:latest' });
    expect(transfers.get(a.id)!.state).toBe('done');
    expect(finished).toHaveBeenCalledWith(expect.objectContaining({ reference: 'alpine:latest', state: 'done' }));

    backend.transfers.get(b.id)!({ type: 'failed', error: { code: 'Registry', message: 'Cannot reach the registry.', detail: '', field: null } });
    expect(transfers.get(b.id)!.error?.message).toBe('Cannot reach the registry.');
  });

  it('cancels through the backend and ignores late events', async () => {
    const backend = new MockBackend();
    const transfers = new Transfers(backend);
    const t = await transfers.pull('alpine');
    const send = backend.transfers.get(t.id)!;
    await transfers.cancel(t.id);
    expect(backend.calls.some((c) => c.command === 'subscription_cancel')).toBe(true);
    send({ type: 'done', reference: 'alpine:latest' });
    expect(transfers.get(t.id)!.state).toBe('cancelled');
  });

  it('lists nothing when the backend refuses to start', async () => {
    const backend = new MockBackend({ status: { type: 'disconnected', reason: 'down', tried: [], lost: null } });
    const transfers = new Transfers(backend);
    await expect(transfers.pull('alpine')).rejects.toMatchObject({ code: 'EngineUnreachable' });
    expect(transfers.list).toEqual([]);
  });
});
