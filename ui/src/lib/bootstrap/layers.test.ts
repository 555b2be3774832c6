import { describe, expect, it } from 'vitest';

/** Every component's source. */
const views = import.meta.glob('../../**/*.svelte', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('views render, stores act', () => {
  it('no component calls the backend or hands it on: the stores in useDeps() do', () => {
    expect(Object.keys(views).length).toBeGreaterThan(20);
    const callers = Object.entries(views).filter(([, text]) => /\bbackend\s*[.,})]/.test(text)).map(([file]) => file);
    expect(callers).toEqual([]);
  });
});
