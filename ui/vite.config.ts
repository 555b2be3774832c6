import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

/** Module info as the bundler's chunking context gives it (the fields read here). */
type Info = { isEntry: boolean; importers: readonly string[] } | null;

/**
 * Whether a module is part of the first paint: imported statically, however deep, by the entry.
 * Those go into one chunk (`shell`), so that the window fetches two scripts (the entry and it),
 * not the ten that the default splitting made of the modules later views share with the first
 * one; each is a request through Tauri's asset protocol before the first list (issue 15).
 */
function firstPaint(getInfo: (id: string) => Info) {
  const known = new Map<string, boolean>();
  const walk = (id: string): boolean => {
    const seen = known.get(id);
    if (seen !== undefined) return seen;
    known.set(id, false); // an import cycle adds nothing
    const info = getInfo(id);
    const reached = !!info && (info.isEntry || info.importers.some(walk));
    known.set(id, reached);
    return reached;
  };
  return walk;
}

let inFirstPaint: ((id: string) => boolean) | undefined;

// Tauri serves ui/dist in production and this dev server (fixed port) in `tauri dev`.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: (id, ctx) => {
                inFirstPaint ??= firstPaint((m) => ctx.getModuleInfo(m) as Info);
                return inFirstPaint(id) ? 'shell' : null;
              },
            },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
  },
});
