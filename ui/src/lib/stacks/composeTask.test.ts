import { describe, expect, it, vi } from 'vitest';
import { MockBackend } from '../ipc/mock';
import type { IpcErrorPayload } from '../ipc/types';
import { Cancelled, composeTask } from './composeTask';

describe('composeTask', () => {
  it('passes progress on and resolves when the build is done', async () => {
    const backend = new MockBackend();
    const seen: string[] = [];
    await composeTask(backend, (on) => backend.composeBuild('/home/dev/shop', [], on), (p) => seen.push(`${p.resource} ${p.state}`)).done;
    expect(seen).toEqual(['Image shop-web Built']);
  });

  it('rejects with the error of a failed task', async () => {
    const backend = new MockBackend();
    const error: IpcErrorPayload = { code: 'Internal', message: 'Service "web" failed: the build failed.', detail: '', field: null };
    const task = composeTask(backend, async (on) => { setTimeout(() => on({ type: 'failed', error }), 0); return 'x'; });
    await expect(task.done).rejects.toEqual(error);
  });

  it('cancels the subscription and rejects with Cancelled', async () => {
    const backend = new MockBackend();
    const cancel = vi.spyOn(backend, 'subscriptionCancel');
    const task = composeTask(backend, async () => 'build-7');
    await task.cancel();
    await expect(task.done).rejects.toBeInstanceOf(Cancelled);
    expect(cancel).toHaveBeenCalledWith('build-7');
  });
});
