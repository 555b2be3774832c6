import { afterEach, describe, expect, it, vi } from 'vitest';
import { relativeTime } from './format';
import { aged, Clock, humanDuration, secondsToNextRelative, secondsToNextWording, tickGrace } from './liveStatus.svelte';

describe('live status', () => {
  it('words relative times in English, past and future', () => {
    const now = 1_700_000_000_000;
    expect(relativeTime(now / 1000 - 60, now)).toBe('1 minute ago');
    expect(relativeTime(now / 1000 - 30, now)).toBe('just now');
    expect(relativeTime(now / 1000 - 3 * 3600, now)).toBe('3 hours ago');
    expect(relativeTime(now / 1000 + 2 * 86400, now)).toBe('in 2 days');
  });

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

  it('wakes for a creation time only when its wording may change', () => {
    const created = 1_000_000;
    for (const age of [5, 59, 61, 151, 89 * 60, 5 * 3600, 3 * 86400, 40 * 86400, 400 * 86400]) {
      const now = (created + age) * 1000;
      const wait = secondsToNextRelative(created, now);
      expect(wait).toBeGreaterThanOrEqual(1);
      // Nothing changes before the wake-up (what changes after it may be the next step's check).
      for (const f of [0.25, 0.5, 0.99]) {
        expect(relativeTime(created, now + f * (wait - 0.01) * 1000)).toBe(relativeTime(created, now));
      }
    }
    // "2 minutes ago" (made 100 s ago) turns into "3 minutes ago" after 150 s: one wake-up a minute at most.
    expect(secondsToNextRelative(created, (created + 100) * 1000)).toBe(50);
  });

  it('may re-read a text a second late while it counts seconds, and more beyond', () => {
    expect([0, 59, 60, 3599, 3600, 86400 * 9].map(tickGrace)).toEqual([1000, 1000, 30_000, 30_000, 60_000, 60_000]);
  });
});

describe('the clock of aged texts', () => {
  afterEach(() => vi.useRealTimers());

  /** The moments (ms after 0) the clock ticks within `until` ms, for changes asked as [change, grace]. */
  function ticks(asks: [number, number][], until: number): number[] {
    vi.useFakeTimers({ now: 0 });
    const clock = new Clock();
    for (const [change, grace] of asks) clock.wakeAt(change, grace);
    const seen: number[] = [];
    let last = clock.now;
    for (let t = 0; t < until; t += 100) {
      vi.advanceTimersByTime(100);
      if (clock.now !== last) seen.push((last = clock.now));
    }
    return seen;
  }

  it('ticks once for texts changing within a grace of each other, at the last of them', () => {
    // Rows made within 15 s of each other turn a minute older at 60-75 s: one tick, at 75 s.
    expect(ticks([[61_000, 30_000], [68_000, 30_000], [75_000, 30_000]], 120_000)).toEqual([75_000]);
  });

  it('is never early, and never later than the earliest deadline', () => {
    // 100 s is past 60 s + 30 s: that text waits for a tick of its own.
    expect(ticks([[60_000, 30_000], [100_000, 30_000]], 120_000)).toEqual([60_000]);
    // A text that counts seconds keeps its second.
    expect(ticks([[60_000, 30_000], [10_000, 1_000]], 120_000)).toEqual([10_000]);
  });
});
