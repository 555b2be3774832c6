import type {
  About, ActionOutcome, ArchiveEvent, ArchiveStarted, CommitSpec, ContainerAction, ContainerDetails, ContainerSummary, ContainersChanged,
  EngineAction, EngineCandidate, EngineHelp, EngineHelpOutcome, EngineStatus, ExecSession, ImageDetails, ImageSummary, LogEvent, LogOptions, NormalizedReference,
  ComposeCreated, ComposeProgress, ComposeValidation, ProjectInfo, Stack, UpEvent, UpOptions, DownOptions,
  BuildEvent, BuildPlan, BuildRequest, DropEvent, HistoryEntry, Language, Project, RecentFolder, Starter,
  PruneEstimate, PruneReport, PruneScope, Registries, LoginRequest, RunSpec, SearchResult, StatsEvent, TransferEvent, TransferStarted,
  NetworkDetails, NetworkPrune, NetworkSpec, NetworkSummary, VolumeDetails, VolumePruneEstimate, VolumePruneReport, VolumeSpec,
  VolumeFiles, VolumeSummary, Settings, SettingsView, WorkDone,
  Artifact, PipelineEvent, PipelineRunRequest, PipelineSettings, PipelineView, RunRecord,
} from './types';

export type Unsubscribe = () => void;

/** Receives the output of an exec session. */
export interface ExecSink {
  output(bytes: Uint8Array): void;
  /** The process ended (the backend sent a zero-length message). */
  exit(): void;
}

/**
 * Everything the UI can ask of the backend. Every method rejects with an `IpcError`.
 * Event subscriptions return synchronously; the implementation handles late registration.
 */
export interface Backend {
  engineStatus(): Promise<EngineStatus>;
  engineCandidates(): Promise<EngineCandidate[]>;
  engineSelect(host: string): Promise<EngineStatus>;
  engineHelp(): Promise<EngineHelp>;
  engineHelpAct(action: EngineAction): Promise<EngineHelpOutcome>;

  containerList(): Promise<ContainerSummary[]>;
  containerAction(ids: string[], action: ContainerAction): Promise<ActionOutcome[]>;
  containerRemove(ids: string[], force: boolean): Promise<ActionOutcome[]>;
  containerInspect(id: string): Promise<ContainerDetails>;
  containerRun(spec: RunSpec): Promise<ContainerSummary>;

  /** Resolves to a subscription id for `subscriptionCancel`. */
  containerLogsSubscribe(id: string, options: LogOptions, onEvent: (e: LogEvent) => void): Promise<string>;
  /** Returns the saved file's path, or null if the user cancelled the save dialog. */
  containerLogsSave(id: string, timestamps: boolean): Promise<string | null>;
  /** Live resource use; resolves to a subscription id for `subscriptionCancel`. */
  containerStatsSubscribe(id: string, onEvent: (e: StatsEvent) => void): Promise<string>;
  subscriptionCancel(id: string): Promise<void>;

  execStart(containerId: string, cols: number, rows: number, sink: ExecSink): Promise<ExecSession>;
  execWrite(execId: string, data: string): Promise<void>;
  execResize(execId: string, cols: number, rows: number): Promise<void>;
  execClose(execId: string): Promise<void>;

  imageNames(): Promise<string[]>;
  networkNames(): Promise<string[]>;
  portOpen(port: number): Promise<void>;
  /** Tells the app the first container list is on screen (the start-up benchmark times it). */
  appReady(rows: number): Promise<void>;
  appAbout(): Promise<About>;
  /** Opens Berth's own log folder (the only folder it can open). */
  appOpenLogFolder(): Promise<void>;
  appQuit(): Promise<void>;

  settingsGet(): Promise<SettingsView>;
  /** Saves and applies at once (the tray icon appears or goes). */
  settingsSet(settings: Settings): Promise<SettingsView>;
  /** A notification, if the window is not focused and the user wants this kind. */
  notifyDone(work: WorkDone): Promise<void>;
  /** The folder named on this launch's command line (`berth ~/src/app`), once. */
  launchFolder(): Promise<string | null>;
  /** A later launch named a folder (single instance: it handed the folder to this window). */
  onOpenFolder(handler: (folder: string) => void): Unsubscribe;

