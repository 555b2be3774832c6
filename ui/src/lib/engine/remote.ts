import type { EngineInfo } from '../ipc/types';

/**
 * "Remote engine tcp://host:2376 (context staging)" when the engine is not on this computer (not
 * a unix socket or named pipe), else null: every prune, down and build goes there.
 */
export function remoteLabel(engine: Pick<EngineInfo, 'name' | 'host'>): string | null {
  if (/^(unix|npipe):/.test(engine.host)) return null;
  return `Remote engine ${engine.host} (${engine.name.replace(/^context: /, 'context ')})`;
}
