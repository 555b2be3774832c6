// Polling waits: the tests never sleep a fixed time, they poll a condition with a deadline.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value (returned) or the timeout ends (throws with
 * `message` and the last value or error seen). Errors thrown by `fn` count as "not yet".
 */
export async function waitFor(fn, { timeout = 10_000, interval = 200, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${seen})`);
    }
    await sleep(interval);
  }
}
