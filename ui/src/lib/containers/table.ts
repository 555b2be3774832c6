import type { ContainerSummary } from '../ipc/types';
import type { ContainerGroup, SortKey } from './filter';

// Heights are fixed in CSS (ContainersView, ContainerRow) so that the virtual window's sums are exact.
export const ROW_PX = 42;
export const GROUP_PX = 32;

export const COLUMNS: { key: SortKey | null; label: string; width: string }[] = [
  { key: 'name', label: 'Name', width: '19%' },
  { key: 'image', label: 'Image', width: '17%' },
  { key: 'state', label: 'State', width: '116px' },
  { key: null, label: 'Status', width: '16%' },
  { key: null, label: 'Ports', width: '17%' },
  { key: 'created', label: 'Created', width: '110px' },
  { key: 'project', label: 'Project', width: '80px' },
];

/** One line of the table: a compose project's header, or a container (under a header: nested). */
export type Line = { project: string; members: ContainerSummary[] } | { container: ContainerSummary; nested: boolean };

/** The table's lines: each group's header (when grouped) and, unless collapsed, its containers. */
export function tableLines(groups: readonly ContainerGroup[], grouped: boolean, collapsed: ReadonlySet<string>): Line[] {
  return groups.flatMap((g): Line[] => {
    const head: Line[] = grouped && g.project ? [{ project: g.project, members: g.containers }] : [];
    if (grouped && g.project && collapsed.has(g.project)) return head;
    return [...head, ...g.containers.map((c) => ({ container: c, nested: grouped && g.project !== null }))];
  });
}

export const lineHeight = (l: Line) => ('project' in l ? GROUP_PX : ROW_PX);

/** "2/3 running", a project header's count. */
export function stateCount(list: readonly ContainerSummary[]): string {
  const up = list.filter((c) => c.state === 'running').length;
  return `${up}/${list.length} running`;
}
