import { toIpcError } from '../ipc/error';
import type { IpcErrorPayload } from '../ipc/types';

/**
 * A dialog's submit: runs `action` once at a time, closes the dialog when it succeeds, and keeps
 * the error (a sentence, maybe naming a field) when it fails, so the form loses nothing.
 */
export class FormAction {
  busy = $state(false);
  error = $state.raw<IpcErrorPayload | null>(null);
  private readonly action: () => Promise<unknown>;
  private readonly done: () => void;

  constructor(action: () => Promise<unknown>, done: () => void) {
    this.action = action;
    this.done = done;
  }

  submit = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      await this.action();
      this.done();
    } catch (err) {
      this.error = toIpcError(err);
    } finally {
      this.busy = false;
    }
  };

  /** The message for `field` when the error names it (or names no field and `field` takes the rest). */
  errorFor(field: string, orUnnamed = false): string | null {
    const e = this.error;
    if (!e) return null;
    return e.field === field || (orUnnamed && !e.field) ? e.message : null;
  }
}
