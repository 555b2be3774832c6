/** 16×16 stroke icons (Icon.svelte; the first screen's static copy draws them too). */
export const ICON_PATHS = {
  play: 'M5 3.5v9l7-4.5z',
  stop: 'M4 4h8v8H4z',
  restart: 'M3 8a5 5 0 1 0 1.6-3.7M3 2.5v2.5h2.5',
  pause: 'M5 3.5v9M11 3.5v9',
  kill: 'M8 1.5 3 9h4l-1 5.5L12 7H8z',
  trash: 'M2.5 4.5h11M6 4.5V3h4v1.5M4 4.5l.7 9h6.6l.7-9',
  plus: 'M8 3v10M3 8h10',
  close: 'M4 4l8 8M12 4l-8 8',
  chevron: 'M6 4l4 4-4 4',
  copy: 'M5.5 5.5h7v7h-7zM3.5 10.5v-7h7',
} as const;
export type IconName = keyof typeof ICON_PATHS;

/** The icons drawn filled, not only stroked. */
export function iconFill(name: IconName): 'currentColor' | 'none' {
  return name === 'play' || name === 'stop' || name === 'kill' ? 'currentColor' : 'none';
}
