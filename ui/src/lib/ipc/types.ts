// The IPC contract between berth-core (via src-tauri) and the UI.
// Mirrors the serde models in crates/core/src/*/model.rs (camelCase, tagged enums with `type`).
// Keep the two in step: a field added on one side must be added on the other.

export type ErrorCode =
  | 'EngineUnreachable'
  | 'NotFound'
  | 'Conflict'
  | 'PortInUse'
  | 'PermissionDenied'
  | 'InvalidInput'
  | 'Registry'
  | 'Keychain'
  | 'Cancelled'
  | 'Internal'
  | 'BuildFailed';

/** Every failed command rejects with this. `message` is a sentence for the user. */
export interface IpcErrorPayload {
  code: ErrorCode;
  message: string;
  /** The raw error chain, for "copy details" and logs. */
  detail: string;
  /** For InvalidInput: which form field is wrong (RunSpec field name), else null. */
  field: string | null;
}

// ---------- engine ----------

/** Where an endpoint came from, in discovery order. */
export type EngineSource = 'dockerHost' | 'context' | 'wellKnown';

export interface EngineCandidate {
  /** Human name: "Docker (DOCKER_HOST)", "context: colima", "Docker Engine", "Podman (rootless)"... */
  name: string;
  /** unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine */
  host: string;
  source: EngineSource;
  /** Filled by engine_candidates: null when it answered, else why not (a sentence). */
  error: string | null;
}

export interface EngineInfo {
  name: string;
  host: string;
  /** "Docker Engine - Community", "Podman Engine"... */
  product: string;
  version: string;
  apiVersion: string;
  os: string;           // e.g. "Debian GNU/Linux 12 (bookworm)"
  osType: string;       // "linux"
  arch: string;         // "x86_64"
  kernelVersion: string;
  cpus: number;
  memoryBytes: number;
  containers: number;
  containersRunning: number;
  images: number;
  /** How it was chosen needs a word (DOCKER_HOST hiding a context), as a sentence. */
  warning: string | null;
}

export type EngineStatus =
  | { type: 'connecting'; host: string | null }
  | { type: 'connected'; engine: EngineInfo }
  /**
   * The chosen engine does not answer (`tried` holds it with its error), or none can be chosen
   * (`tried` is empty: a context named by DOCKER_CONTEXT or config.json does not exist). Berth keeps retrying.
   */
  | { type: 'disconnected'; reason: string; tried: EngineCandidate[]; lost: EngineInfo | null };

// ---------- no engine, about ----------

export type Os = 'linux' | 'macos' | 'windows';
/** `startDockerService`: pkexec systemctl start docker; `openDockerDesktop`: launch the installed app. */
export type EngineAction = 'startDockerService' | 'openDockerDesktop';

/** What the no-engine screen says and offers on this computer (core decides). */
export interface EngineHelp {
  os: Os;
  steps: string[];
  actions: EngineAction[];
}

export interface EngineHelpOutcome {
  ok: boolean;
  /** What happened, or what to do instead, as a sentence. */
  message: string;
}

export interface AboutEngine {
  product: string;
  version: string;
  apiVersion: string;
  /** "Unix socket", "named pipe", "TCP", "TCP with TLS", "SSH". */
  endpoint: string;
  chosenBy: string;
  runsOn: string;
}

export interface About {
  appVersion: string;
  tauriVersion: string;
  webviewVersion: string | null;
  os: string;
  engine: AboutEngine | null;
  logDir: string | null;
  /** Plain text for "Copy diagnostics": versions, engine, OS; no addresses or secrets. */
  diagnostics: string;
}

// ---------- containers ----------

export type ContainerState =
  | 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | 'unknown';

