// Paths and names shared by the end-to-end support code.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const artifactsDir = path.join(repoRoot, 'tests/e2e/artifacts');
// make test-e2e passes BERTH_APP; running `npm test` by hand falls back to the usual place.
export const appPath = process.env.BERTH_APP
  ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, 'target'), 'debug/berth');
export const tauriDriverPath = process.env.TAURI_DRIVER ?? path.join(repoRoot, '.tools/bin/tauri-driver');
export const driverPort = Number(process.env.BERTH_E2E_PORT ?? 4444);
export const nativePort = driverPort + 1;

// One id per spec process: every container it makes carries label berth.test=<runId>.
export const runId = `${Date.now().toString(36)}-${process.pid}`;
export const testLabel = `berth.test=${runId}`;
export const TEST_IMAGE = 'berth-test/busybox:1';
