import type { Backend } from '../ipc/backend';
import type { IpcErrorPayload, WorkDone } from '../ipc/types';

const folderName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? path;
const cancelled = (error: IpcErrorPayload | null) => error?.code === 'Cancelled';

/**
 * The backend, with the end of each long piece of work (build, pull, push, stack up, pipeline run) reported to
 * `notify` whoever started it; a cancel is not reported (the user was there).
 */
export function withWorkNotifications(backend: Backend, notify: (work: WorkDone) => void): Backend {
  const overrides: Partial<Backend> = {
    buildStart: (request, onEvent) => backend.buildStart(request, (e) => {
      onEvent(e);
      const subject = request.tags[0] ?? folderName(request.folder);
      if (e.kind === 'done') notify({ kind: 'build', subject, failed: false });
      else if (e.kind === 'failed' && !cancelled(e.error)) notify({ kind: 'build', subject, failed: true });
    }),
    imagePull: (reference, onEvent) => backend.imagePull(reference, (e) => {
      onEvent(e);
      if (e.type === 'done') notify({ kind: 'pull', subject: e.reference, failed: false });
      else if (e.type === 'failed' && !cancelled(e.error)) notify({ kind: 'pull', subject: reference, failed: true });
    }),
    imagePush: (image, target, onEvent) => backend.imagePush(image, target, (e) => {
      onEvent(e);
      if (e.type === 'done') notify({ kind: 'push', subject: e.reference, failed: false });
      else if (e.type === 'failed' && !cancelled(e.error)) notify({ kind: 'push', subject: target, failed: true });
    }),
    composeUp: (dir, profiles, options, onEvent) => backend.composeUp(dir, profiles, options, (e) => {
      onEvent(e);
      const subject = `Stack ${folderName(dir)}`;
      if ((e.type === 'done' || e.type === 'failed') && !cancelled(e.error)) notify({ kind: 'stackUp', subject, failed: e.error !== null });
    }),
    pipelineRun: (request, onEvent) => backend.pipelineRun(request, (e) => {
      onEvent(e);
      // A cancelled run is not reported: the user was there.
      if (e.type === 'finished' && e.status !== 'canceled') {
        notify({ kind: 'pipeline', subject: `Pipeline ${folderName(request.folder)}`, failed: e.status !== 'success' });
      }
    }),
  };
  return new Proxy(backend, {
    get: (target, prop) => (prop in overrides ? overrides[prop as keyof Backend] : Reflect.get(target, prop)),
  });
}
