import { describe, expect, it } from 'vitest';
import { growthRows, heatCells, measureValue, nextSteps, rfmGrid, type GrowthLike } from './analytics';

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

const metric = (current: number | null, previous: number | null) => ({
  current,
  previous,
  relativeChange: current !== null && previous ? (current - previous) / previous : null,
});
const money = (current: string, previous: string) => ({
  current: { amount: current, currency: 'EUR' },
  previous: { amount: previous, currency: 'EUR' },
  relativeChange: (Number(current) - Number(previous)) / Number(previous),
});
const growth = (over: Partial<Record<string, ReturnType<typeof metric>>> = {}): GrowthLike => ({
  wider: { activeCustomers: metric(10, 8), newCustomers: metric(3, 3), wonBackCustomers: metric(1, null), ...over },
  longer: { retentionRate: metric(0.6, 0.5), churnRate: metric(0.4, 0.5), averageRelationshipDays: metric(200, 180), ...over },
  deeper: { productsPerCustomer: metric(1.5, 1.2), crossSellRate: metric(0.2, 0.1), revenue: money('1200', '1000'), revenuePerCustomer: money('120', '125'), ...over },
});

describe('growthRows', () => {
  it('lists the three directions with what counts as better', () => {
    const rows = growthRows(growth());
    expect(rows.map((r) => r.key)).toEqual([
      'activeCustomers',
      'newCustomers',
      'wonBackCustomers',
      'retentionRate',
      'churnRate',
      'averageRelationshipDays',
      'productsPerCustomer',
      'crossSellRate',
      'revenue',
      'revenuePerCustomer',
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.activeCustomers.improved).toBe(true);
    expect(by.newCustomers.improved).toBeNull();
    expect(by.wonBackCustomers.improved).toBeNull();
    // Churn went down: good news.
    expect(by.churnRate.improved).toBe(true);
    expect(by.revenuePerCustomer.improved).toBe(false);
    expect(by.revenue.format).toBe('money');
  });
});

describe('nextSteps', () => {
  it('points at the customers to act on where a direction got worse', () => {
    expect(nextSteps(growthRows(growth())).map((s) => s.direction)).toEqual(['deeper']);
    const worse = growthRows(growth({ activeCustomers: metric(5, 10), churnRate: metric(0.6, 0.4) }));
    expect(nextSteps(worse).map((s) => s.direction)).toEqual(['wider', 'longer', 'deeper']);
    expect(nextSteps(worse)[0].to).toBe('/customers?rfm=HIBERNATING,LOST');
  });
});
