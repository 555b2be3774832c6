import type { Backend } from '../ipc/backend';
import { toIpcError } from '../ipc/error';
import type { BuildEvent, BuildRequest, BuildResult, BuildStep, Builder, ContextSummary, IpcErrorPayload } from '../ipc/types';

/** Lines kept per step; older ones are dropped (the failure report keeps the engine's tail). */
const MAX_LINES = 5000;

export interface BuildFailure {
  error: IpcErrorPayload;
  stepId: string | null;
  line: number | null;
  output: string[];
}

/** One build as the live view shows it, folded from the backend's events. */
export class BuildRun {
  id = $state<string | null>(null);
  phase = $state<'starting' | 'running' | 'done' | 'failed' | 'cancelled'>('starting');
  builder = $state<Builder | null>(null);
  note = $state<string | null>(null);
  context = $state<ContextSummary | null>(null);
  sent = $state(0);
  steps = $state<BuildStep[]>([]);
  logs = $state<Record<string, string[]>>({});
  result = $state<BuildResult | null>(null);
  failure = $state<BuildFailure | null>(null);
  readonly startedAt = Date.now();

  constructor(private readonly backend: Backend, readonly request: BuildRequest) {}

  async start(): Promise<void> {
    try {
      const { id } = await this.backend.buildStart(this.request, (e) => this.apply(e));
      this.id = id;
    } catch (e) {
      this.failure = { error: toIpcError(e).toPayload(), stepId: null, line: null, output: [] };
      this.phase = 'failed';
    }
  }

  async cancel(): Promise<void> {
    if (!this.id || !this.running) return;
    this.phase = 'cancelled';
    await this.backend.subscriptionCancel(this.id);
  }

  get running(): boolean {
    return this.phase === 'starting' || this.phase === 'running';
  }

  apply(e: BuildEvent): void {
    if (this.phase === 'cancelled') return;
    switch (e.kind) {
      case 'started':
        this.phase = 'running';
        this.builder = e.builder;
        this.note = e.note;
        this.context = e.context;
        break;
      case 'builder':
        this.builder = e.builder;
        this.note = e.note;
        break;
      case 'uploading':
        this.sent = e.sentBytes;
        break;
      case 'step': {
        const at = this.steps.findIndex((s) => s.id === e.step.id);
        if (at >= 0) this.steps[at] = e.step;
        else this.steps.push(e.step);
        break;
      }
      case 'log': {
        // Read back through the state proxy: the array assigned is not the proxied one.
        this.logs[e.stepId] ??= [];
        const lines = this.logs[e.stepId];
        lines.push(...e.lines);
        if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
        break;
      }
      case 'done':
        this.result = e.result;
        this.phase = 'done';
        break;
      case 'failed':
        this.failure = { error: e.error, stepId: e.stepId, line: e.line, output: e.output };
        this.phase = 'failed';
        break;
    }
  }

  /** The Dockerfile's steps (BuildKit's own bookkeeping left out): done of known. */
  get progress(): { done: number; total: number } {
    const own = this.steps.filter((s) => !s.internal);
    return { done: own.filter((s) => s.state === 'done' || s.state === 'cached').length, total: own.length };
  }

  /** The step to show opened: the failed one, else the one running last. */
  get focus(): string | null {
    if (this.failure?.stepId) return this.failure.stepId;
    const running = this.steps.filter((s) => s.state === 'running');
    return running.at(-1)?.id ?? null;
  }
}
