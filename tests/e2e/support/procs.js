// Processes a launch leaves behind. WebKitWebDriver kills the app it started only when its session
// ends cleanly; if it is killed first (tauri-driver SIGKILLs it on SIGTERM), the app lives on, holds
// the single-instance lock, and every later launch hands itself to it and exits: each later
// session then waits 120 s for a window that never comes.
import fs from 'node:fs';

/** Every process as [pid, ppid]. */
function table() {
  const rows = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      rows.push([Number(name), ppid]);
    } catch { /* it just exited */ }
  }
  return rows;
}

/** The pids below `pid` (children, their children, ...). */
export function descendants(pid) {
  const rows = table();
  const found = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift();
    for (const [child, ppid] of rows) {
      if (ppid === parent) { found.push(child); queue.push(child); }
    }
  }
  return found;
}

/** Running and not a zombie (an orphan's zombie waits for whoever adopted it to reap it). */
function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Processes an earlier launch of the e2e suite left: their environment holds `marker`. */
export function leftovers(marker) {
  return table().map(([pid]) => pid).filter((pid) => {
    if (pid === process.pid || !alive(pid)) return false;
    try { return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker); } catch { return false; }
  });
}

/** Ends `pids` that still run: SIGTERM, then SIGKILL after `graceMs`. Returns those it had to end. */
export async function reap(pids, graceMs = 5_000) {
  const left = pids.filter(alive);
  for (const pid of left) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  const until = Date.now() + graceMs;
  while (left.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const pid of left.filter(alive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  while (left.some(alive)) await new Promise((r) => setTimeout(r, 50));
  return left;
}
