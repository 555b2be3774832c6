import type { Backend } from '../ipc/backend';
import { toIpcError } from '../ipc/error';
import type { IpcErrorPayload, TransferEvent, TransferProgress } from '../ipc/types';

export type TransferKind = 'pull' | 'push';
export type TransferState = 'running' | 'done' | 'failed' | 'cancelled';

export interface Transfer {
  id: string;
  kind: TransferKind;
  reference: string;
  state: TransferState;
  progress: TransferProgress | null;
  error: IpcErrorPayload | null;
}

/** Pulls and pushes in flight (several at once), with their latest progress. */
export class Transfers {
  list = $state.raw<Transfer[]>([]);
  private readonly backend: Backend;
  private readonly finished: (t: Transfer) => void;

  /** `finished` hears of every transfer that ends (done or failed), e.g. for a toast. */
  constructor(backend: Backend, finished: (t: Transfer) => void = () => {}) {
    this.backend = backend;
    this.finished = finished;
  }

  get running(): Transfer[] {
    return this.list.filter((t) => t.state === 'running');
  }

  /** Starts a pull; rejects (e.g. InvalidInput for a malformed reference) before anything runs. */
  pull(reference: string): Promise<Transfer> {
    return this.start('pull', (on) => this.backend.imagePull(reference, on));
  }

  /** Tags `image` as `target` and pushes it. */
  push(image: string, target: string): Promise<Transfer> {
    return this.start('push', (on) => this.backend.imagePush(image, target, on));
  }

  private async start(kind: TransferKind, begin: (on: (e: TransferEvent) => void) => Promise<{ id: string; reference: string }>) {
    const early: TransferEvent[] = [];
    let id: string | null = null;
    const on = (e: TransferEvent) => (id ? this.apply(id, e) : early.push(e));
    const started = await begin(on);
    id = started.id;
    this.list = [...this.list, { id, kind, reference: started.reference, state: 'running', progress: null, error: null }];
    for (const e of early) this.apply(id, e);
    return this.get(id)!;
  }

  get(id: string): Transfer | undefined {
    return this.list.find((t) => t.id === id);
  }

  apply(id: string, e: TransferEvent): void {
    const t = this.get(id);
    if (!t || t.state !== 'running') return;
    let next: Transfer;
    if (e.type === 'progress') {
      const { type: _type, ...progress } = e;
      next = { ...t, progress };
    } else if (e.type === 'done') {
      next = { ...t, state: 'done', reference: e.reference };
    } else {
      next = { ...t, state: 'failed', error: e.error };
    }
    this.list = this.list.map((x) => (x.id === id ? next : x));
    if (next.state !== 'running') this.finished(next);
  }

  async cancel(id: string): Promise<void> {
    try {
      await this.backend.subscriptionCancel(id);
    } catch (e) {
      console.warn('cancel failed', toIpcError(e));
    }
    this.list = this.list.map((t) => (t.id === id && t.state === 'running' ? { ...t, state: 'cancelled' } : t));
  }

  dismiss(id: string): void {
    this.list = this.list.filter((t) => t.id !== id);
  }
}
