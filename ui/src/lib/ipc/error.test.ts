import { describe, expect, it } from 'vitest';
import { IpcError, toIpcError } from './error';

describe('IpcError.from', () => {
  it('keeps every field of a well-formed payload', () => {
    const err = IpcError.from(
      { code: 'InvalidInput', message: 'Port 70000 is out of range.', detail: 'parse error', field: 'ports' },
      'container_run',
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'InvalidInput', message: 'Port 70000 is out of range.', detail: 'parse error', field: 'ports', command: 'container_run',
    });
  });

  it('defaults missing detail and field', () => {
    const err = IpcError.from({ code: 'NotFound', message: 'No such container.' }, 'container_inspect');
    expect(err.detail).toBe('');
    expect(err.field).toBeNull();
  });

  it.each([
    ['a string', 'command container_lst not found'],
    ['an Error', new TypeError('boom')],
    ['an unknown code', { code: 'Weird', message: 'x' }],
    ['null', null],
    ['a number', 42],
  ])('turns %s into an Internal error with a sentence and the raw detail', (_label, reason) => {
    const err = IpcError.from(reason, 'container_list');
    expect(err.code).toBe('Internal');
    expect(err.message).toMatch(/container_list/);
    expect(err.message).not.toMatch(/[{}]/);
    expect(typeof err.detail).toBe('string');
  });

  it('passes an IpcError through unchanged', () => {
    const err = new IpcError({ code: 'Conflict', message: 'Busy.', detail: '', field: null }, 'x');
    expect(toIpcError(err)).toBe(err);
  });

  it('round-trips through toPayload', () => {
    const payload = { code: 'PortInUse' as const, message: 'Port 8080 is taken.', detail: 'bind: address in use', field: 'ports' };
    expect(IpcError.from(payload, 'container_run').toPayload()).toEqual(payload);
  });
});
