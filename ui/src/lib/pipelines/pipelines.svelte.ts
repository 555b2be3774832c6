import type { Backend } from '../ipc/backend';
import { toIpcError } from '../ipc/error';
import type {
  Artifact, JobStatus, PipelineEvent, PipelineJob, PipelineReason, PipelineView, RunRecord, VariableInput,
} from '../ipc/types';
import type { Toasts } from '../toasts/toasts.svelte';
import { JobLog } from './jobLog.svelte';

/** A job as the graph shows it: its state in the run on screen (live or kept), or before any run. */
export interface JobState {
  status: JobStatus;
  allowedFailure: boolean;
  /** Why it failed, was skipped or will not run, as a sentence. */
  reason: string | null;
  /** Seconds, when ended. */
  durationSecs: number | null;
  /** When it started running here (ms), for a live duration. */
  startedAt: number | null;
}

/** The run on screen: the live one, or one from the history. */
export interface ShownRun {
  id: string;
  live: boolean;
  /** 'running' while going on; null before the first event. */
  status: JobStatus;
  jobs: Record<string, JobState>;
}

/** How a project's jobs may reach a Docker engine. */
export interface EngineAccess {
  privilegedServices: boolean;
  hostEngineSocket: boolean;
}

/** A question the run is waiting on: the project's once-asked consent. */
export interface ConsentQuestion {
  message: string;
  retry: () => Promise<void>;
}

/** Why a job is not in the pipeline, from the rule that decided it. */
export function reasonText(reason: PipelineReason): string {
  switch (reason.type) {
    case 'default': return 'Its own `when:` (or GitLab\'s default) decided.';
    case 'rule': return `Rule ${reason.index + 1}${reason.line ? ` (line ${reason.line})` : ''} matched: ${reason.text}`;
    case 'noRuleMatched': return 'None of its rules matched, so it is not in this pipeline.';
    case 'only': return `only: did not match (${reason.text})${reason.line ? `, line ${reason.line}` : ''}.`;
    case 'except': return `except: matched (${reason.text})${reason.line ? `, line ${reason.line}` : ''}.`;
    case 'unsupported': return `Not available in a local run: ${reason.text}`;
  }
}

function initial(job: PipelineJob): JobState {
  const never = job.when.type === 'never';
  return {
    status: never ? 'skipped' : job.when.type === 'manual' ? 'manual' : 'created',
    allowedFailure: false,
    reason: never ? reasonText(job.reason) : null,
    durationSecs: null,
    startedAt: null,
  };
}

/**
 * The Pipelines view's data and actions: the open folder's pipeline, the run on screen with
 * its live job states and logs, the history, consent, variables and artifacts.
 */
export class PipelinesStore {
  folder = $state<string | null>(null);
  view = $state.raw<PipelineView | null>(null);
  loading = $state(false);
  /** Why the pipeline does not load (GitLab's verdict with file, line and job). */
  error = $state<string | null>(null);
  run = $state.raw<ShownRun | null>(null);
  selected = $state<string | null>(null);
  consent = $state.raw<ConsentQuestion | null>(null);
  artifacts = $state.raw<Artifact[]>([]);
  starting = $state(false);
  /** Bumped when something asks the app to show the Pipelines view. */
  wanted = $state(0);
  private logs = new Map<string, JobLog>();

  constructor(private readonly backend: Backend, private readonly toasts: Toasts) {}

  get running(): boolean {
    return this.run?.live === true && this.run.status === 'running';
  }

  /** The job states on screen; before any run, what the pipeline says of each job. */
  get jobs(): Record<string, JobState> {
    const shown = this.run?.jobs ?? {};
    const out: Record<string, JobState> = {};
    for (const j of this.view?.pipeline.jobs ?? []) out[j.name] = shown[j.name] ?? initial(j);
    return out;
  }

  /** Open a folder's pipeline and show the view (from the project panel). */
  async show(folder: string): Promise<void> {
    this.wanted += 1;
    if (folder !== this.folder || !this.view) await this.open(folder);
  }

  async open(folder: string): Promise<void> {
    this.folder = folder;
    this.loading = true;
    this.error = null;
    this.run = null;
    this.selected = null;
    this.logs.clear();
    try {
      const view = await this.backend.pipelineLoad(folder);
      if (this.folder !== folder) return;
      this.view = view;
      if (view.runs[0] && !view.active) this.showRecord(view.runs[0]);
    } catch (e) {
      if (this.folder === folder) {
        this.view = null;
        this.error = toIpcError(e).message;
      }
    } finally {
      this.loading = false;
    }
  }

