import type { ContainerAction, ContainerState } from '../ipc/types';

export type RowAction = ContainerAction | 'remove';

export const ACTION_LABEL: Record<RowAction, string> = {
  start: 'Start', stop: 'Stop', restart: 'Restart', kill: 'Kill', pause: 'Pause', unpause: 'Resume', remove: 'Remove',
};

/** Past tense for confirmations: "Stopped 3 containers." */
export const ACTION_DONE: Record<RowAction, string> = {
  start: 'Started', stop: 'Stopped', restart: 'Restarted', kill: 'Killed', pause: 'Paused', unpause: 'Resumed', remove: 'Removed',
};

/** Which actions make sense for a container in `state`, in display order. */
export function actionsFor(state: ContainerState): RowAction[] {
  switch (state) {
    case 'running': return ['stop', 'restart', 'pause', 'kill', 'remove'];
    case 'paused': return ['unpause', 'stop', 'kill', 'remove'];
    case 'restarting': return ['stop', 'kill', 'remove'];
    case 'created':
    case 'exited': return ['start', 'remove'];
    case 'dead': return ['remove'];
    case 'removing': return [];
    case 'unknown': return ['start', 'stop', 'remove'];
  }
}

/** Actions offered in the bulk bar for a selection: any that applies to at least one selected container. */
export function bulkActionsFor(states: readonly ContainerState[]): RowAction[] {
  const order: RowAction[] = ['start', 'stop', 'restart', 'pause', 'unpause', 'kill', 'remove'];
  const offered = new Set(states.flatMap(actionsFor));
  return order.filter((a) => offered.has(a));
}

/** Whether `action` applies to a container in `state` (bulk actions skip the others). */
export function appliesTo(action: RowAction, state: ContainerState): boolean {
  return actionsFor(state).includes(action);
}

export function isActive(state: ContainerState): boolean {
  return state === 'running' || state === 'paused' || state === 'restarting';
}
