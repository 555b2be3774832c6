import { os } from '../util/platform';

/** One entry of the command palette. */
export interface PaletteCommand {
  id: string;
  title: string;
  /** Shown at the right, e.g. "Ctrl+1". */
  shortcut?: string;
  run(): void;
}

/** "Ctrl" or "⌘" as the platform writes it. */
export const modKey = os === 'mac' ? '⌘' : 'Ctrl+';

/** Ctrl (Cmd on macOS) without other modifiers but Shift. */
export function isMod(e: KeyboardEvent): boolean {
  const mac = modKey === '⌘';
  return (mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey) && !e.altKey;
}
