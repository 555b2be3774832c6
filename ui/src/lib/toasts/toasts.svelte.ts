import { toIpcError } from '../ipc/error';

export type ToastKind = 'error' | 'success' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  /** A sentence for the user. */
  message: string;
  /** Technical detail, shown behind a "Details" expander. */
  detail: string | null;
}

const MAX_TOASTS = 5;
const TIMEOUT_MS: Record<ToastKind, number | null> = { info: 4000, success: 4000, error: null };

export class Toasts {
  items = $state.raw<Toast[]>([]);
  private nextId = 1;

  push(kind: ToastKind, message: string, detail: string | null = null): void {
    const toast: Toast = { id: this.nextId++, kind, message, detail: detail || null };
    this.items = [...this.items, toast].slice(-MAX_TOASTS);
    const timeout = TIMEOUT_MS[kind];
    if (timeout) setTimeout(() => this.dismiss(toast.id), timeout);
  }

  info(message: string): void {
    this.push('info', message);
  }

  success(message: string): void {
    this.push('success', message);
  }

  /** Shows a failure; `context` prefixes the error's own sentence ("Could not stop web."). */
  error(reason: unknown, context?: string): void {
    const err = toIpcError(reason);
    this.push('error', context ? `${context} ${err.message}` : err.message, err.detail);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
