import { describe, expect, it } from 'vitest';
import { aged, humanDuration, secondsToNextWording } from './liveStatus.svelte';

describe('live status', () => {
  it('ages the engine status texts in its own wording', () => {
    expect(aged('Up 2 seconds', 5)).toBe('Up 7 seconds');
    expect(aged('Up Less than a second', 70)).toBe('Up About a minute');
    expect(aged('Up 3 minutes (healthy)', 120)).toBe('Up 5 minutes (healthy)');
    expect(aged('Up 10 seconds (Paused)', 3600)).toBe('Up About an hour (Paused)');
    expect(aged('Exited (137) 2 minutes ago', 60)).toBe('Exited (137) 3 minutes ago');
    expect(aged('Up 47 hours', 3600)).toBe('Up 2 days');
  });

  it('leaves texts without a duration, and fresh ones, alone', () => {
    expect(aged('Created', 100)).toBe('Created');
    expect(aged('Restarting (1) 5 seconds ago', 10)).toBe('Restarting (1) 5 seconds ago');
    expect(aged('Up 2 seconds', 0.4)).toBe('Up 2 seconds');
  });

  it('matches go-units HumanDuration', () => {
    expect([0.5, 1, 59, 60, 119, 3599, 5399, 5400, 47 * 3600, 48 * 3600, 20 * 86400, 90 * 86400, 800 * 86400].map(humanDuration)).toEqual([
      'Less than a second', '1 second', '59 seconds', 'About a minute', 'About a minute', '59 minutes', 'About an hour',
      '2 hours', '47 hours', '2 days', '2 weeks', '3 months', '2 years',
    ]);
  });

  it('knows when the wording changes next, so the clock ticks no more often than that', () => {
    expect(secondsToNextWording('Created', 5)).toBeNull();
    expect(secondsToNextWording('Up 2 seconds', 0.25)).toBeCloseTo(0.75);
    expect(secondsToNextWording('Up 2 seconds', 3.5)).toBeCloseTo(0.5);
    expect(secondsToNextWording('Up 3 minutes', 10)).toBeCloseTo(50);
    expect(secondsToNextWording('Up 5 hours', 10)).toBeCloseTo(1790);
    expect(secondsToNextWording('Exited (0) 3 weeks ago', 10)).toBeCloseTo(1790);
    // Every boundary it names is a real change, and nothing changes before it.
    for (const [status, at] of [['Up 2 seconds', 3.5], ['Up 3 minutes', 10], ['Up 5 hours', 10], ['Up 59 seconds', 1]] as const) {
      const wait = secondsToNextWording(status, at)!;
      expect(aged(status, at + wait - 0.01)).toBe(aged(status, at));
      expect(aged(status, at + wait + 0.01)).not.toBe(aged(status, at));
    }
  });
});
