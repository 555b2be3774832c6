import type { Backend, DropEvent, ExecSink, Unsubscribe } from './backend';
import { IpcError } from './error';
import { mockCandidates, mockContainers, mockEngine, mockImageList, mockImages, mockNetworks, statusText } from './mockData';
import type {
  About, ActionOutcome, ArchiveEvent, CommitSpec, ContainerAction, ContainerDetails, ContainerState, ContainerSummary,
  ContainersChanged, EngineAction, EngineCandidate, EngineHelp, EngineHelpOutcome, EngineStatus, ErrorCode, ExecSession, ImageDetails, ImageSummary, LogEvent,
  ComposeCreated, ComposeProgress, LogOptions, ProjectInfo, Stack, UpEvent, UpOptions, DownOptions,
  BuildEvent, BuildRequest, HistoryEntry, Language, Project, Starter,
  LogLine, LoginRequest, PruneChanges, PruneKept, PruneScope, Registries, RunSpec, StatsEvent, TransferEvent,
  NetworkSpec, NetworkSummary, VolumeFile, VolumeSpec, VolumeSummary, Settings, SettingsView, WorkDone,
  Artifact, PageTimeline, PipelineEvent, PipelineRunRequest, PipelineView,
} from './bindings';
import { mockNetworkList, mockPipeline, mockPlan, mockProject, mockVolumeList } from './mockData';

export interface MockOptions {
  status?: EngineStatus;
  containers?: ContainerSummary[];
  /** Keep appending log lines to followed logs (for `npm run dev`). */
  liveLogs?: boolean;
  /** Artificial latency of every command, in ms. */
  latency?: number;
  /** Lines of history each log subscription starts with (default 500). */
  logLines?: number;
}

const NEXT_STATE: Record<ContainerAction, ContainerState> = {
  start: 'running', stop: 'exited', restart: 'running', kill: 'exited', pause: 'paused', unpause: 'running',
};

/** A prune's changes since its confirmation, worded as the app words them. */
function changes(kind: string, kept: PruneKept[], appeared: string[]): PruneChanges {
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const notes = [];
  if (kept.length) notes.push(`${n(kept.length, kind)} ${kept.length === 1 ? 'was' : 'were'} not removed: ${kept.map((k) => `${k.name} ${k.why}`).join('; ')}.`);
  if (appeared.length) notes.push(`${n(appeared.length, `new unused ${kind}`)} appeared after you confirmed; ${appeared.length === 1 ? 'it was' : 'they were'} kept.`);
  return { kept, appeared, notes };
}

export function defaultSettings(): Settings {
  return {
    tray: false, theme: 'system', lastView: null,
    notifications: { build: true, pull: true, push: true, stackUp: true, pipeline: true, containerDied: true },
  };
}

function fail(code: ErrorCode, message: string, field: string | null = null): never {
  throw new IpcError({ code, message, detail: `mock: ${message}`, field }, 'mock');
}

const SAMPLE_LOG = [
  '\x1b[32mINFO\x1b[0m  server listening on \x1b[1m0.0.0.0:3000\x1b[0m',
  '\x1b[36mDEBUG\x1b[0m connected to postgres://db:5432/shop (pool=10)',
  'GET /api/products 200 12ms',
  'GET /api/cart 200 4ms',
  '\x1b[33mWARN\x1b[0m  slow query (812ms): SELECT * FROM orders WHERE user_id = $1',
  'POST /api/checkout 201 88ms',
];

/** In-memory backend for unit tests and for running the UI in a plain browser. */
export class MockBackend implements Backend {
  status: EngineStatus;
  containers = new Map<string, ContainerSummary>();
  readonly calls: { command: string; args: unknown[] }[] = [];
  /** Per-id errors returned by container_action / container_remove. */
  failures = new Map<string, string>();
  readonly writes: string[] = [];
  private statusHandlers = new Set<(s: EngineStatus) => void>();
  private changeHandlers = new Set<(c: ContainersChanged) => void>();
  private imageHandlers = new Set<(i: ImageSummary[]) => void>();
  images: ImageSummary[] = mockImageList();
  /** Channels of running pulls/pushes by subscription id, for tests to drive. */
  readonly transfers = new Map<string, (e: TransferEvent) => void>();
  /** Channels of running builds by subscription id, for tests to drive. */
  readonly builds = new Map<string, { request: BuildRequest; onEvent: (e: BuildEvent) => void }>();
  /** Folders the mock knows, by path; others are "missing". */
  projects = new Map<string, Project>([[mockProject.folder, mockProject]]);
  history: HistoryEntry[] = [];
  /** What `projectPick` answers (null: the user cancelled). */
  picked: string | null = mockProject.folder;
  private dropHandlers = new Set<(e: DropEvent) => void>();
  readonly archives = new Map<string, (e: ArchiveEvent) => void>();
  private logSubs = new Map<string, { onEvent: (e: LogEvent) => void; timer: ReturnType<typeof setInterval> | null }>();
  private execs = new Map<string, ExecSink>();
  private nextId = 1;
  private readonly options: MockOptions;

  constructor(options: MockOptions = {}) {
    this.options = options;
    this.status = options.status ?? { type: 'connected', engine: mockEngine };
    for (const c of options.containers ?? mockContainers()) this.containers.set(c.id, c);
  }

  // ---- test helpers ----

  setStatus(status: EngineStatus): void {
    this.status = status;
    for (const h of this.statusHandlers) h(status);
  }

  emitChanged(change: ContainersChanged): void {
    for (const c of change.upserted) this.containers.set(c.id, c);
    for (const id of change.removed) this.containers.delete(id);
    for (const h of this.changeHandlers) h(change);
    // As the backend does: a container change re-reads the stacks and pushes them.
    const stacks = this.stackList();
    for (const h of this.stackHandlers) h(stacks);
  }

  emitLog(subscriptionId: string, event: LogEvent): void {
    this.logSubs.get(subscriptionId)?.onEvent(event);
  }

  get activeLogSubscriptions(): string[] {
    return [...this.logSubs.keys()];
  }

  byName(name: string): ContainerSummary {
    const c = [...this.containers.values()].find((x) => x.name === name);
    if (!c) throw new Error(`no mock container ${name}`);
    return c;
  }