  /** Back to the start screen (not while a run goes on). */
  close(): void {
    if (this.running) return;
    this.folder = null;
    this.view = null;
    this.run = null;
    this.error = null;
    this.selected = null;
    this.logs.clear();
  }

  /** Reload the file (after an edit) keeping the run on screen. */
  async reload(): Promise<void> {
    const folder = this.folder;
    if (!folder) return;
    try {
      this.view = await this.backend.pipelineLoad(folder);
      this.error = null;
    } catch (e) {
      this.error = toIpcError(e).message;
    }
  }

  /** Run the whole pipeline with these run-time variables (masked values go to the keychain),
   *  registry login and engine access (kept for the project). */
  async start(variables: VariableInput[] | null = null, registry: string | null = null, access: EngineAccess | null = null): Promise<void> {
    const view = this.view;
    if (access && view && this.folder) {
      const { privilegedServices, hostEngineSocket } = view.settings;
      if (access.privilegedServices !== (privilegedServices === true) || access.hostEngineSocket !== (hostEngineSocket === true)) {
        try {
          const settings = await this.backend.pipelineConsent(this.folder, access.privilegedServices, access.hostEngineSocket);
          this.view = { ...view, settings };
        } catch (e) {
          this.toasts.error(e, 'Could not keep the engine access.');
          return;
        }
      }
    }
    return this.launch({ only: null, previous: null, variables, registry });
  }

  /** Re-run one job (its needs' outcomes and artifacts kept from the run on screen). */
  rerunJob(job: string): Promise<void> {
    return this.launch({ only: [job], previous: this.run?.id ?? null, variables: null, registry: null });
  }

  private async launch(o: { only: string[] | null; previous: string | null; variables: VariableInput[] | null; registry: string | null }): Promise<void> {
    const view = this.view;
    const folder = this.folder;
    if (!view || !folder || this.starting) return;
    const settings = view.settings;
    const variables = o.variables ?? (settings.variables ?? []).map((v) => ({ name: v.name, value: v.masked ? null : v.value, masked: v.masked }));
    const registry = o.variables ? o.registry : (settings.registry ?? null);
    const kept = this.run;
    const logs = new Map<string, JobLog>();
    const jobs: Record<string, JobState> = {};
    for (const j of view.pipeline.jobs) {
      const reuse = o.only && !o.only.includes(j.name) && kept?.jobs[j.name];
      jobs[j.name] = reuse ? { ...kept.jobs[j.name] } : initial(j);
      if (reuse && this.logs.has(j.name)) logs.set(j.name, this.logs.get(j.name)!);
    }
    this.starting = true;
    let id: string | null = null;
    const early: PipelineEvent[] = [];
    const onEvent = (e: PipelineEvent) => {
      if (id === null) early.push(e);
      else if (this.run?.id === id) this.apply(e);
    };
    try {
      ({ id } = await this.backend.pipelineRun({ folder, variables, registry, only: o.only, previous: o.previous }, onEvent));
      this.logs = logs;
      this.run = { id, live: true, status: 'running', jobs };
      for (const e of early) this.apply(e);
      const saved = variables.map((v) => ({ name: v.name, value: v.masked ? '' : (v.value ?? ''), masked: v.masked }));
      if (this.view === view) this.view = { ...view, settings: { ...view.settings, variables: saved, registry } };
      void this.refreshHistory();
    } catch (e) {
      const err = toIpcError(e);
      if (err.field === 'consent') this.consent = { message: err.message, retry: () => this.launch(o) };
      else this.toasts.push('error', err.message, err.detail);
    } finally {
      this.starting = false;
    }
  }

  /** The user's answer to the consent question. */
  async answerConsent(answer: 'privileged' | 'no'): Promise<void> {
    const question = this.consent;
    const folder = this.folder;
    this.consent = null;
    if (!question || !folder || !this.view) return;
    try {
      const settings = await this.backend.pipelineConsent(folder, answer === 'privileged', null);
      this.view = { ...this.view, settings };
      if (answer === 'privileged') await question.retry();
    } catch (e) {
      this.toasts.error(e, 'Could not keep the answer.');
    }
  }