export interface PortMapping {
  ip: string | null;
  privatePort: number;
  publicPort: number | null;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export interface ContainerSummary {
  id: string;
  name: string;          // without leading '/'
  image: string;
  imageId: string;
  command: string;
  state: ContainerState;
  status: string;        // "Up 3 minutes", "Exited (0) 2 hours ago"
  created: number;       // unix seconds
  ports: PortMapping[];
  composeProject: string | null;
  composeService: string | null;
  labels: Record<string, string>;
}

export interface MountInfo {
  type: string;          // bind | volume | tmpfs
  name: string | null;   // volume name
  source: string;
  destination: string;
  readOnly: boolean;
}

export interface NetworkAttachment {
  name: string;
  ipAddress: string;
  gateway: string;
  macAddress: string;
}

export interface ContainerDetails {
  summary: ContainerSummary;
  hostname: string;
  user: string;
  workingDir: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  mounts: MountInfo[];
  networks: NetworkAttachment[];
  restartPolicy: string;
  autoRemove: boolean;
  startedAt: string | null;   // RFC 3339
  finishedAt: string | null;
  exitCode: number | null;
  health: string | null;      // healthy | unhealthy | starting
  tty: boolean;
  /** The engine's inspect JSON, pretty-printed. */
  raw: string;
}

export type ContainerAction = 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause';

/** One result per id of a bulk action; error null on success. */
export interface ActionOutcome {
  id: string;
  error: IpcErrorPayload | null;
}

/** `containers://changed`: coalesced (~100 ms) live changes from the engine's event stream. */
export interface ContainersChanged {
  upserted: ContainerSummary[];
  removed: string[];
}

// ---------- logs ----------

export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  /** Lines from the end to start with; null = all. */
  tail: number | null;
}

export interface LogLine {
  /** 'out' | 'err' */
  stream: 'out' | 'err';
  /** One line, no trailing newline; with a leading RFC 3339 timestamp when asked for. */
  text: string;
  /** Set when the line was cut at 16 KiB: it goes on in the next line of its stream. */
  continues?: boolean;
}

/** Sent over the Channel given to container_logs_subscribe, batched (~50 ms). */
export type LogEvent =
  | { type: 'lines'; lines: LogLine[] }
  | { type: 'end'; error: IpcErrorPayload | null };

// ---------- stats ----------

/** One `docker stats` sample, about one a second. */
export interface StatsSample {
  /** Percent of one CPU (200 = two CPUs busy). */
  cpuPercent: number;
  cpus: number;
  /** In use, page cache left out as the CLI does. */
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

/** Sent over the Channel given to container_stats_subscribe; `end` when the container stops. */
export type StatsEvent =
  | { type: 'sample'; sample: StatsSample }
  | { type: 'end'; error: IpcErrorPayload | null };

// ---------- exec ----------

export interface ExecSession {
  execId: string;
  /** The shell picked from what the image has, e.g. /bin/bash or /bin/sh. */
  shell: string;
}

// ---------- run dialog ----------

export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RunSpec {
  image: string;
  name: string | null;
  /** Shell-like words, e.g. `sh -c "echo hi"`; null = image default. */
  command: string | null;
  /** KEY=VALUE */
  env: string[];
  /** docker -p syntax: "8080:80", "80" (random host port), "127.0.0.1:8080:80/udp" */
  ports: string[];
  /** docker -v syntax: "/host/path:/in/container[:ro]" or "volname:/in/container" */
  volumes: string[];
  network: string | null;
  restart: RestartPolicy;
  autoRemove: boolean;
}

// ---------- images ----------

export interface ImageSummary {
  /** sha256:… */
  id: string;
  /** repo:tag names; empty for a dangling image. */
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** unix seconds */
  created: number;
  /** Containers (running or not) made from this image. */
  containers: number;
  dangling: boolean;
}

export type PruneScope = 'dangling' | 'unused';

/** A confirmed item a prune left, and why ("is now used by web-1"). */
export interface PruneKept {
  name: string;
  why: string;
}

/** What changed between a prune's confirmation and its run. */
export interface PruneChanges {
  kept: PruneKept[];
  /** Would be pruned now but were not confirmed: left alone. */
  appeared: string[];
  /** The two above as sentences. */
  notes: string[];
}

export interface PruneEstimate {
  /** Ids, passed back to the prune once confirmed. */
  images: string[];
  bytes: number;
  /** The engine did not say which layers other images share: `bytes` counts them all. */
  upperBound: boolean;
}

export interface PruneReport extends PruneChanges {
  /** Ids removed. */
  images: string[];
  bytes: number;
}

export interface ImageLayer {
  /** The instruction that made it: `RUN apk add …`, `COPY …`, `CMD ["sh"]`. */
  instruction: string;
  size: number;
  created: number;
  comment: string;
}

export interface ImageDetails {
  summary: ImageSummary;
  os: string;
  architecture: string;
  author: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  /** "80/tcp" */
  exposedPorts: string[];
  volumes: string[];
  labels: Record<string, string>;
  /** Oldest first. */
  layers: ImageLayer[];
}

export interface NormalizedReference {
  /** docker.io/library/ubuntu:latest */
  normalized: string;
  /** ubuntu:latest */
  familiar: string;
}

export interface LayerProgress {
  id: string;
  status: string;
  current: number;
  total: number;
  done: boolean;
}

export interface TransferProgress {
  /** 0..1 */
  fraction: number;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  remainingBytes: number;
  layersDone: number;
  layersTotal: number;
  message: string;
  layers: LayerProgress[];
}

/** Sent over a pull's or push's Channel (≤ 25 progress events a second); ends with done or failed. */
export type TransferEvent =
  | ({ type: 'progress' } & TransferProgress)
  | { type: 'done'; reference: string }
  | { type: 'failed'; error: IpcErrorPayload };

export interface TransferStarted {
  /** For subscriptionCancel. */
  id: string;
  reference: string;
}

export interface SearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
  automated: boolean;
}

