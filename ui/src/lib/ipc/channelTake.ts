import { commands } from './bindings';

interface Internals {
  runCallback(id: number, data: unknown): void;
}

/**
 * Lets the app wake this page to take its queued Channel messages (src-tauri/src/channels.rs):
 * the app evaluates `window.__BERTH_TAKE__()`, one script that never changes, where Tauri would
 * evaluate a new script carrying each message, and every message taken goes to its Channel
 * just as Tauri would have handed it over.
 */
export function installChannelTake(): void {
  const page = window as unknown as { __TAURI_INTERNALS__: Internals; __BERTH_TAKE__?: () => void };
  page.__BERTH_TAKE__ = () => void take(page.__TAURI_INTERNALS__);
}

async function take(internals: Internals): Promise<void> {
  let queued;
  try {
    queued = await commands.channelTake();
  } catch (reason) {
    // Only a page that is going away fails to take; its streams end with it.
    console.error('could not take the queued channel messages', reason);
    return;
  }
  for (const { callback, index, message, raw } of queued) {
    internals.runCallback(callback, { message: raw ? new Uint8Array(message as number[]).buffer : message, index });
  }
}
