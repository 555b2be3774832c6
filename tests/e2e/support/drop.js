// A real OS drag and drop onto the Berth window under Xvfb: a tiny GTK window offers the path
// as text/uri-list (support/dragsource.py) and xdotool drags it onto the window with the
// mouse, so WebKitGTK receives a genuine XDND drop and Tauri emits its own drag-drop events.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { waitFor } from './wait.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dragsource.py');
// Debian's python3 has the GTK bindings (python3-gi); a pyenv python on PATH may not.
const python = ['/usr/bin/python3', 'python3'].find((p) => {
  try { execFileSync(p, ['-c', 'import gi'], { stdio: 'ignore' }); return true; } catch { return false; }
});
const xdotool = (...args) => execFileSync('xdotool', args.map(String), { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Drags `file` from a drag source onto the app window (its rect from WebDriver) and drops it. */
export async function dropOnWindow(browser, file) {
  if (!python) throw new Error('no python3 with GTK bindings (apt install python3-gi gir1.2-gtk-3.0; make test-e2e does)');
  const source = spawn(python, [script, file], { stdio: 'ignore' });
  try {
    let win = '';
    await waitFor(() => {
      try { win = xdotool('search', '--name', '^berth-drag-source$').split('\n')[0]; } catch { win = ''; }
      return win !== '';
    }, { timeout: 10_000, message: 'the drag source window' });
    const { x, y, width, height } = await browser.getWindowRect();
    // Over the app's bottom-right corner: without a window manager the newest window is on top.
    const sx = x + width - 200;
    const sy = y + height - 90;
    xdotool('windowmove', win, sx, sy);
    await sleep(300);
    const [fromX, fromY] = [sx + 80, sy + 30];
    const [toX, toY] = [x + Math.round(width / 2), y + Math.round(height / 2)];
    xdotool('mousemove', fromX, fromY);
    await sleep(200);
    xdotool('mousedown', 1);
    // GTK starts a drag after a few pixels of motion; XDND needs motion events over the target.
    for (let i = 1; i <= 10; i++) {
      xdotool('mousemove', Math.round(fromX + ((toX - fromX) * i) / 10), Math.round(fromY + ((toY - fromY) * i) / 10));
      await sleep(80);
    }
    await sleep(300);
    xdotool('mouseup', 1);
    await sleep(500);
  } finally {
    source.kill('SIGTERM');
  }
}