export interface CommitSpec {
  container: string;
  repository: string;
  tag: string;
  message: string;
  author: string;
}

export interface ArchiveProgress {
  bytes: number;
  total: number;
}

/** A save or load under way; ends with saved, loaded or failed. */
export type ArchiveEvent =
  | ({ type: 'progress' } & ArchiveProgress)
  | { type: 'saved'; path: string }
  | { type: 'loaded'; images: string[] }
  | { type: 'failed'; error: IpcErrorPayload };

export interface ArchiveStarted {
  /** For subscriptionCancel. */
  id: string;
}

// ---------- compose stacks ----------

export interface StackContainer {
  id: string;
  name: string;
  number: number;
  image: string;
  state: ContainerState;
  status: string;
  /** 'healthy' | 'unhealthy' | 'starting' when there is a healthcheck. */
  health: string | null;
  ports: PortMapping[];
}

export interface StackService {
  name: string;
  containers: StackContainer[];
}

/** A compose project on the engine, found by its labels, whoever started it. */
export interface Stack {
  name: string;
  workingDir: string | null;
  configFiles: string[];
  services: StackService[];
  running: number;
  total: number;
}

/** A project folder as loaded: what would run. */
export interface ProjectInfo {
  name: string;
  workingDir: string;
  configFiles: string[];
  services: string[];
  profiles: string[];
  activeProfiles: string[];
  /** Services with a `build:` section. */
  built: string[];
  disabled: string[];
  warnings: string[];
  /** The resolved configuration as YAML. */
  config: string;
  /** Containers of the project whose service is no longer in the files. */
  orphans: ComposeOrphan[];
}

/** A container of a project that its files no longer explain (compose's orphan). */
export interface ComposeOrphan {
  id: string;
  name: string;
  service: string;
  state: ContainerState;
  /** Left by `docker compose run`, not by up. */
  oneOff: boolean;
}

/** One progress line, as the Compose CLI prints them ("Container p-web-1  Started"). */
export interface ComposeProgress {
  resource: string;
  service: string | null;
  state: string;
}

export interface ComposeCreated {
  containers: string[];
  networks: string[];
  volumes: string[];
  /** Not made by the up: anonymous volumes its recreated containers took over (kept by undo unless confirmed). */
  inherited: string[];
}