  // ---- Backend ----

  private async step<T>(command: string, args: unknown[], body: () => T): Promise<T> {
    this.calls.push({ command, args });
    if (this.options.latency) await new Promise((r) => setTimeout(r, this.options.latency));
    else await Promise.resolve();
    try {
      return body();
    } catch (e) {
      throw IpcError.from(e instanceof IpcError ? e.toPayload() : e, command);
    }
  }

  private requireEngine(): void {
    if (this.status.type !== 'connected') fail('EngineUnreachable', 'No container engine is reachable.');
  }

  private get(id: string): ContainerSummary {
    const c = this.containers.get(id);
    if (!c) fail('NotFound', `No such container: ${id.slice(0, 12)}.`);
    return c;
  }

  // A copy, as real IPC deserialises a new object on every call.
  engineStatus() { return this.step('engine_status', [], () => structuredClone(this.status)); }

  engineCandidates() {
    return this.step('engine_candidates', [], (): EngineCandidate[] => mockCandidates.map((c) => ({ ...c })));
  }

  engineHelp() {
    return this.step('engine_help', [], (): EngineHelp => ({
      os: 'linux',
      steps: ['Docker Engine is installed but its service is not running.', 'Start it with “Start the Docker service” (it asks for your password), or run: sudo systemctl start docker'],
      actions: ['startDockerService'],
    }));
  }

  engineHelpAct(action: EngineAction) {
    return this.step('engine_help_act', [action], (): EngineHelpOutcome => ({
      ok: false,
      message: 'Starting the Docker service was cancelled or not allowed. Run: sudo systemctl start docker',
    }));
  }

  engineSelect(host: string) {
    return this.step('engine_select', [host], () => {
      const c = mockCandidates.find((x) => x.host === host);
      if (!c) fail('NotFound', `Unknown endpoint ${host}.`);
      if (c.error) fail('EngineUnreachable', c.error);
      this.setStatus({ type: 'connected', engine: { ...mockEngine, name: c.name, host } });
      return this.status;
    });
  }

  containerList() {
    return this.step('container_list', [], () => {
      this.requireEngine();
      return [...this.containers.values()];
    });
  }

  private patch(ids: string[], apply: (c: ContainerSummary) => ContainerSummary | null): ActionOutcome[] {
    this.requireEngine();
    const upserted: ContainerSummary[] = [];
    const removed: string[] = [];
    const outcomes = ids.map((id): ActionOutcome => {
      const failure = this.failures.get(id);
      if (failure) return { id, error: { code: 'Conflict', message: failure, detail: `mock: ${failure}`, field: null } };
      const c = this.containers.get(id);
      if (!c) return { id, error: { code: 'NotFound', message: `No such container: ${id.slice(0, 12)}.`, detail: '', field: null } };
      try {
        const next = apply(c);
        if (next) upserted.push(next); else removed.push(id);
        return { id, error: null };
      } catch (e) {
        return { id, error: IpcError.from(e instanceof IpcError ? e.toPayload() : e, 'mock').toPayload() };
      }
    });
    setTimeout(() => this.emitChanged({ upserted, removed }), 0);
    return outcomes;
  }

  containerAction(ids: string[], action: ContainerAction) {
    return this.step('container_action', [ids, action], () => this.patch(ids, (c) => {
      const state = NEXT_STATE[action];
      return { ...c, state, status: statusText(state, 1, action === 'kill' ? 137 : 0) };
    }));
  }

  containerRemove(ids: string[], force: boolean) {
    return this.step('container_remove', [ids, force], () => this.patch(ids, (c) => {
      if (!force && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting')) {
        fail('Conflict', `${c.name} is running; stop it first or force the removal.`);
      }
      return null;
    }));
  }

