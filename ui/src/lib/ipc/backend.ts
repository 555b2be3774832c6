import type {
  ActionOutcome, ContainerAction, ContainerDetails, ContainerSummary, ContainersChanged,
  EngineCandidate, EngineStatus, ExecSession, LogEvent, LogOptions, RunSpec,
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

  containerList(): Promise<ContainerSummary[]>;
  containerAction(ids: string[], action: ContainerAction): Promise<ActionOutcome[]>;
  containerRemove(ids: string[], force: boolean): Promise<ActionOutcome[]>;
  containerInspect(id: string): Promise<ContainerDetails>;
  containerRun(spec: RunSpec): Promise<ContainerSummary>;

  /** Resolves to a subscription id for `subscriptionCancel`. */
  containerLogsSubscribe(id: string, options: LogOptions, onEvent: (e: LogEvent) => void): Promise<string>;
  /** Returns the saved file's path, or null if the user cancelled the save dialog. */
  containerLogsSave(id: string, timestamps: boolean): Promise<string | null>;
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

  onEngineStatus(handler: (status: EngineStatus) => void): Unsubscribe;
  onContainersChanged(handler: (change: ContainersChanged) => void): Unsubscribe;
}
