/**
 * The engine writes a container's status as text at the moment it is listed ("Up 2 seconds",
 * "Exited (0) 3 minutes ago"). Berth lists on events only, so that text would freeze; this ages
 * it on screen from when it arrived, in the engine's own wording (go-units HumanDuration).
 */

import { RELATIVE_STEPS, relativeTime } from './format';

const received = new WeakMap<object, number>();

/** Notes when summaries arrived; call as they come from the engine. */
export function stamp(items: Iterable<object>, at = Date.now()): void {
  for (const item of items) if (!received.has(item)) received.set(item, at);
}

/**
 * One clock for every aged text on screen. It ticks only when some rendered text's wording
 * changes ("Up 3 minutes" -> "Up 4 minutes"), not every second, and as seldom as the texts allow:
 * each may be re-read up to a grace after its change ([`tickGrace`]), so texts changing within
 * that of each other share a tick. An idle window of containers started at different moments
 * wakes about once a minute, not once per row.
 */
export class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setTimeout> | null = null;
  private at = Infinity;
  /** The earliest change + grace asked for since the last tick: no tick may come later. */
  private deadline = Infinity;
  /** The changes asked for since the last tick (ms since the epoch). */
  private changes = new Set<number>();

  /**
   * Asks for a tick at or after `change` (ms since the epoch) and at most `grace` ms after it.
   * The tick comes at the last change asked for that is due by the earliest deadline: every text
   * due by then is re-read in it, none early and none later than its grace.
   */
  wakeAt(change: number, grace: number): void {
    this.changes.add(change);
    this.deadline = Math.min(this.deadline, change + grace);
    let at = -Infinity;
    for (const c of this.changes) if (c <= this.deadline && c > at) at = c;
    if (at === this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.at = Infinity;
      this.deadline = Infinity;
      this.changes.clear();
      this.now = Date.now();
    }, Math.max(0, at - Date.now()));
  }
}
const clock = new Clock();

/**
 * How late the clock may re-read a text this many seconds old: a second while it counts seconds,
 * 30 s while it counts minutes, a minute beyond ("Up 3 minutes" shown at 3:29 at the latest),
 * never early. Each tick repaints the rows on screen (about 20 ms of CPU over the app's
 * processes): a finer grace cost an idle window more CPU than the rest of Berth (issue 15).
 */
export function tickGrace(ageSeconds: number): number {
  if (ageSeconds < 60) return 1000;
  if (ageSeconds < 3600) return 30_000;
  return 60_000;
}

/** `c.status` aged by the time since it arrived; re-evaluates when its wording would change. */
export function liveStatus(c: { status: string }): string {
  const now = clock.now;
  if (!received.has(c)) received.set(c, now);
  const elapsed = (now - (received.get(c) ?? now)) / 1000;
  const wait = secondsToNextWording(c.status, elapsed);
  if (wait !== null) clock.wakeAt(now + wait * 1000 + 5, tickGrace(statusAge(c.status) + elapsed));
  return aged(c.status, elapsed);
}

/** `relativeTime(unixSeconds)` ("3 minutes ago"), re-evaluated only when its wording would change. */
export function liveRelativeTime(unixSeconds: number): string {
  const now = clock.now;
  clock.wakeAt(now + secondsToNextRelative(unixSeconds, now) * 1000 + 5, tickGrace(now / 1000 - unixSeconds));
  return relativeTime(unixSeconds, now);
}

/**
 * Seconds until `relativeTime(unixSeconds, …)` may read differently: the next half step of its
 * unit (it rounds) or the next larger unit, whichever comes first; at least one second.
 */
export function secondsToNextRelative(unixSeconds: number, now: number): number {
  const age = now / 1000 - unixSeconds;
  if (age < 0) return Math.max(1, -age);
  let next = Infinity;
  for (const [, secs] of RELATIVE_STEPS) {
    if (age >= secs) {
      next = Math.min(next, (Math.ceil(age / secs - 0.5) + 0.5) * secs); // JS rounds -2.5 to -2
      break;
    }
    next = secs; // the next larger unit takes over there
  }
  return Math.max(1, next - age);
}

/** Seconds from `elapsed` until `aged(status, …)` reads differently; null when it never does. */
export function secondsToNextWording(status: string, elapsed: number): number | null {
  const m = STATUS.exec(status);
  const base = m && parseDuration(m[2]);
  if (!m || base === null) return null;
  if (elapsed < 1) return 1 - elapsed;
  const total = base + elapsed;
  if (total < 60) return Math.floor(total) + 1 - total;
  if (total < 3600) return (Math.floor(total / 60) + 1) * 60 - total;
  // Hours round at the half hour; days, weeks, months and years all derive from those hours.
  return (Math.floor(total / 3600 + 0.5) + 0.5) * 3600 - total;
}

const STATUS = /^(Up|Exited \(-?\d+\)) (.+?)( ago)?( \([^)]*\))?$/;

/** The duration `status` names when it was written, in seconds (0 when it names none). */
function statusAge(status: string): number {
  const m = STATUS.exec(status);
  return (m && parseDuration(m[2])) ?? 0;
}

/** `status` with `elapsed` seconds added to its duration; unchanged when it has none. */
export function aged(status: string, elapsed: number): string {
  const m = STATUS.exec(status);
  const seconds = m && parseDuration(m[2]);
  if (!m || seconds === null || elapsed < 1) return status;
  return `${m[1]} ${humanDuration(seconds + elapsed)}${m[3] ?? ''}${m[4] ?? ''}`;
}

const UNIT: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 7 * 86400, month: 30 * 86400, year: 365 * 86400 };

function parseDuration(text: string): number | null {
  if (text === 'Less than a second') return 0;
  if (text === 'About a minute') return 60;
  if (text === 'About an hour') return 3600;
  const m = /^(\d+) (second|minute|hour|day|week|month|year)s?$/.exec(text);
  return m ? Number(m[1]) * UNIT[m[2]] : null;
}

/** go-units HumanDuration, which the engine uses for these texts. */
export function humanDuration(secs: number): string {
  const seconds = Math.floor(secs);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(secs / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(secs / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(secs / 3600 / 24 / 365)} years`;
}
