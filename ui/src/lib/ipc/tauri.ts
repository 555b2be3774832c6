import { Channel } from '@tauri-apps/api/core';
import { listen, TauriEvent, type Options } from '@tauri-apps/api/event';
import type { Backend, Commands, DropEvent, ExecSink, Unsubscribe } from './backend';
import { commands, type ContainersChanged, type EngineStatus, type ExecOutput, type ExecSession, type ImageSummary, type NetworkSummary, type Stack, type VolumeSummary } from './bindings';
import { installChannelTake } from './channelTake';
import { IpcError } from './error';

type Command = (...args: unknown[]) => Promise<unknown>;

/** A generated command with callbacks turned into Channels and rejections into `IpcError`s. */
function command(name: string, generated: Command): Command {
  const wireName = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return async (...args) => {
    try {
      return await generated(...args.map((arg) => (typeof arg === 'function' ? new Channel(arg as (m: unknown) => void) : arg)));
    } catch (reason) {
      throw IpcError.from(reason, wireName);
    }
  };
}

/** Every generated command, wrapped by `command`. */
function wrapCommands(): Commands {
  const entries = Object.entries(commands as unknown as Record<string, Command>);
  return Object.fromEntries(entries.map(([name, generated]) => [name, command(name, generated)])) as unknown as Commands;
}

/** `listen()` registers asynchronously; unlisten as soon as it resolves if we were already disposed. */
function subscribe<T>(event: string, handler: (payload: T) => void, options?: Options): Unsubscribe {
  let disposed = false;
  let unlisten: Unsubscribe | null = null;
  listen<T>(event, (e) => { if (!disposed) handler(e.payload); }, options).then(
    (fn) => { if (disposed) fn(); else unlisten = fn; },
    (reason) => console.error(`listen(${event}) failed`, reason),
  );
  return () => {
    disposed = true;
    unlisten?.();
  };
}

/**
 * Tauri's drag-drop events of this webview, folded to what the UI needs. Listened to by name, as
 * `getCurrentWebview().onDragDropEvent` does: its module and the window, geometry and image
 * classes it pulls in were a third of the script parsed before the first paint.
 */
function onDrop(handler: (e: DropEvent) => void): Unsubscribe {
  const label = (window as unknown as { __TAURI_INTERNALS__: { metadata: { currentWebview: { label: string } } } })
    .__TAURI_INTERNALS__.metadata.currentWebview.label;
  const on = <T>(event: string, fold: (payload: T) => DropEvent) =>
    subscribe<T>(event, (payload) => handler(fold(payload)), { target: { kind: 'Webview', label } });
  const offs = [
    on(TauriEvent.DRAG_ENTER, () => ({ type: 'over' })),
    on(TauriEvent.DRAG_OVER, () => ({ type: 'over' })),
    on<{ paths: string[] }>(TauriEvent.DRAG_DROP, (p) => ({ type: 'drop', paths: p.paths })),
    on(TauriEvent.DRAG_LEAVE, () => ({ type: 'leave' })),
  ];
  return () => offs.forEach((off) => off());
}

/** Exec output arrives as raw bytes (an ArrayBuffer), whatever the generated type says. */
function execChannel(sink: ExecSink): Channel<ExecOutput> {
  return new Channel<ExecOutput>((message: unknown) => {
    const bytes = message instanceof ArrayBuffer ? new Uint8Array(message) : Uint8Array.from(message as ArrayLike<number>);
    if (bytes.byteLength === 0) sink.exit();
    else sink.output(bytes);
  });
}

export function createTauriBackend(): Backend {
  installChannelTake();
  const generated = wrapCommands();
  return {
    ...generated,
    execStart: (containerId, cols, rows, sink) =>
      command('execStart', commands.execStart as Command)(containerId, cols, rows, execChannel(sink)) as Promise<ExecSession>,

    onEngineStatus: (handler) => subscribe<EngineStatus>('engine://status', handler),
    onContainersChanged: (handler) => subscribe<ContainersChanged>('containers://changed', handler),
    onImagesChanged: (handler) => subscribe<ImageSummary[]>('images://changed', handler),
    onVolumesChanged: (handler) => subscribe<VolumeSummary[]>('volumes://changed', handler),
    onNetworksChanged: (handler) => subscribe<NetworkSummary[]>('networks://changed', handler),
    onStacksChanged: (handler) => subscribe<Stack[]>('stacks://changed', handler),
    onOpenFolder: (handler) => subscribe<string>('app://open-folder', handler),
    onDrop,
  };
}

export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
