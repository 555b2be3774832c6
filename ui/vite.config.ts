import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

/** Module info as the bundler's chunking context gives it (the fields read here). */
type Info = { isEntry: boolean; importers: readonly string[] } | null;

/** Whether a module is `root` or imported statically, however deep, by a module that is. */
function reachedFrom(root: (id: string, info: Info) => boolean, getInfo: (id: string) => Info) {
  const known = new Map<string, boolean>();
  const walk = (id: string): boolean => {
    const seen = known.get(id);
    if (seen !== undefined) return seen;
    known.set(id, false); // an import cycle adds nothing
    const info = getInfo(id);
    const reached = !!info && (root(id, info) || info.importers.some(walk));
    known.set(id, reached);
    return reached;
  };
  return walk;
}

const APP = /[\\/]src[\\/]main\.ts$/;
let inShell: ((id: string) => boolean) | undefined;
let inEntry: ((id: string) => boolean) | undefined;

/** The modules the entry imports statically, however deep: one chunk with it. */
function entryChunk(id: string, ctx: { getModuleInfo: (id: string) => unknown }): string | null {
  inEntry ??= reachedFrom((_, i) => !!i?.isEntry, (m) => ctx.getModuleInfo(m) as Info);
  return inEntry(id) ? 'first' : null;
}

/**
 * The page's entry (first.ts) draws the first screen and imports the app (main.ts) once it is
 * painted (issue 15). What the app imports statically, and the entry does not, goes into one chunk
 * (`shell`): the window fetches one more script, not the ten that the default splitting made of
 * the modules later views share with it, each a request through Tauri's asset protocol.
 */
function shellChunk(id: string, ctx: { getModuleInfo: (id: string) => unknown }): string | null {
  if (!inShell) {
    const info = (m: string) => ctx.getModuleInfo(m) as Info;
    const entry = reachedFrom((_, i) => !!i?.isEntry, info);
    const app = reachedFrom((m) => APP.test(m), info);
    inShell = (m) => app(m) && !entry(m);
  }
  return inShell(id) ? 'shell' : null;
}

/**
 * The app's stylesheets linked from index.html, not added when its script loads: the first
 * screen that first.ts draws wears the app's classes, and its first frame must have their rules.
 */
function appStylesInHtml(): Plugin {
  return {
    name: 'berth-app-styles-in-html',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const app = chunks.find((c) => c.facadeModuleId && APP.test(c.facadeModuleId));
        if (!app) return [];
        const css = new Set<string>();
        const seen = new Set<string>();
        const visit = (name: string) => {
          const chunk = chunks.find((c) => c.fileName === name);
          if (!chunk || seen.has(name)) return;
          seen.add(name);
          chunk.viteMetadata?.importedCss.forEach((f) => css.add(f));
          chunk.imports.forEach(visit);
        };
        visit(app.fileName);
        return [...css].map((href) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `/${href}` }, injectTo: 'head' }));
      },
    },
  };
}

// Tauri serves ui/dist in production and this dev server (fixed port) in `tauri dev`.
export default defineConfig({
  plugins: [svelte(), svelteTesting(), appStylesInHtml()],
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
            { name: entryChunk, debugName: 'first', priority: 2, includeDependenciesRecursively: false },
            { name: shellChunk, debugName: 'shell', priority: 1, includeDependenciesRecursively: false },
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
