import { refreshOnConnect, type EngineStore } from '../engine/engine.svelte';
import type { Backend, Unsubscribe } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { CommitSpec, ContainerSummary, ContainersChanged, LogEvent, LogOptions, RunSpec, StatsEvent } from '../ipc/types';
import { ExecConnection, type ExecEvents } from '../terminal/execConnection';
import { stamp } from '../util/liveStatus.svelte';
import { mark } from '../util/startup';

/**
 * Every container of the connected engine, by id. Filled by `container_list`, patched by
 * `containers://changed`, re-listed whenever the engine (re)connects. Never polls.
 */
export class ContainersStore {
  byId = $state.raw<ReadonlyMap<string, ContainerSummary>>(new Map());
  all = $derived([...this.byId.values()]);
  loaded = $state(false);
  loading = $state(false);
  error = $state.raw<IpcError | null>(null);
  /** Changes that arrive while a list is in flight are re-applied on top of its result. */
  private pending: ContainersChanged[] | null = null;
  private generation = 0;
  private readonly backend: Backend;
  /** Settles when the first list is in (or has failed): the app's other lists wait for it. */
  readonly listed: Promise<void>;
  private settleListed!: () => void;

  /** `seen`: the list the page's HTML carried, shown until `start` has listed again. */
  constructor(backend: Backend, seen: ContainerSummary[] | null = null) {
    this.backend = backend;
    this.listed = new Promise((resolve) => (this.settleListed = resolve));
    if (seen) {
      stamp(seen);
      this.byId = new Map(seen.map((c) => [c.id, c]));
      this.loaded = true;
      this.settleListed();
    }
  }

  start(engine: EngineStore): Unsubscribe {
    const unlisten = this.backend.onContainersChanged((c) => this.apply(c));
    // The first list goes out at once, beside the engine's status rather than after it: the
    // backend connects before the page asks, so it usually answers. When it cannot yet, that
    // says nothing (no error shown); the list on connecting follows.
    let early = engine.status.type === 'connected' ? null : this.refresh(true);
    const unwatch = refreshOnConnect(engine, () => {
      const pending = early;
      early = null;
      if (pending) void pending.then((listed) => listed || this.refresh());
      else void this.refresh();
    });
    return () => {
      unlisten();
      unwatch();
    };
  }

  /** Lists again; resolves to whether this list is the one shown. `quiet`: a failure is not shown. */
  async refresh(quiet = false): Promise<boolean> {
    const generation = ++this.generation;
    this.pending = [];
    this.loading = true;
    let listed = false;
    try {
      mark('list-asked');
      const list = await this.backend.containerList();
      mark('list-got');
      if (generation !== this.generation) return false;
      stamp(list);
      const map = new Map(list.map((c) => [c.id, c]));
      for (const change of this.pending) patch(map, change);
      this.byId = map;
      this.error = null;
      this.loaded = true;
      listed = true;
    } catch (e) {
      if (generation === this.generation && !quiet) this.error = toIpcError(e);
    } finally {
      if (generation === this.generation) {
        this.pending = null;
        this.loading = false;
        if (listed || !quiet) this.settleListed();
      }
    }
    return listed;
  }

  apply(change: ContainersChanged): void {
    stamp(change.upserted);
    this.pending?.push(change);
    const map = new Map(this.byId);
    patch(map, change);
    this.byId = map;
  }

  /** Renames `id`; the list shows the new name at once (the engine's event confirms it). */
  async rename(id: string, name: string): Promise<ContainerSummary> {
    const row = await this.backend.containerRename(id, name);
    this.apply({ upserted: [row], removed: [] });
    return row;
  }

  get(id: string): ContainerSummary | undefined {
    return this.byId.get(id);
  }

  /** The display name of `id`, or its short id when unknown. */
  nameOf(id: string): string {
    return this.byId.get(id)?.name ?? id.slice(0, 12);
  }

  inspect(id: string) { return this.backend.containerInspect(id); }
  run(spec: RunSpec) { return this.backend.containerRun(spec); }
  commit(spec: CommitSpec) { return this.backend.containerCommit(spec); }
  /** Opens `http://localhost:<port>` in the browser. */
  openPort(port: number) { return this.backend.portOpen(port); }
  /** Follows a container's logs; end with {@link cancel}. */
  logs(id: string, options: LogOptions, onEvent: (e: LogEvent) => void) { return this.backend.containerLogsSubscribe(id, options, onEvent); }
  /** Asks where, then saves the whole log; the path, or null when the user cancels. */
  saveLogs(id: string, timestamps: boolean) { return this.backend.containerLogsSave(id, timestamps); }
  /** Follows a container's resource use; end with {@link cancel}. */
  stats(id: string, onEvent: (e: StatsEvent) => void) { return this.backend.containerStatsSubscribe(id, onEvent); }
  /** Ends a logs or stats subscription. */
  cancel(subscription: string) { return this.backend.subscriptionCancel(subscription); }
  /** A terminal session in the container (not started yet). */
  terminal(id: string, events: ExecEvents) { return new ExecConnection(this.backend, id, events); }
}

function patch(map: Map<string, ContainerSummary>, change: ContainersChanged): void {
  for (const c of change.upserted) map.set(c.id, c);
  for (const id of change.removed) map.delete(id);
}