export interface UpOptions {
  services: string[];
  noDeps: boolean;
  forceRecreate: boolean;
  scale: Record<string, number>;
  /** Remove the containers of services no longer in the file (`--remove-orphans`). */
  removeOrphans: boolean;
  /** With `removeOrphans`: the ids of the orphans the user confirmed; only these go (empty: every orphan). */
  orphans: string[];
  /** Build the images of `build:` services first, even when they exist (`up --build`). */
  build: boolean;
}

export interface DownOptions {
  /** Also remove the project's named volumes. */
  volumes: boolean;
  /** Also remove one-off containers left by `docker compose run`. */
  removeOrphans: boolean;
}

export type UpEvent =
  | ({ type: 'progress' } & ComposeProgress)
  | { type: 'done'; error: IpcErrorPayload | null; created: ComposeCreated; warnings: string[] }
  | { type: 'failed'; error: IpcErrorPayload };

/** What is wrong with a compose file being edited. */
export interface ComposeProblem {
  file: string | null;
  line: number | null;
  field: string | null;
  message: string;
}

export interface ComposeValidation {
  problem: ComposeProblem | null;
  project: ProjectInfo | null;
}
// ---- Projects and builds (berth-core `build`) ----

export type Language = 'rust' | 'go' | 'node' | 'python' | 'static';

/** A project folder and what it holds that Berth can act on. */
export interface Project {
  folder: string;
  name: string;
  /** Slash paths relative to the folder, shallowest first. */
  dockerfiles: string[];
  composeFiles: string[];
  pipeline: string | null;
  language: Language | null;
}

export interface RecentFolder {
  folder: string;
  openedAt: number;
}

export interface BuildArg {
  name: string;
  default: string | null;
  line: number;
}

export interface BuildStage {
  name: string | null;
  base: string;
  line: number;
}

export interface ContextSummary {
  files: number;
  bytes: number;
  excludedFiles: number;
  ignoreFile: string | null;
}

export interface BuildPlan {
  dockerfile: string;
  args: BuildArg[];
  stages: BuildStage[];
  context: ContextSummary;
  defaultTag: string;
}

export type Builder = 'buildKit' | 'classic';

export interface BuildRequest {
  folder: string;
  dockerfile: string;
  tags: string[];
  args: Record<string, string>;
  target: string | null;
  noCache: boolean;
  pull: boolean;
  /** null: BuildKit when the engine has it. */
  builder: Builder | null;
}

export type StepState = 'running' | 'done' | 'cached' | 'failed';

export interface BuildStep {
  id: string;
  name: string;
  line: number | null;
  state: StepState;
  internal: boolean;
  startedMs: number | null;
  durationMs: number | null;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
  exposedPorts: string[];
  builder: Builder;
  durationMs: number;
}

/** Sent over a build's Channel: started, then uploading/step/log, then done or failed (none when cancelled). */
export type BuildEvent =
  | { kind: 'started'; builder: Builder; note: string | null; context: ContextSummary }
  | { kind: 'builder'; builder: Builder; note: string | null }
  | { kind: 'uploading'; sentBytes: number; totalBytes: number }
  | { kind: 'step'; step: BuildStep }
  | { kind: 'log'; stepId: string; lines: string[] }
  | { kind: 'done'; result: BuildResult }
  | { kind: 'failed'; error: IpcErrorPayload; stepId: string | null; line: number | null; output: string[] };

export interface HistoryEntry {
  at: number;
  durationMs: number;
  outcome: 'succeeded' | 'failed' | 'cancelled';
  dockerfile: string;
  tags: string[];
  imageId: string | null;
  builder: Builder | null;
  message: string | null;
}

export interface Starter {
  language: Language;
  dockerfile: string;
  dockerignore: string;
}

/** What the window reports while files are dragged over it. */
export type DropEvent = { type: 'over' } | { type: 'drop'; paths: string[] } | { type: 'leave' };
// ---------- registries (crates/core/src/registry/model.rs) ----------

