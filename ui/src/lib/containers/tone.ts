import type { ContainerState } from '../ipc/types';

/** A state's colour (StateBadge's classes). */
export const TONE: Record<ContainerState, string> = {
  running: 'green', paused: 'amber', restarting: 'red', dead: 'red', removing: 'amber',
  created: 'blue', exited: 'grey', unknown: 'grey',
};
