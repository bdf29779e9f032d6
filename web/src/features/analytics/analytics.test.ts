import { describe, expect, it } from 'vitest';
import { heatCells, measureValue, rfmGrid } from './analytics';

describe('rfmGrid', () => {
  it('places the API cells by recency and frequency score', () => {
    const grid = rfmGrid([
      { recencyScore: 5, frequencyScore: 4, customers: 2 },
      { recencyScore: 1, frequencyScore: 1, customers: 1 },
      { recencyScore: 1, frequencyScore: 5, customers: 3 },
      { recencyScore: 0, frequencyScore: 9, customers: 7 },
    ]);
    expect(grid[4][3]).toBe(2);
    expect(grid[0][0]).toBe(1);
    expect(grid[0][4]).toBe(3);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(6);
  });
  it('gives heat map cells per frequency and recency', () => {
    const cells = heatCells(rfmGrid([{ recencyScore: 5, frequencyScore: 4, customers: 1 }]));
    expect(cells).toHaveLength(25);
    expect(cells).toContainEqual([3, 4, 1]);
  });
});

describe('measureValue', () => {
  it('reads money as its amount and counts as they are', () => {
    const row = { revenue: { amount: '1234.50' }, orderCount: 3, cost: null };
    expect(measureValue(row, 'REVENUE')).toBe(1234.5);
    expect(measureValue(row, 'ORDER_COUNT')).toBe(3);
    expect(measureValue(row, 'COST')).toBeNull();
  });
});
