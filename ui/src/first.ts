// The page's entry: a few kB. It draws the first screen from the data index.html carries (see
// lib/bootstrap/firstScreen.ts), reports it once it is painted, and only then loads the app
// (main.ts), which mounts in its place. Without that data, the app loads at once.
import { firstScreen, takeFirstPage } from './lib/bootstrap/firstScreen';
import { reportFirstList } from './lib/ipc/firstScreen';
import { themeShown } from './lib/settings/theme';
import { os } from './lib/util/platform';
import { afterFrameShown, mark, timeline } from './lib/util/startup';

const page = takeFirstPage(document);
const screen = page && firstScreen(page, { hash: location.hash, height: window.innerHeight, now: Date.now() });
if (page && screen) {
  const root = document.documentElement;
  root.dataset.os = os;
  root.dataset.theme = themeShown(page.settings.settings.theme ?? 'system', matchMedia('(prefers-color-scheme: dark)').matches);
  document.getElementById('app')!.innerHTML = screen.html;
  mark('drawn');
  requestAnimationFrame(() => {
    mark('painted');
    reportFirstList(screen.rows, timeline()).catch(() => {});
  });
  afterFrameShown(() => void import('./main'));
} else {
  void import('./main');
}