  containerRename(id: string, name: string) {
    return this.step('container_rename', [id, name], () => {
      const row = { ...this.get(id), name: name.trim() };
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(row.name)) fail('InvalidInput', 'A container name starts with a letter or digit and holds only letters, digits, \'_\', \'.\' and \'-\'.', 'name');
      if ([...this.containers.values()].some((c) => c.name === row.name && c.id !== id)) fail('Conflict', `The name “${row.name}” is already in use.`);
      this.containers.set(id, row);
      return { ...row };
    });
  }

  containerInspect(id: string) {
    return this.step('container_inspect', [id], (): ContainerDetails => {
      const summary = this.get(id);
      const running = summary.state === 'running' || summary.state === 'paused';
      const details: Omit<ContainerDetails, 'raw'> = {
        summary,
        hostname: id.slice(0, 12),
        user: '',
        workingDir: '/app',
        entrypoint: ['docker-entrypoint.sh'],
        cmd: summary.command.split(' ').slice(1),
        env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin', 'NODE_ENV=production', 'DATABASE_PASSWORD=hunter2'],
        mounts: summary.composeProject ? [{
          type: 'volume', name: `${summary.composeProject}_data`, source: `/var/lib/docker/volumes/${summary.composeProject}_data/_data`,
          destination: '/data', readOnly: false,
        }] : [],
        networks: [{ name: summary.composeProject ? `${summary.composeProject}_default` : 'bridge',
          ipAddress: running ? '172.18.0.3' : '', gateway: '172.18.0.1', macAddress: '02:42:ac:12:00:03' }],
        restartPolicy: summary.composeProject ? 'unless-stopped' : 'no',
        autoRemove: false,
        startedAt: new Date((summary.created + 60) * 1000).toISOString(),
        finishedAt: running ? null : new Date((summary.created + 120) * 1000).toISOString(),
        exitCode: running ? null : summary.status.includes('(1)') ? 1 : 0,
        health: summary.name.includes('db') ? 'healthy' : null,
        tty: false,
      };
      return { ...details, raw: JSON.stringify({ Id: id, Name: `/${summary.name}`, ...details }, null, 2) };
    });
  }

  containerRun(spec: RunSpec) {
    return this.step('container_run', [spec], () => {
      this.requireEngine();
      if (!mockImages.includes(spec.image)) fail('InvalidInput', `Image “${spec.image}” is not available locally.`, 'image');
      const name = spec.name ?? `berth-${this.nextId++}`;
      if ([...this.containers.values()].some((c) => c.name === name)) fail('Conflict', `The name “${name}” is already in use.`);
      const id = `${Date.now().toString(16)}${'0'.repeat(52)}`.slice(0, 64);
      const summary: ContainerSummary = {
        id, name, image: spec.image, imageId: 'sha256:0', command: spec.command ?? '', state: 'running',
        status: statusText('running', 1), created: Math.floor(Date.now() / 1000), ports: [],
        composeProject: null, composeService: null, labels: {},
      };
      setTimeout(() => this.emitChanged({ upserted: [summary], removed: [] }), 0);
      return summary;
    });
  }

  containerLogsSubscribe(id: string, options: { follow: boolean; timestamps: boolean; tail: number | null }, onEvent: (e: LogEvent) => void) {
    return this.step('container_logs_subscribe', [id, options], () => {
      const c = this.get(id);
      const subId = `logs-${this.nextId++}`;
      const history = this.options.logLines ?? 500;
      const count = Math.min(options.tail ?? history, history);
      const line = (i: number): LogLine => {
        const text = SAMPLE_LOG[i % SAMPLE_LOG.length];
        const ts = new Date(Date.now() - (count - i) * 1000).toISOString();
        return { stream: i % 11 === 10 ? 'err' : 'out', text: options.timestamps ? `${ts} ${text}` : text };
      };
      let n = 0;
      const timer = options.follow && this.options.liveLogs && c.state === 'running'
        ? setInterval(() => onEvent({ type: 'lines', lines: [line(n++)] }), 1000) : null;
      this.logSubs.set(subId, { onEvent, timer });
      setTimeout(() => {
        for (let sent = 0; sent < count; sent += 10_000) {
          onEvent({ type: 'lines', lines: Array.from({ length: Math.min(10_000, count - sent) }, () => line(n++)) });
        }
        if (c.state !== 'running') onEvent({ type: 'end', error: null });
      }, 0);
      return subId;
    });
  }

  /** A made-up sample a second while the container runs (shares the log subscriptions' cancel). */
  containerStatsSubscribe(id: string, onEvent: (e: StatsEvent) => void) {
    return this.step('container_stats_subscribe', [id], () => {
      const c = this.get(id);
      const subId = `stats-${this.nextId++}`;
      let n = 0;
      const sample = () => onEvent({
        type: 'sample',
        sample: {
          cpuPercent: 20 + 15 * Math.sin(n / 3), cpus: 4, memoryBytes: (48 + (n++ % 7)) * 2 ** 20, memoryLimitBytes: 8 * 2 ** 30,
          netRxBytes: n * 12_000, netTxBytes: n * 3_000, blockReadBytes: 4 * 2 ** 20, blockWriteBytes: n * 2 ** 16, pids: 3,
        },
      });
      const timer = c.state === 'running' ? setInterval(sample, 1000) : null;
      this.logSubs.set(subId, { onEvent: () => {}, timer });
      setTimeout(() => (c.state === 'running' ? sample() : onEvent({ type: 'end', error: null })), 0);
      return subId;
    });
  }

  containerLogsSave(id: string, timestamps: boolean) {
    return this.step('container_logs_save', [id, timestamps], () => `/home/dev/${this.get(id).name}.log`);
  }

  subscriptionCancel(id: string) {
    return this.step('subscription_cancel', [id], () => {
      this.transfers.delete(id);
      this.archives.delete(id);
      const sub = this.logSubs.get(id);
      if (sub?.timer) clearInterval(sub.timer);
      this.logSubs.delete(id);
    });
  }

  execStart(containerId: string, cols: number, rows: number, sink: ExecSink) {
    return this.step('exec_start', [containerId, cols, rows], (): ExecSession => {
      const c = this.get(containerId);
      if (c.state !== 'running') fail('Conflict', `${c.name} is not running.`);
      const execId = `exec-${this.nextId++}`;
      this.execs.set(execId, sink);
      const prompt = `root@${containerId.slice(0, 12)}:/# `;
      setTimeout(() => sink.output(new TextEncoder().encode(prompt)), 0);
      return { execId, shell: '/bin/sh' };
    });
  }

  execWrite(execId: string, data: string) {
    return this.step('exec_write', [execId, data], () => {
      this.writes.push(data);
      const sink = this.execs.get(execId);
      if (!sink) fail('NotFound', 'The terminal session has ended.');
      if (data === '\x04') {
        this.execs.delete(execId);
        sink.exit();
        return;
      }
      const echo = data.replace(/\r/g, '\r\nmock shell: commands are not run in the browser preview\r\n# ');
      sink.output(new TextEncoder().encode(echo));
    });
  }

  execResize(execId: string, cols: number, rows: number) {
    return this.step('exec_resize', [execId, cols, rows], () => undefined);
  }

  execClose(execId: string) {
    return this.step('exec_close', [execId], () => { this.execs.delete(execId); });
  }

  imageNames() { return this.step('image_names', [], () => [...mockImages]); }
  networkNames() { return this.step('network_names', [], () => [...mockNetworks]); }
  portOpen(port: number) { return this.step('port_open', [port], () => undefined); }
  appReady(rows: number, timeline: PageTimeline) { return this.step('app_ready', [rows, timeline], () => undefined); }
  appAbout() {
    return this.step('app_about', [], (): About => {
      const engine = this.status.type === 'connected'
        ? { product: this.status.engine.product, version: this.status.engine.version, apiVersion: this.status.engine.apiVersion,
            endpoint: 'Unix socket', chosenBy: this.status.engine.name, runsOn: this.status.engine.os }
        : null;
      const lines = ['Berth 0.1.0', 'Tauri 2.0.0', 'Web view: 2.44.0', 'OS: Linux, x86_64',
        engine ? `Engine: ${engine.product} ${engine.version} (API ${engine.apiVersion}), over ${engine.endpoint}, chosen by ${engine.chosenBy}, running on ${engine.runsOn}` : 'Engine: not connected'];
      return { appVersion: '0.1.0', tauriVersion: '2.0.0', webviewVersion: '2.44.0', os: 'Linux, x86_64', engine,
        logDir: '/home/me/.local/state/berth/logs', diagnostics: `${lines.join('\n')}\n` };
    });
  }
  appOpenLogFolder() { return this.step('app_open_log_folder', [], () => undefined); }
  appQuit() { return this.step('app_quit', [], () => undefined); }

  /** What settings.json holds; `settingsProblem` as when the file could not be read. */
  settings: Settings = defaultSettings();
  settingsProblem: string | null = null;
  /** Notifications asked for (the real shell shows them only when the window is not focused). */
  readonly notified: WorkDone[] = [];
  /** What `launchFolder` answers once. */
  launchedWith: string | null = null;
  private openFolderHandlers = new Set<(folder: string) => void>();

  settingsGet() {
    return this.step('settings_get', [], (): SettingsView => ({ settings: structuredClone(this.settings), problem: this.settingsProblem }));
  }
  settingsSet(settings: Settings) {
    return this.step('settings_set', [settings], (): SettingsView => {
      this.settings = structuredClone(settings);
      this.settingsProblem = null;
      return { settings: structuredClone(settings), problem: null };
    });
  }
  notifyDone(work: WorkDone) { return this.step('notify_done', [work], () => { this.notified.push(work); }); }
  launchFolder() {
    return this.step('launch_folder', [], () => { const f = this.launchedWith; this.launchedWith = null; return f; });
  }
  onOpenFolder(handler: (folder: string) => void): Unsubscribe {
    this.openFolderHandlers.add(handler);
    return () => this.openFolderHandlers.delete(handler);
  }
  /** Test hook: a second launch named `folder`. */
  emitOpenFolder(folder: string): void {
    for (const h of this.openFolderHandlers) h(folder);
  }

  emitImages(images: ImageSummary[]): void {
    this.images = images;
    for (const h of this.imageHandlers) h(images);
  }

  private image(ref: string): ImageSummary {
    const i = this.images.find((x) => x.id === ref || x.repoTags.includes(ref));
    if (!i) fail('NotFound', `Image ${ref} was not found. It may have been removed meanwhile.`);
    return i;
  }

  private unused(scope: PruneScope): ImageSummary[] {
    return this.images.filter((i) => i.containers === 0 && (scope === 'unused' || i.dangling));
  }

  imageList() { return this.step('image_list', [], () => { this.requireEngine(); return [...this.images]; }); }

  imageDetails(image: string) {
    return this.step('image_details', [image], (): ImageDetails => ({
      summary: this.image(image), os: 'linux', architecture: 'amd64', author: '',
      entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: ['PATH=/usr/bin', 'NGINX_VERSION=1.27'],
      workingDir: '', user: '', exposedPorts: ['80/tcp'], volumes: [], labels: { maintainer: 'NGINX' },
      layers: [
        { instruction: 'ADD file:abc in /', size: 7_800_000, created: 0, comment: '' },
        { instruction: 'ENV NGINX_VERSION=1.27', size: 0, created: 0, comment: '' },
        { instruction: 'RUN apk add --no-cache nginx', size: 35_000_000, created: 0, comment: '' },
        { instruction: 'EXPOSE 80', size: 0, created: 0, comment: '' },
        { instruction: 'CMD ["nginx" "-g" "daemon off;"]', size: 0, created: 0, comment: '' },
      ],
    }));
  }

  imageRemove(image: string, force: boolean) {
    return this.step('image_remove', [image, force], () => {
      const i = this.image(image);
      if (i.containers > 0 && !force) fail('Conflict', 'The image is used by containers web: remove them first, or remove the image with force.');
      setTimeout(() => this.emitImages(this.images.filter((x) => x !== i)), 0);
    });
  }

  imagePruneEstimate(scope: PruneScope) {
    return this.step('image_prune_estimate', [scope], () => {
      const doomed = this.unused(scope);
      return { images: doomed.map((i) => i.id), bytes: doomed.reduce((n, i) => n + i.size, 0), upperBound: false };
    });
  }

  imagePrune(scope: PruneScope, images: string[]) {
    return this.step('image_prune', [scope, images], () => {
      const unused = this.unused(scope);
      const doomed = unused.filter((i) => images.includes(i.id));
      setTimeout(() => this.emitImages(this.images.filter((i) => !doomed.includes(i))), 0);
      const appeared = unused.filter((i) => !images.includes(i.id)).map((i) => i.id);
      return { images: doomed.map((i) => i.id), bytes: doomed.reduce((n, i) => n + i.size, 0), ...changes('image', [], appeared) };
    });
  }

  imageReference(input: string) {
    return this.step('image_reference', [input], () => {
      const value = input.trim();
      if (!value || /[A-Z]/.test(value.split(':')[0]) || value.startsWith(':') || value.endsWith(':')) {
        fail('InvalidInput', `“${input}” is not a valid image reference.`, 'reference');
      }
      const familiar = value.includes(':') || value.includes('@') ? value : `${value}:latest`;
      const normalized = familiar.includes('/') ? familiar : `docker.io/library/${familiar}`;
      return { normalized, familiar };
    });
  }

  private transfer(command: string, args: unknown[], reference: string, onEvent: (e: TransferEvent) => void) {
    return this.step(command, args, () => {
      this.requireEngine();
      const id = `sub-${this.nextId++}`;
      this.transfers.set(id, onEvent);
      return { id, reference };
    });
  }

  imagePull(reference: string, onEvent: (e: TransferEvent) => void) {
    return this.transfer('image_pull', [reference], reference, onEvent);
  }

  imagePush(image: string, target: string, onEvent: (e: TransferEvent) => void) {
    return this.transfer('image_push', [image, target], target, onEvent);
  }

  imageTag(image: string, target: string) {
    return this.step('image_tag', [image, target], () => { this.image(image); return target; });
  }

  imageSearchHub(term: string) {
    return this.step('image_search_hub', [term], () => {
      if (!term.trim()) fail('InvalidInput', 'Type a word to search Docker Hub for.', 'term');
      return [{ name: term, description: `Official ${term} image`, stars: 1200, official: true, automated: false },
        { name: `bitnami/${term}`, description: '', stars: 80, official: false, automated: true }];
    });
  }

  imageRegistrySearch(registry: string, term: string) {
    return this.step('image_registry_search', [registry, term], () =>
      ['team/api', 'team/web', 'tools/migrate'].filter((r) => r.includes(term)));
  }

  imageRegistryTags(registry: string, repository: string) {
    return this.step('image_registry_tags', [registry, repository], () => ['latest', '2.0', '1.0']);
  }

  /** Saves and loads run until the test sends their end through `archives`. */
  private archive(command: string, args: unknown[], onEvent: (e: ArchiveEvent) => void) {
    return this.step(command, args, () => {
      const id = `sub-${this.nextId++}`;
      this.archives.set(id, onEvent);
      setTimeout(() => onEvent({ type: 'progress', bytes: 4, total: 10 }), 0);
      return { id };
    });
  }

  imageSave(images: string[], onEvent: (e: ArchiveEvent) => void) {
    return this.archive('image_save', [images], onEvent);
  }

  imageLoad(onEvent: (e: ArchiveEvent) => void) {
    return this.archive('image_load', [], onEvent);
  }

  containerCommit(spec: CommitSpec) {
    return this.step('container_commit', [spec], () => { this.get(spec.container); return `${spec.repository}:${spec.tag || 'latest'}`; });
  }

  // ---- compose (derived from the mock containers' labels) ----

  composeStacks() {
    return this.step('compose_stacks', [], () => this.stackList());
  }

  private stackHandlers = new Set<(s: Stack[]) => void>();

  onStacksChanged(handler: (s: Stack[]) => void): Unsubscribe {
    this.stackHandlers.add(handler);
    return () => this.stackHandlers.delete(handler);
  }

  private stackList(): Stack[] {
    const stacks = new Map<string, Stack>();
    for (const c of this.containers.values()) {
      if (!c.composeProject) continue;
      const st = stacks.get(c.composeProject) ?? {
        name: c.composeProject, workingDir: `/home/dev/${c.composeProject}`, configFiles: [`/home/dev/${c.composeProject}/compose.yaml`],
        services: [], running: 0, total: 0,
      };
      stacks.set(c.composeProject, st);
      st.total += 1;
      if (c.state === 'running') st.running += 1;
      const name = c.composeService ?? '';
      let svc = st.services.find((s) => s.name === name);
      if (!svc) st.services.push((svc = { name, containers: [] }));
      const health = /\((healthy|unhealthy)\)/.exec(c.status)?.[1] ?? null;
      svc.containers.push({ id: c.id, name: c.name, number: 1, image: c.image, state: c.state, status: c.status, health, ports: c.ports });
    }
    return [...stacks.values()];
  }

  composeOpen(dir: string, profiles: string[]) {
    return this.step('compose_open', [dir, profiles], (): ProjectInfo => {
      if (!dir.trim()) fail('InvalidInput', 'No compose file was found in that folder.');
      const name = dir.split('/').filter(Boolean).pop() ?? 'project';
      return {
        name, workingDir: dir, configFiles: [`${dir}/compose.yaml`], services: ['web', 'db'], profiles: ['debug'],
        activeProfiles: profiles, built: ['web'], disabled: profiles.includes('debug') ? [] : ['debugger'], warnings: [],
        orphans: [...this.containers.values()]
          .filter((c) => c.composeProject === name && !['web', 'db', 'debugger'].includes(c.composeService ?? ''))
          .map((c) => ({ id: c.id, name: c.name, service: c.composeService ?? '', state: c.state, oneOff: false })),
        config: `name: ${name}\nservices:\n  web:\n    image: nginx\n  db:\n    image: postgres\n`,
      };
    });
  }


  composeUp(dir: string, profiles: string[], options: UpOptions, onEvent: (e: UpEvent) => void) {
    return this.step('compose_up', [dir, profiles, options], () => {
      const created: ComposeCreated = { containers: [], networks: [], volumes: [], inherited: [] };
      setTimeout(() => {
        onEvent({ type: 'progress', resource: 'Container shop-web-1', service: 'web', state: 'Started' });
        onEvent({ type: 'done', error: null, created, warnings: [] });
      }, 0);
      return `up-${this.nextId++}`;
    });
  }

  composeBuild(dir: string, services: string[], onEvent: (e: UpEvent) => void) {
    return this.step('compose_build', [dir, services], () => {
      setTimeout(() => {
        onEvent({ type: 'progress', resource: 'Image shop-web', service: 'web', state: 'Built' });
        onEvent({ type: 'done', error: null, created: { containers: [], networks: [], volumes: [], inherited: [] }, warnings: [] });
      }, 0);
      return `build-${this.nextId++}`;
    });
  }

  composeDown(project: string, options: DownOptions, onProgress: (p: ComposeProgress) => void) {
    return this.step('compose_down', [project, options], () => {
      for (const c of [...this.containers.values()].filter((x) => x.composeProject === project)) {
        this.containers.delete(c.id);
        onProgress({ resource: `Container ${c.name}`, service: c.composeService, state: 'Removed' });
        for (const h of this.changeHandlers) h({ upserted: [], removed: [c.id] });
      }
    });
  }

  composePull(dir: string, services: string[], onProgress: (p: ComposeProgress) => void) {
    return this.step('compose_pull', [dir, services], () => onProgress({ resource: 'Image nginx', service: 'web', state: 'Pulled' }));
  }

  composeAction(project: string, service: string | null, action: ContainerAction) {
    return this.step('compose_action', [project, service, action], () => {
      for (const c of this.containers.values()) {
        if (c.composeProject === project && (!service || c.composeService === service)) c.state = NEXT_STATE[action];
      }
    });
  }

  composeUndo(created: ComposeCreated, inherited: boolean) { return this.step('compose_undo', [created, inherited], () => undefined); }

  composeLogsSubscribe(project: string, service: string | null, options: LogOptions, onEvent: (e: LogEvent) => void) {
    return this.step('compose_logs_subscribe', [project, service, options], () => {
      const lines: LogLine[] = SAMPLE_LOG.map((text, i) => ({ stream: 'out', text: `\x1b[3${(i % 2) + 6}m${i % 2 ? 'db-1 ' : 'web-1'} |\x1b[0m ${text}` }));
      setTimeout(() => onEvent({ type: 'lines', lines }), 0);
      return `logs-${this.nextId++}`;
    });
  }

  composeValidate(dir: string, file: string, text: string, profiles: string[]) {
    return this.step('compose_validate', [dir, file, text, profiles], () => {
      if (text.includes('\t')) return { problem: { file, line: 1, field: null, message: 'found a tab character' }, project: null };
      return { problem: null, project: { name: 'shop', workingDir: dir, configFiles: [file], services: [], profiles: [], activeProfiles: [], built: [], disabled: [], warnings: [], config: text, orphans: [] } };
    });
  }

  composeFileRead(dir: string, file: string) { return this.step('compose_file_read', [dir, file], () => 'services:\n  web:\n    image: nginx\n'); }
  composeFileSave(dir: string, file: string, text: string) { return this.step('compose_file_save', [dir, file, text], () => undefined); }

  private project(folder: string): Project {
    const p = this.projects.get(folder);
    if (!p) fail('InvalidInput', `${folder} does not exist.`, 'folder');
    return p;
  }

  projectOpen(folder: string) {
    return this.step('project_open', [folder], () => {
      if (/\.[a-z]+$/i.test(folder) && !this.projects.has(folder)) {
        fail('InvalidInput', `${folder} is a file. Drop or choose the project's folder instead.`, 'folder');
      }
      return this.project(folder);
    });
  }

  projectPick() {
    return this.step('project_pick', [], () => (this.picked ? this.project(this.picked) : null));
  }

  projectRecent() {
    return this.step('project_recent', [], () => [...this.projects.keys()].map((folder, i) => ({ folder, openedAt: 1_700_000_000_000 - i })));
  }

  buildPlan(folder: string, dockerfile: string) {
    return this.step('build_plan', [folder, dockerfile], () => ({ ...mockPlan, dockerfile, defaultTag: this.project(folder).name }));
  }

  buildStart(request: BuildRequest, onEvent: (e: BuildEvent) => void) {
    return this.step('build_start', [request], () => {
      this.requireEngine();
      const id = `sub-${this.nextId++}`;
      this.builds.set(id, { request, onEvent });
      return { id };
    });
  }

  buildHistory(folder: string) {
    return this.step('build_history', [folder], () => this.history);
  }

  starterPreview(language: Language) {
    return this.step('starter_preview', [language], () => ({ language, dockerfile: `FROM ${language}\n`, dockerignore: '.git\n' }));
  }

  starterWrite(folder: string, starter: Starter) {
    return this.step('starter_write', [folder, starter], () => {
      const p = this.project(folder);
      const next = { ...p, dockerfiles: ['Dockerfile'] };
      this.projects.set(folder, next);
      return next;
    });
  }

  onDrop(handler: (e: DropEvent) => void): Unsubscribe {
    this.dropHandlers.add(handler);
    return () => this.dropHandlers.delete(handler);
  }

  /** Test hook: files dragged over / dropped on the window. */
  get listensForDrops(): boolean {
    return this.dropHandlers.size > 0;
  }

  emitDrop(e: DropEvent): void {
    for (const h of this.dropHandlers) h(e);
  }

  /** Registry logins; the mock accepts any secret except "wrong". */
  registries: Registries = {
    logins: [{ host: 'ghcr.io', username: 'octocat', keychain: false, helper: null, plainText: true }],
    cliHelper: 'secretservice',
    installableHelper: null,
    configFile: '/home/dev/.docker/config.json',
    problems: [],
  };

  registryList() {
    return this.step('registry_list', [], () => structuredClone(this.registries));
  }

  registryLogin(request: LoginRequest) {
    return this.step('registry_login', [{ ...request, secret: '<redacted>' }], () => {
      if (!request.host.trim()) fail('InvalidInput', 'Type the registry address.', 'host');
      if (!request.username.trim()) fail('InvalidInput', 'Type the user name for this registry.', 'username');
      if (request.host === 'registry.gitlab.com' && request.trustTokenHost !== 'gitlab.com') {
        fail('InvalidInput', 'The registry registry.gitlab.com sends logins to a token service on another host, gitlab.com. Your password was not sent: confirm that you trust gitlab.com with it to log in.', 'trustTokenHost');
      }
      if (request.secret === 'wrong') fail('InvalidInput', `Wrong username or password for ${request.host}. Nothing was saved.`, 'secret');
      const rest = this.registries.logins.filter((l) => l.host !== request.host);
      const helper = request.shareWithCli ? this.registries.cliHelper : null;
      this.registries.logins = [...rest, { host: request.host, username: request.username, keychain: true, helper, plainText: false }];
      return structuredClone(this.registries);
    });
  }

  registryLogout(host: string) {
    return this.step('registry_logout', [host], () => {
      this.registries.logins = this.registries.logins.filter((l) => l.host !== host);
      return structuredClone(this.registries);
    });
  }

  registryMoveToKeychain(host: string, cliHelper: string | null) {
    return this.step('registry_move_to_keychain', [host, cliHelper], () => {
      const login = this.registries.logins.find((l) => l.host === host && l.plainText);
      if (!login) fail('NotFound', `A plain-text login for ${host} was not found.`);
      if (!this.registries.cliHelper && cliHelper) this.registries.cliHelper = cliHelper;
      const helper = this.registries.cliHelper;
      Object.assign(login, { plainText: !helper, keychain: true, helper });
      return structuredClone(this.registries);
    });
  }

  onImagesChanged(handler: (i: ImageSummary[]) => void): Unsubscribe {
    this.imageHandlers.add(handler);
    return () => this.imageHandlers.delete(handler);
  }

  onEngineStatus(handler: (s: EngineStatus) => void): Unsubscribe {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  onContainersChanged(handler: (c: ContainersChanged) => void): Unsubscribe {
    this.changeHandlers.add(handler);
    return () => this.changeHandlers.delete(handler);
  }

  // ---- volumes and networks ----

  volumes: VolumeSummary[] = mockVolumeList();
  networks: NetworkSummary[] = mockNetworkList();
  private volumeHandlers = new Set<(v: VolumeSummary[]) => void>();
  private networkHandlers = new Set<(n: NetworkSummary[]) => void>();

  emitVolumes(volumes: VolumeSummary[]): void {
    this.volumes = volumes;
    for (const h of this.volumeHandlers) h(volumes);
  }

  emitNetworks(networks: NetworkSummary[]): void {
    this.networks = networks;
    for (const h of this.networkHandlers) h(networks);
  }

  private volume(name: string): VolumeSummary {
    return this.volumes.find((v) => v.name === name) ?? fail('NotFound', `Volume ${name} was not found. It may have been removed meanwhile.`);
  }

  private network(ref: string): NetworkSummary {
    return this.networks.find((n) => n.name === ref || n.id === ref) ?? fail('NotFound', `Network ${ref} was not found. It may have been removed meanwhile.`);
  }

  volumeList() { return this.step('volume_list', [], () => { this.requireEngine(); return [...this.volumes]; }); }

  volumeMeasure() { return this.step('volume_measure', [], () => { this.requireEngine(); return [...this.volumes]; }); }

  volumeCreate(spec: VolumeSpec) {
    return this.step('volume_create', [spec], () => {
      const name = spec.name.trim() || `${Date.now().toString(16)}${this.nextId++}`;
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) fail('InvalidInput', `“${name}” cannot name a volume: use two or more letters, digits, “_”, “.” or “-”, starting with a letter or digit.`, 'name');
      if (this.volumes.some((v) => v.name === name)) fail('InvalidInput', `A volume named “${name}” already exists: pick another name.`, 'name');
      const volume: VolumeSummary = { name, driver: spec.driver || 'local', mountpoint: `/var/lib/docker/volumes/${name}/_data`,
        created: new Date().toISOString(), labels: spec.labels, composeProject: spec.labels['com.docker.compose.project'] ?? null, containers: [], size: 0 };
      setTimeout(() => this.emitVolumes([...this.volumes, volume]), 0);
      return volume;
    });
  }

  volumeInspect(name: string) {
    return this.step('volume_inspect', [name], () => {
      const summary = this.volume(name);
      return { summary, scope: 'local', options: {}, raw: JSON.stringify({ Name: name, Driver: summary.driver }, null, 2) };
    });
  }

  volumeRemove(name: string) {
    return this.step('volume_remove', [name], () => {
      const v = this.volume(name);
      const users = v.containers.map((c) => c.name);
      if (users.length) fail('Conflict', `Volume ${name} is used by container ${users.join(', ')}: remove it first (a stopped container still holds its volumes).`);
      setTimeout(() => this.emitVolumes(this.volumes.filter((x) => x !== v)), 0);
    });
  }

  volumePruneEstimate() {
    return this.step('volume_prune_estimate', [], () => {
      const doomed = this.volumes.filter((v) => !v.containers.length);
      return { volumes: doomed.map((v) => v.name), bytes: doomed.reduce((n, v) => n + (v.size ?? 0), 0) };
    });
  }

  volumePrune(volumes: string[]) {
    return this.step('volume_prune', [volumes], () => {
      const unused = this.volumes.filter((v) => !v.containers.length);
      const doomed = unused.filter((v) => volumes.includes(v.name));
      setTimeout(() => this.emitVolumes(this.volumes.filter((v) => !doomed.includes(v))), 0);
      const kept = volumes.filter((name) => !doomed.some((v) => v.name === name)).map((name) => ({ name, why: 'is now used by a container' }));
      const appeared = unused.filter((v) => !volumes.includes(v.name)).map((v) => v.name);
      return { volumes: doomed.map((v) => v.name), bytes: doomed.reduce((n, v) => n + (v.size ?? 0), 0), ...changes('volume', kept, appeared) };
    });
  }

  volumeBrowse(name: string) {
    return this.step('volume_browse', [name], () => {
      this.volume(name);
      const file = (path: string, size: number, kind: VolumeFile['kind'] = 'file'): VolumeFile =>
        ({ path, kind, size, modified: 1_700_000_000, link: kind === 'symlink' ? 'conf/app.ini' : null });
      return { entries: [file('conf', 0, 'dir'), file('conf/app.ini', 120), file('data.db', 1_048_576), file('latest', 0, 'symlink')],
        partial: null, image: 'alpine:3.20' };
    });
  }

  volumeBrowseCancel(name: string) { return this.step('volume_browse_cancel', [name], () => undefined); }

  onVolumesChanged(handler: (v: VolumeSummary[]) => void): Unsubscribe {
    this.volumeHandlers.add(handler);
    return () => this.volumeHandlers.delete(handler);
  }

  networkList() { return this.step('network_list', [], () => { this.requireEngine(); return [...this.networks]; }); }

  networkCreate(spec: NetworkSpec) {
    return this.step('network_create', [spec], () => {
      const name = spec.name.trim();
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) fail('InvalidInput', `“${name}” cannot name a network: use two or more letters, digits, “_”, “.” or “-”, starting with a letter or digit.`, 'name');
      if (this.networks.some((n) => n.name === name)) fail('InvalidInput', `A network named “${name}” already exists: pick another name.`, 'name');
      if (spec.subnet && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(spec.subnet)) fail('InvalidInput', `“${spec.subnet}” is not a subnet: write an address and prefix length, like 172.28.0.0/16.`, 'subnet');
      const network: NetworkSummary = { id: `${Date.now().toString(16)}${this.nextId++}`, name, driver: spec.driver || 'bridge', scope: 'local',
        created: new Date().toISOString(), internal: spec.internal, attachable: false, ipv6: false,
        subnets: spec.subnet ? [{ subnet: spec.subnet, gateway: spec.gateway }] : [], labels: spec.labels,
        composeProject: spec.labels['com.docker.compose.project'] ?? null, predefined: false, containers: [] };
      setTimeout(() => this.emitNetworks([...this.networks, network]), 0);
      return network;
    });
  }

  networkInspect(network: string) {
    return this.step('network_inspect', [network], () => {
      const summary = this.network(network);
      return { summary, options: {}, raw: JSON.stringify({ Name: summary.name, Driver: summary.driver }, null, 2) };
    });
  }

  networkConnect(network: string, container: string, aliases: string[]) {
    return this.step('network_connect', [network, container, aliases], () => {
      const n = this.network(network);
      const c = [...this.containers.values()].find((x) => x.name === container || x.id === container)
        ?? fail('NotFound', `Network ${network} or container ${container} was not found. It may have been removed meanwhile.`);
      if (n.containers.some((e) => e.id === c.id)) fail('Conflict', `Container ${container} is already connected to network ${network}.`);
      const joined = { ...n, containers: [...n.containers, { id: c.id, name: c.name, running: c.state === 'running', ipv4: '' }] };
      setTimeout(() => this.emitNetworks(this.networks.map((x) => (x === n ? joined : x))), 0);
    });
  }

  networkDisconnect(network: string, container: string) {
    return this.step('network_disconnect', [network, container], () => {
      const n = this.network(network);
      const left = { ...n, containers: n.containers.filter((e) => e.name !== container && e.id !== container) };
      setTimeout(() => this.emitNetworks(this.networks.map((x) => (x === n ? left : x))), 0);
    });
  }

  networkRemove(network: string) {
    return this.step('network_remove', [network], () => {
      const n = this.network(network);
      if (n.predefined) fail('Conflict', `${n.name} is one of the engine's own networks (bridge, host, none); the engine keeps it.`);
      const running = n.containers.filter((c) => c.running).map((c) => c.name);
      if (running.length) fail('Conflict', `Network ${n.name} is used by running containers ${running.join(', ')}: disconnect or stop them first.`);
      setTimeout(() => this.emitNetworks(this.networks.filter((x) => x !== n)), 0);
    });
  }

  private unusedNetworks(): NetworkSummary[] {
    return this.networks.filter((n) => !n.predefined && n.containers.every((c) => !c.running));
  }

  networkPruneEstimate() {
    return this.step('network_prune_estimate', [], () => ({ networks: this.unusedNetworks().map((n) => n.name), ...changes('network', [], []) }));
  }

  networkPrune(networks: string[]) {
    return this.step('network_prune', [networks], () => {
      const unused = this.unusedNetworks();
      const doomed = unused.filter((n) => networks.includes(n.name));
      setTimeout(() => this.emitNetworks(this.networks.filter((n) => !doomed.includes(n))), 0);
      const appeared = unused.filter((n) => !networks.includes(n.name)).map((n) => n.name);
      return { networks: doomed.map((n) => n.name), ...changes('network', [], appeared) };
    });
  }

  onNetworksChanged(handler: (n: NetworkSummary[]) => void): Unsubscribe {
    this.networkHandlers.add(handler);
    return () => this.networkHandlers.delete(handler);
  }

  /** Pipelines by folder; a run's events are sent by the test with `emitPipeline`. */
  pipelines = new Map<string, PipelineView>([[mockPipeline.pipeline.project.root, structuredClone(mockPipeline)]]);
  /** Set by `pipelineRun`: the run's id, request and event sink. */
  pipelineRuns: { id: string; request: PipelineRunRequest; onEvent: (e: PipelineEvent) => void }[] = [];
  artifacts: Artifact[] = [{ path: 'dist/app.js', size: 2048 }];
  /** Kept job logs by `<run id>/<job>`. */
  pipelineLogs = new Map<string, string>();

  private pipelineView(folder: string): PipelineView {
    const v = this.pipelines.get(folder);
    if (!v) fail('InvalidInput', `There is no .gitlab-ci.yml in ${folder}.`, null);
    return v;
  }

  pipelineLoad(folder: string) {
    return this.step('pipeline_load', [folder], () => structuredClone(this.pipelineView(folder)));
  }

  pipelineRun(request: PipelineRunRequest, onEvent: (e: PipelineEvent) => void) {
    return this.step('pipeline_run', [{ ...request, variables: request.variables.map((v) => ({ ...v, value: v.masked && v.value !== null ? '<redacted>' : v.value })) }], () => {
      this.requireEngine();
      const view = this.pipelineView(request.folder);
      const dind = view.pipeline.jobs.some((j) => j.services.some((s) => s.image.name.includes('dind')));
      if (dind && !view.settings.privilegedServices && !view.settings.hostEngineSocket) {
        fail('InvalidInput', 'This pipeline starts a privileged Docker-in-Docker service (docker:dind). Allow it for this project to run the pipeline.', 'consent');
      }
      const id = `run-${this.nextId++}`;
      this.pipelineRuns.push({ id, request, onEvent });
      view.runs = [{ id, startedAt: Date.now(), finishedAt: null, status: 'running', only: request.only, jobs: [] }, ...view.runs];
      return { id };
    });
  }

  /** Test hook: an event of the latest run. */
  emitPipeline(e: PipelineEvent): void {
    const run = this.pipelineRuns.at(-1);
    run?.onEvent(e);
    if (run && e.type === 'finished') {
      const record = this.pipelines.get(run.request.folder)?.runs.find((r) => r.id === run.id);
      if (record) { record.status = e.status; record.finishedAt = Date.now(); }
    }
  }

  pipelineCancel(id: string) { return this.step('pipeline_cancel', [id], () => undefined); }
  pipelinePlay(id: string, job: string) { return this.step('pipeline_play', [id, job], () => undefined); }

  pipelineConsent(folder: string, privilegedServices: boolean | null, hostEngineSocket: boolean | null) {
    return this.step('pipeline_consent', [folder, privilegedServices, hostEngineSocket], () => {
      const s = this.pipelineView(folder).settings;
      s.privilegedServices = privilegedServices ?? s.privilegedServices;
      s.hostEngineSocket = hostEngineSocket ?? s.hostEngineSocket;
      return structuredClone(s);
    });
  }

  pipelineHistory(folder: string) { return this.step('pipeline_history', [folder], () => structuredClone(this.pipelineView(folder).runs)); }
  pipelineLog(folder: string, id: string, job: string) { return this.step('pipeline_log', [folder, id, job], () => this.pipelineLogs.get(`${id}/${job}`) ?? ''); }
  pipelineLogSave(folder: string, id: string, job: string) { return this.step('pipeline_log_save', [folder, id, job], () => `/home/dev/${job}.log`); }
  pipelineArtifacts(folder: string, id: string, job: string) { return this.step('pipeline_artifacts', [folder, id, job], () => [...this.artifacts]); }
  pipelineArtifactSave(folder: string, id: string, job: string, path: string) {
    return this.step('pipeline_artifact_save', [folder, id, job, path], () => `/home/dev/Downloads/${path.split('/').at(-1)}`);
  }
  pipelineCacheClear(folder: string) { return this.step('pipeline_cache_clear', [folder], () => 2); }
}
