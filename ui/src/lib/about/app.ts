import type { Backend } from '../ipc/backend';
import { mark, timeline } from '../util/startup';

/** The app itself: its versions and log folder, quitting, and the first-paint signal. */
export class AppStore {
  /** Once per app run: the first list on screen is reported, and only then do rows get their action buttons. */
  firstListShown = false;

  constructor(private readonly backend: Backend) {}

  about() { return this.backend.appAbout(); }
  openLogFolder() { return this.backend.appOpenLogFolder(); }
  quit() { return this.backend.appQuit(); }
  /** The first rows are painted: the backend logs the startup time and the page's timeline. */
  ready(rows: number) {
    mark('painted');
    return this.backend.appReady(rows, timeline());
  }
}