  imageList(): Promise<ImageSummary[]>;
  imageDetails(image: string): Promise<ImageDetails>;
  imageRemove(image: string, force: boolean): Promise<void>;
  imagePruneEstimate(scope: PruneScope): Promise<PruneEstimate>;
  /** Removes exactly `images` (the estimate's ids), each only if it still qualifies. */
  imagePrune(scope: PruneScope, images: string[]): Promise<PruneReport>;
  /** Rejects with InvalidInput (field 'reference') and a precise sentence when invalid. */
  imageReference(input: string): Promise<NormalizedReference>;
  /** Starts a pull; cancel with `subscriptionCancel(started.id)`. */
  imagePull(reference: string, onEvent: (e: TransferEvent) => void): Promise<TransferStarted>;
  /** Tags `image` as `target`, then pushes it. */
  imagePush(image: string, target: string, onEvent: (e: TransferEvent) => void): Promise<TransferStarted>;
  imageTag(image: string, target: string): Promise<string>;
  imageSearchHub(term: string): Promise<SearchResult[]>;
  imageRegistrySearch(registry: string, term: string): Promise<string[]>;
  imageRegistryTags(registry: string, repository: string): Promise<string[]>;
  /** Asks where to save (native dialog), then saves; null when the dialog is cancelled. */
  imageSave(images: string[], onEvent: (e: ArchiveEvent) => void): Promise<ArchiveStarted | null>;
  /** Asks for a .tar (native dialog), then loads it; null when the dialog is cancelled. */
  imageLoad(onEvent: (e: ArchiveEvent) => void): Promise<ArchiveStarted | null>;
  containerCommit(spec: CommitSpec): Promise<string>;

  /** Every compose project on the engine, by its labels. */
  composeStacks(): Promise<Stack[]>;
  /** Loads the project in a folder (as the Compose CLI would there); rejects with the file, line and field. */
  composeOpen(dir: string, profiles: string[]): Promise<ProjectInfo>;
  /** Starts an up; cancel with `subscriptionCancel`. Ends with a 'done' or 'failed' event. */
  composeUp(dir: string, profiles: string[], options: UpOptions, onEvent: (e: UpEvent) => void): Promise<string>;
  /** Builds the images of `services` (every `build:` service when empty); events as for an up. Resolves to the id to cancel. */
  composeBuild(dir: string, services: string[], onEvent: (e: UpEvent) => void): Promise<string>;
  composeDown(project: string, options: DownOptions, onProgress: (p: ComposeProgress) => void): Promise<void>;
  /** Pulls the images of `services` (all when empty) named in the folder's compose files. */
  composePull(dir: string, services: string[], onProgress: (p: ComposeProgress) => void): Promise<void>;
  composeAction(project: string, service: string | null, action: ContainerAction): Promise<void>;
  /** Removes what a failed or cancelled up created; with `inherited`, also the volumes its
   *  recreated containers took over (only when the user confirmed). */
  composeUndo(created: ComposeCreated, inherited: boolean): Promise<void>;
  composeLogsSubscribe(project: string, service: string | null, options: LogOptions, onEvent: (e: LogEvent) => void): Promise<string>;
  composeValidate(dir: string, file: string, text: string, profiles: string[]): Promise<ComposeValidation>;
  /** One of the project's own compose files (its files, includes, extends); refuses any other path. */
  composeFileRead(dir: string, file: string): Promise<string>;
  /** Only the project's own files; refuses (with the file, line and field) a text that does not load. */
  composeFileSave(dir: string, file: string, text: string): Promise<void>;
  /** Opens a folder (dropped or recent); rejects with InvalidInput for a file or a missing path. */
  projectOpen(folder: string): Promise<Project>;
  /** Asks for a folder (native dialog); null when cancelled. */
  projectPick(): Promise<Project | null>;
  projectRecent(): Promise<RecentFolder[]>;
  /** ARGs, stages, the context after .dockerignore and a default tag, for the build form. */
  buildPlan(folder: string, dockerfile: string): Promise<BuildPlan>;
  /** Starts a build; cancel with `subscriptionCancel(id)`. */
  buildStart(request: BuildRequest, onEvent: (e: BuildEvent) => void): Promise<{ id: string }>;
  /** Newest first. */
  buildHistory(folder: string): Promise<HistoryEntry[]>;
  starterPreview(language: Language): Promise<Starter>;
  /** Writes the reviewed starter (never overwrites) and reopens the folder. */
  starterWrite(folder: string, starter: Starter): Promise<Project>;
  /** Files dragged over / dropped on the window (Tauri's drag-drop events). */
  onDrop(handler: (e: DropEvent) => void): Unsubscribe;
  registryList(): Promise<Registries>;
  /** Checks the login against the registry, then keeps the secret in the OS keychain. Wrong
   *  credentials reject with InvalidInput (field 'secret'); no keychain with code Keychain. */
  registryLogin(request: LoginRequest): Promise<Registries>;
  /** Removes the login from the keychain, the docker CLI's helper and config.json. */
  registryLogout(host: string): Promise<Registries>;
  /** Copies a plain-text login into the keychain; config.json's copy goes only when the docker CLI
   *  gets it from a credential helper instead: the configured one, or `cliHelper`, then configured. */
  registryMoveToKeychain(host: string, cliHelper: string | null): Promise<Registries>;

