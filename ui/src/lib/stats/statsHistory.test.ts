import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../ipc/types';
import { append, KEEP, sparkline } from './statsHistory';

const sample = (over: Partial<StatsSample> = {}): StatsSample => ({
  cpuPercent: 10, cpus: 2, memoryBytes: 100, memoryLimitBytes: 1000, netRxBytes: 0, netTxBytes: 0,
  blockReadBytes: 0, blockWriteBytes: 0, pids: 1, ...over,
});

describe('stats history', () => {
  it('derives per-second rates from the cumulative counters', () => {
    let points = append([], sample({ netRxBytes: 1000, blockWriteBytes: 0 }), 0);
    expect(points[0].netRxRate).toBe(0);
    points = append(points, sample({ netRxBytes: 3000, blockWriteBytes: 4096 }), 2000);
    expect(points[1].netRxRate).toBe(1000);
    expect(points[1].blockWriteRate).toBe(2048);
  });

  it('treats a counter that went down as a restart, not a negative rate', () => {
    const points = append(append([], sample({ netTxBytes: 5000 }), 0), sample({ netTxBytes: 10 }), 1000);
    expect(points[1].netTxRate).toBe(0);
  });

  it('keeps about a minute of samples', () => {
    let points = append([], sample(), 0);
    for (let i = 1; i < 100; i++) points = append(points, sample({ pids: i }), i * 1000);
    expect(points).toHaveLength(KEEP);
    expect(points.at(-1)?.pids).toBe(99);
  });

  it('draws the newest value at the right edge, scaled to the maximum', () => {
    expect(sparkline([], 100, 20, 100)).toBe('');
    expect(sparkline([0, 100], 59, 20, 100)).toBe('58.0,20.0 59.0,0.0');
    // A value above the given maximum raises the scale instead of leaving the box.
    expect(sparkline([200], 59, 20, 100)).toBe('59.0,0.0');
  });
});
