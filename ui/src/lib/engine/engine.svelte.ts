import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { EngineAction, EngineCandidate, EngineStatus } from '../ipc/types';
import { mark } from '../util/startup';

/** The engine connection as pushed by the backend (`engine://status`). */
export class EngineStore {
  status = $state.raw<EngineStatus>({ type: 'connecting', host: null });
  candidates = $state.raw<EngineCandidate[]>([]);
  candidatesLoading = $state(false);
  candidatesError = $state.raw<IpcError | null>(null);
  /** Host being switched to by `select`, else null. */
  switching = $state<string | null>(null);
  private listeners = new Set<(status: EngineStatus, previous: EngineStatus) => void>();
  private readonly backend: Backend;

  /** `seen`: the status as the page's HTML carried it, shown until the backend's own comes. */
  constructor(backend: Backend, seen: EngineStatus | null = null) {
    this.backend = backend;
    if (seen) this.status = seen;
  }

  /** Subscribes to status events, then fetches the current status (an event that beats it wins). */
  start(): Unsubscribe {
    let pushed = false;
    const unlisten = this.backend.onEngineStatus((s) => {
      pushed = true;
      this.set(s);
    });
    this.backend.engineStatus().then(
      (s) => { if (!pushed) this.set(s); },
      (e) => { if (!pushed) this.set({ type: 'disconnected', reason: toIpcError(e).message, tried: [], lost: null }); },
    );
    return unlisten;
  }

  /** Called on every status change with the previous status. */
  onChange(listener: (status: EngineStatus, previous: EngineStatus) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async loadCandidates(): Promise<void> {
    this.candidatesLoading = true;
    try {
      this.candidates = await this.backend.engineCandidates();
      this.candidatesError = null;
    } catch (e) {
      this.candidatesError = toIpcError(e);
    } finally {
      this.candidatesLoading = false;
    }
  }

  /** Switches to another endpoint; rejects with IpcError if it does not answer. */
  async select(host: string): Promise<void> {
    this.switching = host;
    try {
      this.set(await this.backend.engineSelect(host));
    } finally {
      this.switching = null;
    }
  }

  private set(status: EngineStatus): void {
    if (status.type === 'connected') mark('connected');
    const previous = this.status;
    this.status = status;
    for (const l of this.listeners) l(status, previous);
  }

  /** What to do when no engine answers, for this system. */
  help() { return this.backend.engineHelp(); }
  helpAct(action: EngineAction) { return this.backend.engineHelpAct(action); }
}

/** Calls `refresh` now when connected, and again on every new connection; returns how to stop. */
export function refreshOnConnect(engine: EngineStore, refresh: () => void): Unsubscribe {
  const unwatch = engine.onChange((status, previous) => {
    if (becameConnected(status, previous)) refresh();
  });
  if (engine.status.type === 'connected') refresh();
  return unwatch;
}

/** True when `status` is a (new) connection compared with `previous`. */
export function becameConnected(status: EngineStatus, previous: EngineStatus): boolean {
  if (status.type !== 'connected') return false;
  return previous.type !== 'connected' || previous.engine.host !== status.engine.host;
}

