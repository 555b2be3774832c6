import { IpcError } from '../ipc/error';

/** The lines of a labels or options box ("key=value", one a line) as a map, or the first bad line. */
export function parseKeyValues(text: string): { map: Record<string, string> } | { error: string } {
  const map: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!key || /\s/.test(key)) return { error: `“${line}” is not key=value: write the key without spaces, then = and the value.` };
    map[key] = eq < 0 ? '' : line.slice(eq + 1).trim();
  }
  return { map };
}

/** `parseKeyValues` for a form field: the map, or an InvalidInput naming `field` that the dialog shows under it. */
export function keyValuesOf(text: string, field: string): Record<string, string> {
  const parsed = parseKeyValues(text);
  if ('error' in parsed) throw new IpcError({ code: 'InvalidInput', message: parsed.error, detail: '', field }, 'ui');
  return parsed.map;
}
