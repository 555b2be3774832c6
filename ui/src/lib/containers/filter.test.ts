import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../ipc/types';
import { actionsFor, bulkActionsFor } from './actions';
import { filterContainers, groupByProject, sortContainers, toggleSort } from './filter';

function c(name: string, state: ContainerSummary['state'], extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: `${name}0123456789abcdef`, name, image: 'alpine:3.20', imageId: '', command: '', state, status: '', created: 0,
    ports: [], composeProject: null, composeService: null, labels: {}, ...extra,
  };
}

const list = [
  c('web', 'running', { image: 'nginx:1.27', composeProject: 'shop', created: 30, id: 'abc123' }),
  c('db', 'running', { image: 'postgres:16', composeProject: 'shop', created: 10 }),
  c('cache', 'paused', { image: 'redis:7', created: 20 }),
  c('job10', 'exited', { created: 5 }),
  c('job9', 'dead', { created: 40 }),
];

describe('filterContainers', () => {
  it('matches name, image, id prefix and project, case-insensitively', () => {
    expect(filterContainers(list, 'WEB', 'all').map((x) => x.name)).toEqual(['web']);
    expect(filterContainers(list, 'postgres', 'all').map((x) => x.name)).toEqual(['db']);
    expect(filterContainers(list, 'abc1', 'all').map((x) => x.name)).toEqual(['web']);
    expect(filterContainers(list, 'shop', 'all').map((x) => x.name)).toEqual(['web', 'db']);
    expect(filterContainers(list, '  ', 'all')).toHaveLength(5);
  });

  it('filters by state group', () => {
    expect(filterContainers(list, '', 'running').map((x) => x.name)).toEqual(['web', 'db']);
    expect(filterContainers(list, '', 'stopped').map((x) => x.name)).toEqual(['job10']);
    expect(filterContainers(list, '', 'paused').map((x) => x.name)).toEqual(['cache']);
    expect(filterContainers(list, '', 'problem').map((x) => x.name)).toEqual(['job9']);
  });
});

describe('sortContainers', () => {
  it('sorts names naturally and flips direction', () => {
    expect(sortContainers(list, { key: 'name', dir: 'asc' }).map((x) => x.name)).toEqual(['cache', 'db', 'job9', 'job10', 'web']);
    expect(sortContainers(list, { key: 'name', dir: 'desc' }).map((x) => x.name)[0]).toBe('web');
  });

  it('orders digits by value and ignores case, as a numeric collator does', () => {
    const named = ['app-10', 'App-2', 'app-1b', 'app-1', 'app', 'app-02x'].map((name) => ({ ...list[0], name }));
    expect(sortContainers(named, { key: 'name', dir: 'asc' }).map((x) => x.name)).toEqual(['app', 'app-1', 'app-1b', 'App-2', 'app-02x', 'app-10']);
  });

  it('sorts by created and by state, ties by name', () => {
    expect(sortContainers(list, { key: 'created', dir: 'desc' }).map((x) => x.name)).toEqual(['job9', 'web', 'cache', 'db', 'job10']);
    expect(sortContainers(list, { key: 'state', dir: 'asc' }).map((x) => x.name)).toEqual(['db', 'web', 'cache', 'job10', 'job9']);
  });

  it('puts containers without a project last when sorting by project', () => {
    expect(sortContainers(list, { key: 'project', dir: 'asc' }).map((x) => x.composeProject)).toEqual(['shop', 'shop', null, null, null]);
  });

  it('does not mutate its input', () => {
    const before = list.map((x) => x.name);
    sortContainers(list, { key: 'name', dir: 'asc' });
    expect(list.map((x) => x.name)).toEqual(before);
  });

  it('toggleSort flips the same column and starts new ones sensibly', () => {
    expect(toggleSort({ key: 'name', dir: 'asc' }, 'name')).toEqual({ key: 'name', dir: 'desc' });
    expect(toggleSort({ key: 'name', dir: 'asc' }, 'image')).toEqual({ key: 'image', dir: 'asc' });
    expect(toggleSort({ key: 'name', dir: 'asc' }, 'created')).toEqual({ key: 'created', dir: 'desc' });
  });
});

describe('groupByProject', () => {
  it('groups projects first, standalone last, keeping order', () => {
    const groups = groupByProject(list);
    expect(groups.map((g) => g.project)).toEqual(['shop', null]);
    expect(groups[0].containers.map((x) => x.name)).toEqual(['web', 'db']);
    expect(groups[1].containers.map((x) => x.name)).toEqual(['cache', 'job10', 'job9']);
  });
});

describe('actions', () => {
  it('offers actions that fit the state', () => {
    expect(actionsFor('running')).toEqual(['stop', 'restart', 'pause', 'kill', 'remove']);
    expect(actionsFor('paused')).toContain('unpause');
    expect(actionsFor('exited')).toEqual(['start', 'remove']);
  });

  it('bulk offers the union in a stable order', () => {
    expect(bulkActionsFor(['exited', 'paused'])).toEqual(['start', 'stop', 'unpause', 'kill', 'remove']);
  });
});
