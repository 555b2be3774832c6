// The one command the page's entry (src/first.ts) sends before the app has loaded: kept apart from
// the generated bindings, which the app's own chunk carries.
import { invoke } from '@tauri-apps/api/core';
import type { PageTimeline } from './bindings';

/** `app_ready`: the first list is on screen (see bindings' `appReady`). */
export function reportFirstList(rows: number, timeline: PageTimeline): Promise<void> {
  return invoke('app_ready', { rows, timeline });
}