/** A registry the user is logged in to, and where that login is kept. Never a secret. */
export interface RegistryLogin {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  username: string;
  /** Berth keeps it in the OS keychain. */
  keychain: boolean;
  /** The docker CLI's credential helper that also holds it (`secretservice`, `osxkeychain`, …). */
  helper: string | null;
  /** config.json holds it in plain text: shown with a warning and a move into the keychain. */
  plainText: boolean;
}

export interface Registries {
  logins: RegistryLogin[];
  /** config.json's `credsStore`: a new login can also be stored through it for the docker CLI. */
  cliHelper: string | null;
  /** With no `credsStore`: this platform's installed helper, which moving a plain-text login can set up for the CLI. */
  installableHelper: string | null;
  configFile: string;
  /** Sentences about stores that could not be read. */
  problems: string[];
}

export interface LoginRequest {
  host: string;
  username: string;
  secret: string;
  shareWithCli: boolean;
  /** A token service on another host the user confirmed may receive the password (asked by a `trustTokenHost` error). */
  trustTokenHost?: string | null;
}

// ---------- volumes ----------

export interface VolumeUser {
  id: string;
  name: string;
  running: boolean;
  /** Where the container mounts it. */
  destination: string;
}

export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  /** RFC 3339; empty when the engine does not say. */
  created: string;
  labels: Record<string, string>;
  composeProject: string | null;
  /** Containers (running or not) that mount it; the engine refuses to remove it while any exist. */
  containers: VolumeUser[];
  /** Bytes; null when the engine did not measure it. */
  size: number | null;
}

export interface VolumeDetails {
  summary: VolumeSummary;
  scope: string;
  options: Record<string, string>;
  raw: string;
}

export interface VolumeSpec {
  /** Empty: the engine picks a name. */
  name: string;
  /** Empty: local. */
  driver: string;
  labels: Record<string, string>;
  driverOpts: Record<string, string>;
}

export interface VolumePruneEstimate {
  volumes: string[];
  bytes: number;
}

export interface VolumePruneReport extends PruneChanges {
  volumes: string[];
  bytes: number;
}

export type FileKind = 'file' | 'dir' | 'symlink' | 'other';

export interface VolumeFile {
  /** Relative to the volume's root, '/'-separated. */
  path: string;
  kind: FileKind;
  size: number;
  /** unix seconds */
  modified: number;
  /** Where a symlink points. */
  link: string | null;
}

export interface VolumeFiles {
  /** Sorted by path. */
  entries: VolumeFile[];
  /** Why the listing stops short (too many entries, too much data, too long), when it does. */
  partial: string | null;
  /** The local image the read-only helper container was created from. */
  image: string;
}

// ---------- networks ----------

export interface Subnet {
  subnet: string;
  gateway: string;
}

export interface NetworkEndpoint {
  id: string;
  name: string;
  running: boolean;
  /** Without prefix length; empty while stopped. */
  ipv4: string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: string;
  created: string;
  internal: boolean;
  attachable: boolean;
  ipv6: boolean;
  subnets: Subnet[];
  labels: Record<string, string>;
  composeProject: string | null;
  /** bridge, host or none: the engine keeps them. */
  predefined: boolean;
  containers: NetworkEndpoint[];
}

export interface NetworkDetails {
  summary: NetworkSummary;
  options: Record<string, string>;
  raw: string;
}

export interface NetworkSpec {
  name: string;
  /** Empty: bridge. */
  driver: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  labels: Record<string, string>;
}

/** The estimate's changes are empty. */
export interface NetworkPrune extends PruneChanges {
  networks: string[];
}

export type Theme = 'system' | 'light' | 'dark';
export type NotificationKind = 'build' | 'pull' | 'push' | 'stackUp' | 'pipeline' | 'containerDied';

/** settings.json; keys a newer Berth wrote travel along untouched. */
export interface Settings {
  tray: boolean;
  theme: Theme;
  notifications: Record<NotificationKind, boolean> & Record<string, unknown>;
  lastView: string | null;
  [other: string]: unknown;
}

export interface SettingsView {
  settings: Settings;
  /** Why the file on disk could not be read (the defaults are in use). */
  problem: string | null;
}

