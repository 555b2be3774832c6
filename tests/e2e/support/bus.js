// Watches the D-Bus session bus the app uses (scripts/keyring.sh gives each run a private one
// that allows eavesdropping): the real observable for notifications and the tray icon.
import { execFileSync, spawn } from 'node:child_process';

/** Starts `dbus-monitor --session` with `rules`; returns { text(), stop() }. */
export async function monitorBus(rules) {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('no session bus: run under scripts/keyring.sh (make test-e2e does)');
  const monitor = spawn('dbus-monitor', ['--session', ...rules], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  monitor.stdout.on('data', (d) => { out += d; });
  monitor.stderr.on('data', (d) => { out += d; });
  // It prints its own NameAcquired signal once it listens.
  const deadline = Date.now() + 5000;
  while (!out.includes('NameAcquired') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return {
    text: () => out,
    stop: () => new Promise((resolve) => { monitor.once('exit', resolve); monitor.kill('SIGTERM'); }),
  };
}

const gdbus = (...args) => execFileSync('gdbus', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The tray icon as the desktop's panel would see it: the app's StatusNotifierItem
 * (libayatana-appindicator exports it under /org/ayatana/NotificationItem), its Status (a panel
 * shows Active items, hides Passive ones) and the labels of its com.canonical.dbusmenu layout.
 * Null when no connection on the bus exports one.
 */
export function trayIcon() {
  const names = gdbus('call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus',
    '--method', 'org.freedesktop.DBus.ListNames').match(/':\d+\.\d+'/g) ?? [];
  for (const quoted of names) {
    const name = quoted.slice(1, -1);
    let nodes;
    try {
      nodes = gdbus('introspect', '--session', '--dest', name, '--object-path', '/org/ayatana/NotificationItem');
    } catch { continue; }
    const item = [...nodes.matchAll(/node ([^/\s]\S*)/g)].map((m) => m[1])[0];
    if (!item) continue;
    const path = `/org/ayatana/NotificationItem/${item}`;
    const status = gdbus('call', '--session', '--dest', name, '--object-path', path,
      '--method', 'org.freedesktop.DBus.Properties.Get', 'org.kde.StatusNotifierItem', 'Status').match(/'(\w+)'/)?.[1];
    const layout = gdbus('call', '--session', '--dest', name, '--object-path', `${path}/Menu`,
      '--method', 'com.canonical.dbusmenu.GetLayout', '--', '0', '-1', '@as []');
    return { status, labels: [...layout.matchAll(/'label': <'([^']*)'>/g)].map((m) => m[1]) };
  }
  return null;
}
