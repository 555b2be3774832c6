import type { Backend } from '../ipc/backend';
import type { ComposeProgress, UpEvent, UpOptions } from '../ipc/types';

/** An up of every service (and what they depend on) that recreates only what changed, with `over` on top. */
export function upOptions(over: Partial<UpOptions> = {}): UpOptions {
  return { services: [], noDeps: false, forceRecreate: false, scale: {}, build: false, removeOrphans: false, orphans: [], ...over };
}

/** What `done` rejects with when the task was cancelled. */
export class Cancelled extends Error {}

/** A running up or build: its end, and a way to stop it. */
export interface ComposeTask {
  /** Resolves when it finished well; rejects with its error, or a {@link Cancelled}. */
  done: Promise<void>;
  cancel(): Promise<void>;
}

/** Starts an up or a build (`start` is `composeUp` or `composeBuild` with its arguments), its progress to `onProgress`. */
export function composeTask(
  backend: Backend,
  start: (onEvent: (e: UpEvent) => void) => Promise<string>,
  onProgress: (p: ComposeProgress) => void = () => {},
): ComposeTask {
  let id: Promise<string | null> = Promise.resolve(null);
  let abort: (e: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    abort = reject;
    const started = start((e) => {
      if (e.type === 'progress') onProgress(e);
      else if (e.type === 'done' && !e.error) resolve();
      else reject(e.error);
    });
    started.catch(reject);
    id = started.catch(() => null);
  });
  return {
    done,
    async cancel() {
      abort(new Cancelled('Cancelled.'));
      const running = await id;
      if (running) await backend.subscriptionCancel(running).catch(() => undefined);
    },
  };
}
