import type { Backend } from '../ipc/backend';
import { toIpcError } from '../ipc/error';

export type ExecState = 'starting' | 'open' | 'exited' | 'failed';

export interface ExecEvents {
  output(bytes: Uint8Array): void;
  state(state: ExecState, message?: string): void;
}

/** One `exec` session in a container: start, write, resize, close. Not reusable after it ends. */
export class ExecConnection {
  shell = '';
  private execId: string | null = null;
  private closed = false;
  private queued = '';
  private writing = false;

  constructor(private readonly backend: Backend, private readonly containerId: string, private readonly events: ExecEvents) {}

  async start(cols: number, rows: number): Promise<void> {
    this.events.state('starting');
    try {
      const session = await this.backend.execStart(this.containerId, cols, rows, {
        output: (bytes) => { if (!this.closed) this.events.output(bytes); },
        exit: () => this.ended(),
      });
      if (this.closed) {
        void this.backend.execClose(session.execId).catch(() => undefined);
        return;
      }
      this.execId = session.execId;
      this.shell = session.shell;
      this.events.state('open');
    } catch (e) {
      if (!this.closed) this.events.state('failed', toIpcError(e).message);
    }
  }

  /**
   * Keystrokes go out one call at a time, in order: concurrent IPC calls may be handled out of
   * order, which would scramble fast typing. Keys typed while a call is in flight are sent
   * together in the next one.
   */
  write(data: string): void {
    if (!this.execId || this.closed) return;
    this.queued += data;
    if (!this.writing) void this.flush(this.execId);
  }

  private async flush(execId: string): Promise<void> {
    this.writing = true;
    try {
      while (this.queued && !this.closed) {
        const data = this.queued;
        this.queued = '';
        await this.backend.execWrite(execId, data);
      }
    } catch (e) {
      this.events.state('failed', toIpcError(e).message);
    } finally {
      this.writing = false;
    }
  }

  resize(cols: number, rows: number): void {
    if (this.execId && !this.closed) this.backend.execResize(this.execId, cols, rows).catch(() => undefined);
  }

  /** Ends the session (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.execId) void this.backend.execClose(this.execId).catch(() => undefined);
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.state('exited');
  }
}
