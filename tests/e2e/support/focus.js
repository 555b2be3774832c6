// Another window takes the keyboard focus from Berth, as when the user switches to a terminal
// or an editor while Berth works: a tiny GTK window, focused with xdotool (no window manager
// runs under Xvfb, so nothing else would move the focus).
import { execFileSync, spawn } from 'node:child_process';
import { waitFor } from './wait.js';

const TITLE = 'berth-e2e-elsewhere';
const GTK_WINDOW = `
import gi
gi.require_version('Gtk', '3.0')
from gi.repository import Gtk
w = Gtk.Window(title='${TITLE}')
w.set_default_size(200, 80)
w.connect('destroy', Gtk.main_quit)
w.show_all()
Gtk.main()
`;
const xdotool = (...args) => execFileSync('xdotool', args.map(String), { encoding: 'utf8' }).trim();

/** Focuses a window of another program; returns a function that closes it. */
export async function focusElsewhere() {
  const other = spawn('/usr/bin/python3', ['-c', GTK_WINDOW], { stdio: 'ignore' });
  let win = '';
  await waitFor(() => {
    try { win = xdotool('search', '--onlyvisible', '--name', `^${TITLE}$`).split('\n')[0]; } catch { win = ''; }
    return win !== '';
  }, { timeout: 10_000, message: 'the other window' });
  xdotool('windowfocus', '--sync', win);
  return () => new Promise((resolve) => { other.once('exit', resolve); other.kill('SIGTERM'); });
}
