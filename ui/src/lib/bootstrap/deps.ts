import { getContext, setContext } from 'svelte';
import { Confirmations } from '../components/confirm.svelte';
import { ActionRunner } from '../containers/actionRunner.svelte';
import { ContainersStore } from '../containers/containers.svelte';
import { Selection } from '../containers/selection.svelte';
import { EngineStore } from '../engine/engine.svelte';
import { StacksStore } from '../stacks/stacks.svelte';
import { Transfers } from '../images/transfers.svelte';
import type { Backend, Unsubscribe } from '../ipc/backend';
import type { FirstPage } from '../ipc/types';
import { PipelinesStore } from '../pipelines/pipelines.svelte';
import { ProjectStore } from '../project/project.svelte';
import { RegistriesStore } from '../registries/registries.svelte';
import { Toasts } from '../toasts/toasts.svelte';
import { ImagesStore } from '../images/images.svelte';
import { NetworksStore } from '../networks/networks.svelte';
import { VolumesStore } from '../volumes/volumes.svelte';
import { AppStore } from '../about/app';
import { Intents } from '../palette/intents.svelte';
import { SettingsStore } from '../settings/settings.svelte';
import { withWorkNotifications } from '../settings/workNotifications';
import { afterFrameShown } from '../util/startup';

/**
 * Every service of the app, created once from a backend. Components get them with `useDeps()`;
 * the stores are the only callers of the backend (views render, stores act).
 */
export interface Deps {
  backend: Backend;
  app: AppStore;
  engine: EngineStore;
  containers: ContainersStore;
  images: ImagesStore;
  stacks: StacksStore;
  projects: ProjectStore;
  pipelines: PipelinesStore;
  transfers: Transfers;
  registries: RegistriesStore;
  actions: ActionRunner;
  selection: Selection;
  toasts: Toasts;
  confirmations: Confirmations;
  volumes: VolumesStore;
  networks: NetworksStore;
  settings: SettingsStore;
  /** Dialogs the command palette asked a view to open. */
  intents: Intents;
}

/** `first`: what the page's HTML carried (firstScreen.ts), in the stores from the start. */
export function createDeps(raw: Backend, first: FirstPage | null = null): Deps {
  const settings = new SettingsStore(raw);
  if (first) settings.seed(first.settings);
  const backend = withWorkNotifications(raw, (work) => settings.notifyDone(work));
  const toasts = new Toasts();
  const confirmations = new Confirmations();
  return {
    backend,
    app: new AppStore(backend),
    engine: new EngineStore(backend, first?.engine),
    containers: new ContainersStore(backend, first?.containers),
    images: new ImagesStore(backend),
    stacks: new StacksStore(backend),
    projects: new ProjectStore(backend),
    pipelines: new PipelinesStore(backend, toasts),
    transfers: new Transfers(backend, (t) => {
      const verb = t.kind === 'pull' ? 'Pulled' : 'Pushed';
      if (t.state === 'done') toasts.success(`${verb} ${t.reference}.`);
      else if (t.error) toasts.push('error', t.error.message, t.error.detail);
    }),
    registries: new RegistriesStore(backend),
    actions: new ActionRunner(backend, toasts, confirmations),
    selection: new Selection(),
    toasts,
    confirmations,
    volumes: new VolumesStore(backend),
    networks: new NetworksStore(backend),
    settings,
    intents: new Intents(),
  };
}

const started = new WeakSet<Deps>();

/**
 * Runs `start` once `ready` has resolved and the next frame is on screen, unless stopped first:
 * work the first screen does not show waits until that screen is on the display.
 */
export function afterFirstPaint(start: () => Unsubscribe, ready: Promise<unknown> = Promise.resolve()): Unsubscribe {
  let stopped = false;
  let stop: Unsubscribe | null = null;
  void ready.then(() => afterFrameShown(() => { if (!stopped) stop = start(); }));
  return () => {
    stopped = true;
    stop?.();
  };
}

/**
 * Starts the live subscriptions; returns their cleanup. main.ts starts them before the first
 * paint (so the first frame can hold the rows); App starts them for tests that render it alone,
 * and a second start is a no-op.
 */
export function startDeps(deps: Deps): Unsubscribe {
  if (started.has(deps)) return () => {};
  started.add(deps);
  // main.ts loads them before the first paint; tests that render App directly load them here.
  if (!deps.settings.current) void deps.settings.load();
  const stopContainers = deps.containers.start(deps.engine);
  const stopEngine = deps.engine.start();
  // The first screen is the container list: the other lists start once it is painted, so that
  // their engine calls (a compose project's files, say) and their answers do not hold it up.
  const stopRest = afterFirstPaint(() => {
    const stops = [deps.images, deps.stacks, deps.volumes, deps.networks].map((list) => list.start(deps.engine));
    return () => stops.forEach((stop) => stop());
  }, deps.containers.listed);
  return () => {
    started.delete(deps);
    stopEngine();
    stopContainers();
    stopRest();
  };
}

const KEY = Symbol('berth.deps');

export function provideDeps(deps: Deps): void {
  setContext<Deps>(KEY, deps);
}

export function useDeps(): Deps {
  const deps = getContext<Deps | undefined>(KEY);
  if (!deps) throw new Error('useDeps() called outside <App> (no deps in context)');
  return deps;
}
