import { describe, expect, it } from 'vitest';
import { rowsInView } from './virtualWindow';

describe('rowsInView', () => {
  const heights = [30, 40, 40, 40, 30, 40, 40, 40, 40, 40]; // 380 px

  it('renders what shows, plus the overscan, with spacers keeping the total height', () => {
    const w = rowsInView(heights, 100, 100, 1);
    // Row 2 (70-110) is the first in view, row 5 (180-220) the last.
    expect(w).toEqual({ start: 1, end: 7, above: 30, below: 380 - 260 });
  });

  it('at the top starts at 0, and never runs past the end', () => {
    expect(rowsInView(heights, 0, 50, 2)).toEqual({ start: 0, end: 4, above: 0, below: 380 - 150 });
    expect(rowsInView(heights, 300, 200, 2)).toEqual({ start: 6, end: 10, above: 220, below: 0 });
  });

  it('an empty list renders nothing', () => {
    expect(rowsInView([], 0, 500, 5)).toEqual({ start: 0, end: 0, above: 0, below: 0 });
  });
});