  private apply(e: PipelineEvent): void {
    const run = this.run;
    if (!run) return;
    if (e.type === 'log') {
      this.log(e.job).push(e.bytes, e.stream === 'stderr' ? 'err' : 'out');
      return;
    }
    if (e.type === 'finished') {
      for (const log of this.logs.values()) log.end();
      this.run = { ...run, status: e.status };
      void this.refreshHistory();
      if (this.selected) void this.loadArtifacts(this.selected);
      return;
    }
    const before = run.jobs[e.job];
    const now = Date.now();
    const startedAt = e.status === 'running' ? now : before?.startedAt ?? null;
    const ended = e.status === 'success' || e.status === 'failed' || e.status === 'canceled';
    const durationSecs = ended && before?.startedAt ? (now - before.startedAt) / 1000 : before?.durationSecs ?? null;
    if (e.status === 'running') this.log(e.job).clear();
    if (ended) this.logs.get(e.job)?.end();
    this.run = { ...run, jobs: { ...run.jobs, [e.job]: { status: e.status, allowedFailure: e.allowed_failure, reason: e.reason, durationSecs, startedAt } } };
  }

  /** The log of `job` in the run on screen (fetched from the kept run when not live). */
  log(job: string): JobLog {
    let log = this.logs.get(job);
    if (!log) {
      log = new JobLog();
      this.logs.set(job, log);
    }
    return log;
  }

  async select(job: string | null): Promise<void> {
    this.selected = job;
    this.artifacts = [];
    if (!job || !this.run) return;
    const run = this.run;
    const status = run.jobs[job]?.status;
    if (!run.live && this.folder && !this.logs.has(job) && status && status !== 'skipped' && status !== 'created') {
      const log = this.log(job);
      try {
        const text = await this.backend.pipelineLog(this.folder, run.id, job);
        if (this.run === run) log.pushText(text);
      } catch (e) {
        this.toasts.error(e, 'Could not read the job log.');
      }
    }
    await this.loadArtifacts(job);
  }

  async loadArtifacts(job: string): Promise<void> {
    const run = this.run;
    if (!run || !this.folder || (run.live && run.jobs[job]?.status === 'running')) return;
    try {
      const artifacts = await this.backend.pipelineArtifacts(this.folder, run.id, job);
      if (this.selected === job) this.artifacts = artifacts;
    } catch {
      /* a job that kept none; the list stays empty */
    }
  }

  async saveArtifact(path: string): Promise<void> {
    if (!this.folder || !this.run || !this.selected) return;
    try {
      const saved = await this.backend.pipelineArtifactSave(this.folder, this.run.id, this.selected, path);
      if (saved) this.toasts.success(`Saved ${path} to ${saved}.`);
    } catch (e) {
      this.toasts.error(e, 'Could not save the artifact.');
    }
  }

  async saveLog(job: string): Promise<void> {
    if (!this.folder || !this.run) return;
    try {
      const saved = await this.backend.pipelineLogSave(this.folder, this.run.id, job);
      if (saved) this.toasts.success(`Saved the log of ${job} to ${saved}.`);
    } catch (e) {
      this.toasts.error(e, 'Could not save the log.');
    }
  }

  async cancel(): Promise<void> {
    if (!this.run?.live) return;
    try {
      await this.backend.pipelineCancel(this.run.id);
    } catch (e) {
      this.toasts.error(e, 'Could not cancel the run.');
    }
  }

  async play(job: string): Promise<void> {
    if (!this.run?.live || this.run.status !== 'running') return this.rerunJob(job);
    try {
      await this.backend.pipelinePlay(this.run.id, job);
    } catch (e) {
      this.toasts.error(e, `Could not start ${job}.`);
    }
  }

  async clearCache(): Promise<void> {
    if (!this.folder) return;
    try {
      const n = await this.backend.pipelineCacheClear(this.folder);
      this.toasts.success(n ? `Removed ${n} cache volume${n === 1 ? '' : 's'}.` : 'This project has no cache.');
    } catch (e) {
      this.toasts.error(e, 'Could not clear the cache.');
    }
  }

  /** Show a kept run from the history. */
  showRecord(record: RunRecord): void {
    if (this.running) return;
    const jobs: Record<string, JobState> = {};
    for (const j of record.jobs) jobs[j.name] = { status: j.status, allowedFailure: j.allowedFailure, reason: j.reason, durationSecs: j.durationSecs, startedAt: null };
    this.logs.clear();
    this.run = { id: record.id, live: false, status: record.status, jobs };
    const selected = this.selected;
    if (selected) void this.select(selected);
  }

  async refreshHistory(): Promise<void> {
    const folder = this.folder;
    if (!folder || !this.view) return;
    try {
      const runs = await this.backend.pipelineHistory(folder);
      if (this.folder === folder && this.view) this.view = { ...this.view, runs };
    } catch {
      /* the history is a convenience; runs report their own errors */
    }
  }
}
