import type { Backend } from '../ipc/backend';
import { toIpcError } from '../ipc/error';
import type { Settings, SettingsView, Theme, WorkDone } from '../ipc/types';
import { themeShown } from './theme';

/** The user's settings: loaded before the first paint (theme, last view), saved on each change. */
export class SettingsStore {
  current = $state<Settings | null>(null);
  /** Why settings.json could not be read at start (the defaults are in use; the shell keeps the
   *  file aside at the first save). Stays shown for this run. */
  problem = $state<string | null>(null);
  /** Why the last save failed. */
  saveError = $state<string | null>(null);

  /** The OS's choice (prefers-color-scheme), followed live while the theme is "system". */
  private readonly osDark = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

  constructor(private readonly backend: Backend, private readonly root: HTMLElement = document.documentElement) {
    this.osDark?.addEventListener('change', () => this.applyTheme());
  }

  private loading: Promise<void> | null = null;

  /** Takes settings read already (the page's HTML carried them) instead of reading them. */
  seed(view: SettingsView): void {
    this.current = view.settings;
    this.problem = view.problem;
    this.loading = Promise.resolve();
    this.applyTheme();
  }

  /** Reads the settings once; later calls share that read. */
  load(): Promise<void> {
    return (this.loading ??= this.read());
  }

  private async read(): Promise<void> {
    try {
      const view = await this.backend.settingsGet();
      this.current = view.settings;
      this.problem = view.problem;
    } catch (e) {
      this.problem = toIpcError(e).message;
    }
    this.applyTheme();
  }

  /** Saves `patch` over the current settings; the shell applies it at once. */
  async update(patch: Partial<Settings>): Promise<void> {
    if (!this.current) return;
    const next = { ...$state.snapshot(this.current), ...patch } as Settings;
    this.current = next;
    this.applyTheme();
    try {
      this.current = (await this.backend.settingsSet(next)).settings;
      this.saveError = null;
    } catch (e) {
      this.saveError = toIpcError(e).message;
    }
  }

  get theme(): Theme {
    return this.current?.theme ?? 'system';
  }

  /** `data-theme` on <html> (light or dark, the OS's for "system"): app.css's colours follow it. */
  private applyTheme(): void {
    this.root.dataset.theme = themeShown(this.theme, !!this.osDark?.matches);
  }

  /** Long work ended: the shell notifies unless the window is focused or the kind is off. */
  notifyDone(work: WorkDone): void {
    this.backend.notifyDone(work).catch(() => { /* a notification is a courtesy; the window shows the outcome */ });
  }
}
