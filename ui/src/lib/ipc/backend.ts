import type { Channel } from '@tauri-apps/api/core';
import type { commands } from './bindings';
import type { ContainersChanged, EngineStatus, ExecSession, ImageSummary, NetworkSummary, Stack, VolumeSummary } from './bindings';

export type Unsubscribe = () => void;

/** Receives the output of an exec session. */
export interface ExecSink {
  output(bytes: Uint8Array): void;
  /** The process ended (the backend sent a zero-length message). */
  exit(): void;
}

/** Files dragged over / dropped on the window (Tauri's drag-drop events, folded). */
export type DropEvent = { type: 'over' } | { type: 'drop'; paths: string[] } | { type: 'leave' };

type Generated = typeof commands;
/** A command's `Channel<T>` argument, as the callback that receives its messages. */
type Callback<A> = A extends Channel<infer T> ? (message: T) => void : A;
/** A command that returns `()` resolves to null; callers treat it as void. */
type Result<R> = R extends Promise<null> ? Promise<void> : R;
type WithCallbacks<F> = F extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: Callback<A[I]> }) => Result<R> : never;

/**
 * Every command of src-tauri/src/commands/list.rs, typed by the generated bindings (their doc
 * comments are the Rust ones), with channels as callbacks. Each rejects with an `IpcError`.
 */
export type Commands = { [K in keyof Generated]: WithCallbacks<Generated[K]> };

/**
 * Everything the UI can ask of the backend: the commands, plus the events it listens to.
 * Event subscriptions return synchronously; the implementation handles late registration.
 */
export interface Backend extends Omit<Commands, 'execStart' | 'channelTake'> {
  /** Opens a shell; its raw output goes to `sink`. */
  execStart(containerId: string, cols: number, rows: number, sink: ExecSink): Promise<ExecSession>;

  onEngineStatus(handler: (status: EngineStatus) => void): Unsubscribe;
  onContainersChanged(handler: (change: ContainersChanged) => void): Unsubscribe;
  /** `images://changed`: the whole image list, after image events (coalesced ~100 ms). */
  onImagesChanged(handler: (images: ImageSummary[]) => void): Unsubscribe;
  /** `volumes://changed`: the whole volume list, after volume and container events. */
  onVolumesChanged(handler: (volumes: VolumeSummary[]) => void): Unsubscribe;
  /** `networks://changed`: the whole network list, after network and container events. */
  onNetworksChanged(handler: (networks: NetworkSummary[]) => void): Unsubscribe;
  /** `stacks://changed`: every compose project, after container events. */
  onStacksChanged(handler: (stacks: Stack[]) => void): Unsubscribe;
  /** A later launch named a folder (single instance: it handed the folder to this window). */
  onOpenFolder(handler: (folder: string) => void): Unsubscribe;
  /** Files dragged over / dropped on the window (Tauri's drag-drop events). */
  onDrop(handler: (e: DropEvent) => void): Unsubscribe;
}
