import type { Backend } from '../ipc/backend';
import type { ComposeCreated, ComposeProgress, ContainerAction, DownOptions, LogEvent, LogOptions, Stack, UpEvent, UpOptions } from '../ipc/types';
import { LiveList } from '../util/liveList.svelte';
import { composeTask } from './composeTask';

/**
 * Every compose project on the engine. Listed on connect; the backend pushes the list again
 * after container changes (`stacks://changed`, from the engine's events); never polls.
 * Also what can be done to a stack or a project folder: open, up, build, pull, down, edit.
 */
export class StacksStore extends LiveList<Stack> {
  constructor(private readonly backend: Backend) {
    super(() => backend.composeStacks(), (h) => backend.onStacksChanged(h));
  }

  get(name: string): Stack | undefined {
    return this.all.find((s) => s.name === name);
  }

  /** Loads the project in `dir` with `profiles` (`['*']`: every one). */
  open(dir: string, profiles: string[]) { return this.backend.composeOpen(dir, profiles); }
  /** Starts an up; returns the id {@link cancel} takes. */
  up(dir: string, profiles: string[], options: UpOptions, onEvent: (e: UpEvent) => void) { return this.backend.composeUp(dir, profiles, options, onEvent); }
  /** An up (every profile) as a task to await or cancel. */
  upTask(dir: string, options: UpOptions, onProgress?: (p: ComposeProgress) => void) {
    return composeTask(this.backend, (on) => this.backend.composeUp(dir, ['*'], options, on), onProgress);
  }
  /** A build of `services` (all with a `build:` section when empty) as a task to await or cancel. */
  buildTask(dir: string, services: string[], onProgress?: (p: ComposeProgress) => void) {
    return composeTask(this.backend, (on) => this.backend.composeBuild(dir, services, on), onProgress);
  }
  /** Removes what a failed or cancelled up created; with `inherited`, the volumes it took over too. */
  undo(created: ComposeCreated, inherited: boolean) { return this.backend.composeUndo(created, inherited); }
  cancel(id: string) { return this.backend.subscriptionCancel(id); }
  act(stack: string, service: string | null, action: ContainerAction) { return this.backend.composeAction(stack, service, action); }
  down(stack: string, options: DownOptions, onProgress: (p: ComposeProgress) => void = () => {}) { return this.backend.composeDown(stack, options, onProgress); }
  pull(dir: string, services: string[], onProgress: (p: ComposeProgress) => void) { return this.backend.composePull(dir, services, onProgress); }
  /** Follows the stack's (or one service's) merged logs; end with {@link cancel}. */
  logs(stack: string, service: string | null, options: LogOptions, onEvent: (e: LogEvent) => void) {
    return this.backend.composeLogsSubscribe(stack, service, options, onEvent);
  }
  readFile(dir: string, file: string) { return this.backend.composeFileRead(dir, file); }
  saveFile(dir: string, file: string, text: string) { return this.backend.composeFileSave(dir, file, text); }
  /** The editor's check of `text` as `file`: the problem, or the project it gives. */
  validate(dir: string, file: string, text: string, profiles: string[]) { return this.backend.composeValidate(dir, file, text, profiles); }
}

/** A stack's overall state for its badge. */
export function stackState(s: Stack): 'running' | 'partial' | 'exited' {
  if (s.running === 0) return 'exited';
  return s.running === s.total ? 'running' : 'partial';
}
