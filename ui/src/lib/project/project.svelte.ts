import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError } from '../ipc/error';
import { BuildRun } from '../build/buildRun.svelte';
import type { BuildRequest, HistoryEntry, Language, Project, RecentFolder, Starter } from '../ipc/types';

/** The open project folder: opened by a drop on the window, the folder dialog, or a recent entry. */
export class ProjectStore {
  current = $state<Project | null>(null);
  recent = $state.raw<RecentFolder[]>([]);
  history = $state.raw<HistoryEntry[]>([]);
  /** Why the last open failed (a file was dropped, the folder is gone). */
  error = $state<string | null>(null);
  /** Files are being dragged over the window. */
  dragging = $state(false);
  opening = $state(false);

  constructor(private readonly backend: Backend) {}

  /** Listens for drops; `onopened` runs after a project opened (e.g. to show its view). */
  /** A folder named on the command line (`berth ~/src/app`, also handed over by a second launch)
   *  opens as a dropped one does. */
  start(onopened: () => void): Unsubscribe {
    void this.loadRecent();
    const openFolder = (folder: string) => void this.open(folder).then((ok) => { if (ok) onopened(); });
    this.backend.launchFolder().then((folder) => { if (folder) openFolder(folder); }, () => { /* no folder */ });
    const stopFolders = this.backend.onOpenFolder(openFolder);
    const stopDrops = this.backend.onDrop((e) => {
      if (e.type === 'over') this.dragging = true;
      else if (e.type === 'leave') this.dragging = false;
      else {
        this.dragging = false;
        if (e.paths.length) openFolder(e.paths[0]);
      }
    });
    return () => {
      stopFolders();
      stopDrops();
    };
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = await this.backend.projectRecent();
    } catch {
      this.recent = [];
    }
  }

  /** True when it opened; otherwise `error` says why. */
  async open(folder: string): Promise<boolean> {
    return this.opened(() => this.backend.projectOpen(folder));
  }

  async pick(): Promise<boolean> {
    return this.opened(() => this.backend.projectPick());
  }

  private async opened(how: () => Promise<Project | null>): Promise<boolean> {
    this.opening = true;
    this.error = null;
    try {
      const project = await how();
      if (!project) return false;
      this.show(project);
      void this.loadRecent();
      return true;
    } catch (e) {
      this.error = toIpcError(e).message;
      return false;
    } finally {
      this.opening = false;
    }
  }

  /** Show `project` (also after it changed, e.g. a starter Dockerfile was written). */
  show(project: Project): void {
    this.current = project;
    this.history = [];
    void this.refreshHistory();
  }

  async refreshHistory(): Promise<void> {
    const folder = this.current?.folder;
    if (!folder) return;
    try {
      const entries = await this.backend.buildHistory(folder);
      if (this.current?.folder === folder) this.history = entries;
    } catch {
      /* history is a convenience; the build itself reports its errors */
    }
  }

  close(): void {
    this.current = null;
    this.history = [];
    this.error = null;
  }

  /** The build form's starting point for one Dockerfile of `folder`. */
  plan(folder: string, dockerfile: string) { return this.backend.buildPlan(folder, dockerfile); }
  /** A build of `request` (not started yet). */
  build(request: BuildRequest) { return new BuildRun(this.backend, request); }
  starterPreview(language: Language) { return this.backend.starterPreview(language); }
  /** Writes the reviewed starter into `folder`; the folder reopened. */
  starterWrite(folder: string, starter: Starter) { return this.backend.starterWrite(folder, starter); }
}
