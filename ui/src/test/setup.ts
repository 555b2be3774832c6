import { configure } from '@testing-library/dom';

// jsdom has no layout: give components the browser APIs they expect.
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;

// Views other than the containers are chunks loaded when first shown (App.svelte); in a test the
// first load of one compiles it, which can take seconds on a busy machine.
configure({ asyncUtilTimeout: 5000 });
