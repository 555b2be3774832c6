import type { Theme } from '../ipc/types';

/** The theme on screen (`data-theme` on <html>, which app.css's colours follow). */
export function themeShown(theme: Theme, osDark: boolean): 'light' | 'dark' {
  return theme === 'dark' || (theme === 'system' && osDark) ? 'dark' : 'light';
}
