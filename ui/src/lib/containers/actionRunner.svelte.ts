import type { Confirmations } from '../components/confirm.svelte';
import type { Backend } from '../ipc/backend';
import type { ActionOutcome, ContainerSummary } from '../ipc/types';
import type { Toasts } from '../toasts/toasts.svelte';
import { count } from '../util/format';
import { ACTION_DONE, ACTION_LABEL, appliesTo, isActive, type RowAction } from './actions';

const plural = (n: number) => count(n, 'container');

/** Runs container actions (single or bulk), tracks which ids are busy, reports outcomes as toasts. */
export class ActionRunner {
  /** Ids with an action in flight; their buttons are disabled. */
  busy = $state.raw<ReadonlySet<string>>(new Set());

  constructor(private readonly backend: Backend, private readonly toasts: Toasts, private readonly confirmations: Confirmations) {}

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  /** Runs `action` on those of `targets` it applies to. Resolves to whether every one succeeded. */
  async run(action: RowAction, targets: readonly ContainerSummary[]): Promise<boolean> {
    const applicable = targets.filter((c) => appliesTo(action, c.state) && !this.busy.has(c.id));
    if (applicable.length === 0) return false;
    let force = false;
    if (action === 'remove') {
      force = applicable.some((c) => isActive(c.state));
      if (!(await this.confirmRemove(applicable, force))) return false;
    }
    const ids = applicable.map((c) => c.id);
    this.mark(ids, true);
    try {
      const outcomes = action === 'remove'
        ? await this.backend.containerRemove(ids, force)
        : await this.backend.containerAction(ids, action);
      return this.report(action, applicable, outcomes);
    } catch (e) {
      this.toasts.error(e, `Could not ${ACTION_LABEL[action].toLowerCase()} ${applicable.length === 1 ? applicable[0].name : plural(applicable.length)}.`);
      return false;
    } finally {
      this.mark(ids, false);
    }
  }

  private confirmRemove(targets: readonly ContainerSummary[], force: boolean): Promise<boolean> {
    const active = targets.filter((c) => isActive(c.state)).length;
    const what = targets.length === 1 ? `“${targets[0].name}”` : plural(targets.length);
    const forceNote = !force ? ''
      : targets.length === 1 ? ' It is running and will be stopped and force-removed.'
      : ` ${active === 1 ? '1 of them is' : `${active} of them are`} running and will be stopped and force-removed.`;
    return this.confirmations.ask({
      title: targets.length === 1 ? 'Remove container?' : `Remove ${plural(targets.length)}?`,
      message: `Remove ${what}? ${targets.length === 1 ? 'Its filesystem is' : 'Their filesystems are'} deleted; named volumes are kept.${forceNote}`,
      items: targets.length > 1 ? targets.map((c) => c.name) : undefined,
      okLabel: force ? 'Force remove' : 'Remove',
      danger: true,
    });
  }

  private report(action: RowAction, targets: readonly ContainerSummary[], outcomes: ActionOutcome[]): boolean {
    const names = new Map(targets.map((c) => [c.id, c.name]));
    const failed = outcomes.filter((o) => o.error);
    for (const o of failed) {
      const err = o.error!;
      this.toasts.push('error', `Could not ${ACTION_LABEL[action].toLowerCase()} ${names.get(o.id) ?? o.id.slice(0, 12)}: ${err.message}`, err.detail);
    }
    const ok = outcomes.length - failed.length;
    if (targets.length > 1 && ok > 0) this.toasts.success(`${ACTION_DONE[action]} ${plural(ok)}.`);
    return failed.length === 0;
  }

  private mark(ids: string[], on: boolean): void {
    const next = new Set(this.busy);
    for (const id of ids) {
      if (on) next.add(id); else next.delete(id);
    }
    this.busy = next;
  }
}
