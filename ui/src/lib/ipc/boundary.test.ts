// @vitest-environment node
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../..', import.meta.url));
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"]@tauri-apps\/api/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|js|svelte)$/.test(name) ? [path] : [];
  });
}

describe('IPC boundary', () => {
  it('only src/lib/ipc imports @tauri-apps/api', () => {
    const offenders = files(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => !f.startsWith(['lib', 'ipc', ''].join(sep)))
      .filter((f) => IMPORT.test(readFileSync(join(SRC, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check actually sees the tauri implementation', () => {
    expect(IMPORT.test(readFileSync(join(SRC, 'lib', 'ipc', 'tauri.ts'), 'utf8'))).toBe(true);
  });
});
