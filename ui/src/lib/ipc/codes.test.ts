// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from './error';

describe('error codes', () => {
  it('the UI knows every ErrorCode berth-core sends (an unknown one reads as "unexpected error")', () => {
    const rust = readFileSync(fileURLToPath(new URL('../../../../crates/core/src/error.rs', import.meta.url)), 'utf8');
    const body = rust.slice(rust.indexOf('pub enum ErrorCode {'), rust.indexOf('}', rust.indexOf('pub enum ErrorCode {')));
    const variants = [...body.matchAll(/^\s{4}([A-Z]\w*),/gm)].map((m) => m[1]);
    expect(variants.length).toBeGreaterThan(5);
    expect([...CODES].sort()).toEqual(variants.sort());
  });
});