  onEngineStatus(handler: (status: EngineStatus) => void): Unsubscribe;
  onContainersChanged(handler: (change: ContainersChanged) => void): Unsubscribe;
  /** `images://changed`: the whole image list, after image events (coalesced ~100 ms). */
  onImagesChanged(handler: (images: ImageSummary[]) => void): Unsubscribe;

  /** Sizes are those last measured (null before). */
  volumeList(): Promise<VolumeSummary[]>;
  /** Measures every volume (a disk walk by the engine), then lists them. */
  volumeMeasure(): Promise<VolumeSummary[]>;
  /** Rejects with InvalidInput naming the field (name, labels, driverOpts) when a value cannot be used. */
  volumeCreate(spec: VolumeSpec): Promise<VolumeSummary>;
  volumeInspect(name: string): Promise<VolumeDetails>;
  /** Rejects with Conflict, naming the containers, while any container mounts it. */
  volumeRemove(name: string): Promise<void>;
  volumePruneEstimate(): Promise<VolumePruneEstimate>;
  /** Removes exactly `volumes` (the estimate's), each only if still unused. */
  volumePrune(volumes: string[]): Promise<VolumePruneReport>;
  /** The volume's files, read through a created (never started) container from a local image. */
  volumeBrowse(name: string): Promise<VolumeFiles>;
  /** Stops a browse of `name` (it then rejects with Cancelled). */
  volumeBrowseCancel(name: string): Promise<void>;
  /** `volumes://changed`: the whole volume list, after volume and container events. */
  onVolumesChanged(handler: (volumes: VolumeSummary[]) => void): Unsubscribe;

  networkList(): Promise<NetworkSummary[]>;
  /** Rejects with InvalidInput naming the field (name, subnet, gateway, labels). */
  networkCreate(spec: NetworkSpec): Promise<NetworkSummary>;
  networkInspect(network: string): Promise<NetworkDetails>;
  networkConnect(network: string, container: string, aliases: string[]): Promise<void>;
  networkDisconnect(network: string, container: string): Promise<void>;
  /** Rejects with Conflict for the predefined networks and for one running containers use. */
  networkRemove(network: string): Promise<void>;
  networkPruneEstimate(): Promise<NetworkPrune>;
  /** Removes exactly `networks` (the estimate's), each only if no running container uses it. */
  networkPrune(networks: string[]): Promise<NetworkPrune>;
  /** `networks://changed`: the whole network list, after network and container events. */
  onNetworksChanged(handler: (networks: NetworkSummary[]) => void): Unsubscribe;
  /** `stacks://changed`: every compose project, after container events. */
  onStacksChanged(handler: (stacks: Stack[]) => void): Unsubscribe;

  /** The folder's `.gitlab-ci.yml` as GitLab resolves it; rejects with the file, line and job when GitLab would. */
  pipelineLoad(folder: string): Promise<PipelineView>;
  /** Starts a run (or re-run with `only`/`previous`); rejects with InvalidInput field 'consent' when the
   *  project has not allowed a privileged service. Resolves to the run id. */
  pipelineRun(request: PipelineRunRequest, onEvent: (e: PipelineEvent) => void): Promise<{ id: string }>;
  /** Stops the run's jobs and removes every container, network and service it created. */
  pipelineCancel(id: string): Promise<void>;
  /** Starts a manual job that waits. */
  pipelinePlay(id: string, job: string): Promise<void>;
  /** Answers a consent question for the project (null leaves it as it is). */
  pipelineConsent(folder: string, privilegedServices: boolean | null, hostEngineSocket: boolean | null): Promise<PipelineSettings>;
  /** Newest first. */
  pipelineHistory(folder: string): Promise<RunRecord[]>;
  /** A job's kept (masked) log. */
  pipelineLog(folder: string, id: string, job: string): Promise<string>;
  /** Asks where to save (native dialog); null when cancelled. */
  pipelineLogSave(folder: string, id: string, job: string): Promise<string | null>;
  pipelineArtifacts(folder: string, id: string, job: string): Promise<Artifact[]>;
  /** Asks where to save one artifact (native dialog); null when cancelled. */
  pipelineArtifactSave(folder: string, id: string, job: string, path: string): Promise<string | null>;
  /** Removes the project's cache volumes; resolves to how many. */
  pipelineCacheClear(folder: string): Promise<number>;
}
