/** The OS the page runs on, from the WebView's own report: keys, fonts. */
export type Os = 'mac' | 'windows' | 'linux';

export function osOf(platform: string): Os {
  if (/Mac/.test(platform)) return 'mac';
  if (/Win/.test(platform)) return 'windows';
  return 'linux';
}

export const os: Os = typeof navigator === 'undefined' ? 'linux' : osOf(navigator.platform);
