import { describe, expect, it } from 'vitest';
import { highlight, parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it('returns one plain span for plain text', () => {
    expect(parseAnsi('hello')).toEqual([{ text: 'hello' }]);
  });

  it('maps basic, bright and reset codes', () => {
    expect(parseAnsi('\x1b[32mINFO\x1b[0m ok \x1b[1;91mFAIL\x1b[22m!')).toEqual([
      { text: 'INFO', fg: 'c2' },
      { text: ' ok ' },
      { text: 'FAIL', fg: 'c9', bold: true },
      { text: '!', fg: 'c9' },
    ]);
  });

  it('handles 256-colour and truecolour foregrounds and backgrounds', () => {
    expect(parseAnsi('\x1b[38;5;196mred\x1b[48;2;10;20;30mbg\x1b[39;49mx')).toEqual([
      { text: 'red', fg: 'rgb(255,0,0)' },
      { text: 'bg', fg: 'rgb(255,0,0)', bg: 'rgb(10,20,30)' },
      { text: 'x' },
    ]);
  });

  it('treats ESC[m as reset and drops non-SGR escapes', () => {
    expect(parseAnsi('\x1b[31ma\x1b[mb\x1b[2K\x1b]0;title\x07c')).toEqual([
      { text: 'a', fg: 'c1' }, { text: 'b' }, { text: 'c' },
    ]);
  });

  it('strips escapes for search and copy', () => {
    expect(stripAnsi('\x1b[33mWARN\x1b[0m slow')).toBe('WARN slow');
  });
});

describe('highlight', () => {
  it('marks matches across span boundaries, case-insensitively', () => {
    const spans = highlight(parseAnsi('\x1b[32mERR\x1b[0mor error'), 'error');
    expect(spans).toEqual([
      { text: 'ERR', fg: 'c2', mark: true },
      { text: 'or', mark: true },
      { text: ' ' },
      { text: 'error', mark: true },
    ]);
  });

  it('returns the spans untouched without a query or a match', () => {
    const spans = parseAnsi('abc');
    expect(highlight(spans, '')).toBe(spans);
    expect(highlight(spans, 'zz')).toBe(spans);
  });
});
