// Chart series for the sales reports (pure, so unit-tested).
import type { SalesActivityQuery, SalesForecastQuery } from '../../gql/graphql';

export type ForecastRow = SalesForecastQuery['salesForecast']['rows'][number];
export type RepRow = SalesActivityQuery['salesActivity']['reps'][number];
export const FORECAST_MEASURES = ['weighted', 'bestCase', 'commit', 'closedWon'] as const;
export const ACTIVITY_MEASURES = ['calls', 'meetings', 'emails', 'dealsWon', 'dealsLost'] as const;

/** Periods in order, and per measure the sum over groups in each period. */
export function forecastSeries(rows: readonly ForecastRow[]): { periods: string[]; series: Record<(typeof FORECAST_MEASURES)[number], number[]> } {
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  const series = Object.fromEntries(
    FORECAST_MEASURES.map((m) => [
      m,
      periods.map((p) => rows.filter((r) => r.period === p).reduce((s, r) => s + Number(r[m].amount), 0)),
    ]),
  ) as Record<(typeof FORECAST_MEASURES)[number], number[]>;
  return { periods, series };
}

/** Reps by name, and per measure their figures. */
export function activitySeries(reps: readonly RepRow[]): { names: string[]; series: Record<(typeof ACTIVITY_MEASURES)[number], number[]> } {
  const sorted = [...reps].sort((a, b) => a.name.localeCompare(b.name));
  return {
    names: sorted.map((r) => r.name),
    series: Object.fromEntries(ACTIVITY_MEASURES.map((m) => [m, sorted.map((r) => r.figures[m])])) as Record<
      (typeof ACTIVITY_MEASURES)[number],
      number[]
    >,
  };
}
