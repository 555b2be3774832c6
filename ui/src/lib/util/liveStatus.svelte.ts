/**
 * The engine writes a container's status as text at the moment it is listed ("Up 2 seconds",
 * "Exited (0) 3 minutes ago"). Berth lists on events only, so that text would freeze; this ages
 * it on screen from when it arrived, in the engine's own wording (go-units HumanDuration).
 */

const received = new WeakMap<object, number>();

/** Notes when summaries arrived; call as they come from the engine. */
export function stamp(items: Iterable<object>, at = Date.now()): void {
  for (const item of items) if (!received.has(item)) received.set(item, at);
}

class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Starts ticking on first use, once a second. */
  read(): number {
    this.timer ??= setInterval(() => (this.now = Date.now()), 1000);
    return this.now;
  }
}
const clock = new Clock();

/** `c.status` aged by the time since it arrived (re-evaluates every second where rendered). */
export function liveStatus(c: { status: string }): string {
  const now = clock.read();
  if (!received.has(c)) received.set(c, now);
  return aged(c.status, (now - (received.get(c) ?? now)) / 1000);
}

const STATUS = /^(Up|Exited \(-?\d+\)) (.+?)( ago)?( \([^)]*\))?$/;

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