/** Long work that ended, for a notification when the window is not focused. */
export interface WorkDone {
  kind: Exclude<NotificationKind, 'containerDied'>;
  subject: string;
  failed: boolean;
}

// ---- Pipelines (GitLab CI, berth-core `pipelines`) ----

/** A job's state in a run (core `run::JobStatus`). */
export type JobStatus = 'created' | 'manual' | 'scheduled' | 'running' | 'success' | 'failed' | 'skipped' | 'canceled';

/** What decided whether a job is in the pipeline (core `model::Reason`). */
export type PipelineReason =
  | { type: 'default' }
  | { type: 'rule'; index: number; line: number | null; text: string }
  | { type: 'noRuleMatched' }
  | { type: 'only'; line: number | null; text: string }
  | { type: 'except'; line: number | null; text: string }
  | { type: 'unsupported'; text: string };

export type PipelineWhen =
  | { type: 'onSuccess' } | { type: 'onFailure' } | { type: 'always' } | { type: 'manual' } | { type: 'never' }
  | { type: 'delayed'; start_in: number };

export interface PipelineNeed { job: string; artifacts: boolean; optional: boolean }

export interface PipelineVariable {
  name: string;
  /** `[MASKED]` for a masked one. */
  value: string;
  masked: boolean;
  origin: 'predefined' | 'global' | 'job' | 'rule' | 'matrix' | 'run' | 'dotenv';
}

export interface PipelineJob {
  name: string;
  baseName: string;
  file: string;
  line: number | null;
  stage: string;
  stageIndex: number;
  image: { name: string } | null;
  services: { image: { name: string }; aliases: string[] }[];
  script: string[];
  variables: PipelineVariable[];
  when: PipelineWhen;
  reason: PipelineReason;
  allowFailure: { type: 'no' } | { type: 'yes' } | { type: 'exitCodes'; exitCodes: number[] };
  /** null: waits for every job of earlier stages. */
  needs: PipelineNeed[] | null;
  /** Keys Berth reads but does not act on. */
  ignored: string[];
}

export interface Pipeline {
  file: string;
  project: { root: string; path: string; namespace: string; name: string; buildsDir: string };
  name: string | null;
  /** Set when workflow:rules create no pipeline. */
  blockedByWorkflow: PipelineReason | null;
  stages: string[];
  jobs: PipelineJob[];
  sources: string[];
}

export interface SavedVariable { name: string; value: string; masked: boolean }

/** Per-project answers; null = not asked yet. */
export interface PipelineSettings {
  privilegedServices: boolean | null;
  hostEngineSocket: boolean | null;
  registry: string | null;
  variables: SavedVariable[];
}

export interface RunJob {
  name: string;
  status: JobStatus;
  allowedFailure: boolean;
  reason: string | null;
  durationSecs: number;
}

export interface RunRecord {
  id: string;
  startedAt: number;
  finishedAt: number | null;
  /** 'running' until it ends. */
  status: JobStatus;
  only: string[] | null;
  jobs: RunJob[];
}

export interface PipelineView {
  pipeline: Pipeline;
  settings: PipelineSettings;
  runs: RunRecord[];
  /** The run of this folder going on now. */
  active: string | null;
}

export interface VariableInput {
  name: string;
  /** null for a masked variable: keep the value in the keychain. */
  value: string | null;
  masked: boolean;
}

export interface PipelineRunRequest {
  folder: string;
  variables: VariableInput[];
  registry: string | null;
  only: string[] | null;
  previous: string | null;
}

/** Live facts of a run, in order; log bytes are already masked. Fields are as core names them
 *  (serde renames the variants only, so `allowed_failure` keeps its snake case). */
export type PipelineEvent =
  | { type: 'status'; job: string; status: JobStatus; allowed_failure: boolean; reason: string | null }
  | { type: 'log'; job: string; stream: 'stdout' | 'stderr' | 'system'; bytes: number[] | Uint8Array }
  | { type: 'finished'; status: JobStatus };

export interface Artifact { path: string; size: number }
