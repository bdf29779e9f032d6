import { describe, expect, it } from 'vitest';
import { heatCells, histogram, measureValue, rfmGrid, riskBins } from './analytics';

describe('rfmGrid', () => {
  it('counts customers by recency and frequency score', () => {
    const grid = rfmGrid(['545', '541', '111', null, 'bad', '155']);
    expect(grid[4][3]).toBe(2);
    expect(grid[0][0]).toBe(1);
    expect(grid[0][4]).toBe(1);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(4);
  });
  it('gives heat map cells per frequency and recency', () => {
    const cells = heatCells(rfmGrid(['545']));
    expect(cells).toHaveLength(25);
    expect(cells.find(([f, r]) => f === 3 && r === 4)?.[2]).toBe(1);
  });
});

describe('histogram', () => {
  it('spreads values over equal bins, the maximum in the last', () => {
    const bins = histogram([0, 1, 2, 3, 10], 5);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 0, 0, 1]);
    expect(bins[0].from).toBe(0);
    expect(bins[4].to).toBe(10);
  });
  it('has one bin for equal values and none for no values', () => {
    expect(histogram([5, 5], 4)).toEqual([{ from: 5, to: 5, count: 2 }]);
    expect(histogram([], 4)).toEqual([]);
  });
});

describe('riskBins', () => {
  it('puts churn risk in tenths, 1 in the last', () => {
    expect(riskBins([0, 0.05, 0.95, 1])).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
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
