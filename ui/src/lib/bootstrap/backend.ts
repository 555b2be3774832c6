import type { Backend } from '../ipc/backend';
import { createTauriBackend, isTauri } from '../ipc/tauri';

/**
 * The Tauri backend inside the app; in a plain browser (`npm run dev`) the mock, loaded lazily so it
 * stays out of the app's main chunk. `?engine=down` previews the no-engine screen; `?logs=1000000` starts
 * every log with that many lines.
 */
export async function pickBackend(): Promise<Backend> {
  if (isTauri()) return createTauriBackend();
  const [{ MockBackend }, { mockCandidates, mockEngine }] = await Promise.all([
    import('../ipc/mock'), import('../ipc/mockData'),
  ]);
  const params = new URLSearchParams(location.search);
  const down = params.get('engine') === 'down';
  return new MockBackend({
    liveLogs: true,
    logLines: Number(params.get('logs')) || undefined,
    latency: 150,
    status: down ? {
      type: 'disconnected',
      reason: 'No container engine answered on any known endpoint.',
      tried: mockCandidates.map((c) => ({ ...c, error: c.error ?? 'Connection refused.' })),
      lost: mockEngine,
    } : undefined,
  });
}
