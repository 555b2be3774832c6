// The docker CLI as a second, independent client: the tests change the engine behind the
// app's back and check what the app shows against what the engine says.
import { execFileSync } from 'node:child_process';
import { runId, testLabel, TEST_IMAGE } from './env.js';

export function docker(...args) {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function engineAnswers() {
  try { docker('info', '--format', '{{.ServerVersion}}'); return true; } catch { return false; }
}

let seq = 0;
/** A unique container name for this run. */
export const uniqueName = (what) => `berth-e2e-${what}-${runId}-${++seq}`;

/** `docker run -d` a test container (labelled for teardown); returns its name. */
export function runContainer(name, { image = TEST_IMAGE, args = [], cmd = [] } = {}) {
  docker('run', '-d', '--name', name, '--label', testLabel, ...args, image, ...cmd);
  return name;
}

/** A container that prints `line N` every second until stopped. */
export const runTicker = (name, args = []) =>
  runContainer(name, { args, cmd: ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 1; done'] });

/** The container's state per the engine (running, exited...), or null when it does not exist. */
export function containerState(name) {
  try { return docker('inspect', '--format', '{{.State.Status}}', name); } catch { return null; }
}

/**
 * Removes every container of this run: labelled ones, and ones the app created under a
 * uniqueName (the run dialog sets no label). Safe to call when the engine is down.
 */
export function removeTestContainers() {
  try {
    const ids = new Set([
      ...docker('ps', '-aq', '--filter', `label=${testLabel}`).split('\n'),
      ...docker('ps', '-aq', '--filter', `name=${runId}`).split('\n'),
    ].filter(Boolean));
    if (ids.size) docker('rm', '-f', ...ids);
  } catch { /* engine down: nothing to clean that we could reach */ }
}
