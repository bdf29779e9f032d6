import { describe, expect, it } from 'vitest';
import { activitySeries, forecastSeries, type ForecastRow, type RepRow } from './reports';

const m = (amount: string) => ({ amount });
const row = (period: string, w: string): ForecastRow =>
  ({ period, periodStart: '', groupId: null, groupName: null, pipeline: m(w), weighted: m(w), bestCase: m('1'), commit: m('0'), closedWon: m('2'), openDeals: 1, wonDeals: 0 }) as ForecastRow;

describe('sales report series', () => {
  it('sums groups per period, periods in order', () => {
    const { periods, series } = forecastSeries([row('2026-02', '10.5'), row('2026-01', '1'), row('2026-02', '4.5')]);
    expect(periods).toEqual(['2026-01', '2026-02']);
    expect(series.weighted).toEqual([1, 15]);
    expect(series.closedWon).toEqual([2, 4]);
  });
  it('lists reps by name', () => {
    const rep = (name: string, calls: number): RepRow =>
      ({ userId: name, name, figures: { calls, meetings: 0, emails: 1, dealsCreated: 0, dealsWon: 0, dealsLost: 0, winRate: null, averageSalesCycleDays: null } }) as RepRow;
    const { names, series } = activitySeries([rep('Zoe', 3), rep('Ann', 1)]);
    expect(names).toEqual(['Ann', 'Zoe']);
    expect(series.calls).toEqual([1, 3]);
  });
});
