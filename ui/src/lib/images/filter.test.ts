import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../ipc/types';
import { filterImages, imageRows, largestLayer, runPorts, sortImages } from './filter';

const img = (id: string, repoTags: string[], size: number, created: number): ImageSummary =>
  ({ id: `sha256:${id}`, repoTags, repoDigests: [], size, created, containers: 0, dangling: repoTags.length === 0 });

const images = [img('aaa', ['nginx:1', 'nginx:latest'], 30, 3), img('bbb', [], 10, 1), img('ccc', ['alpine:3'], 20, 2)];

describe('image list helpers', () => {
  it('shows one row per name and <none> for dangling images', () => {
    expect(imageRows(images).map((r) => r.name)).toEqual(['nginx:1', 'nginx:latest', '<none>', 'alpine:3']);
  });

  it('filters by name, id prefix and dangling', () => {
    const rows = imageRows(images);
    expect(filterImages(rows, 'alp', false).map((r) => r.name)).toEqual(['alpine:3']);
    expect(filterImages(rows, 'bbb', false).map((r) => r.name)).toEqual(['<none>']);
    expect(filterImages(rows, '', true).map((r) => r.name)).toEqual(['<none>']);
  });

  it('sorts by size and name', () => {
    const rows = imageRows(images);
    expect(sortImages(rows, { key: 'size', dir: 'desc' }).map((r) => r.name)).toEqual(['nginx:1', 'nginx:latest', 'alpine:3', '<none>']);
    expect(sortImages(rows, { key: 'name', dir: 'asc' })[0].name).toBe('<none>');
  });

  it('turns EXPOSE into run-dialog ports and finds the largest layer', () => {
    expect(runPorts(['80/tcp', '53/udp'])).toBe('80\n53/udp');
    expect(largestLayer([{ size: 0 }, { size: 5 }, { size: 9 }, { size: 1 }])).toBe(2);
    expect(largestLayer([{ size: 0 }])).toBe(-1);
  });
});
