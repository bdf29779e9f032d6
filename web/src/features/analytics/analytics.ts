// Figures for the customer value dashboard's charts, from what the API
// returns: pure functions, tested without a browser.
import type { AnalysisDimension, AnalysisMeasure, RfmSegment } from '../../gql/graphql';

export const SEGMENTS: RfmSegment[] = [
  'CHAMPIONS',
  'LOYAL',
  'POTENTIAL_LOYALIST',
  'NEW',
  'PROMISING',
  'NEED_ATTENTION',
  'ABOUT_TO_SLEEP',
  'AT_RISK',
  'CANNOT_LOSE_THEM',
  'HIBERNATING',
  'LOST',
];

export const MEASURES: AnalysisMeasure[] = ['REVENUE', 'COST', 'MARGIN', 'ORDER_COUNT', 'CUSTOMER_COUNT', 'AVERAGE_ORDER_VALUE'];
export const DIMENSIONS: AnalysisDimension[] = [
  'VALUE_TIER',
  'RFM_SEGMENT',
  'PRODUCT',
  'PRODUCT_CATEGORY',
  'OWNER',
  'TEAM',
  'REGION',
  'SALES_CHANNEL',
  'DAY',
  'WEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
];

/** Customers per recency (rows) and frequency (columns) score, 1..5 each, from scores such as "545". */
export function rfmGrid(scores: (string | null | undefined)[]): number[][] {
  const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (const s of scores) {
    if (!s || !/^[1-5][1-5][1-5]$/.test(s)) continue;
    grid[Number(s[0]) - 1][Number(s[1]) - 1]++;
  }
  return grid;
}

/** The grid as heat map cells `[frequency index, recency index, customers]`. */
export function heatCells(grid: number[][]): [number, number, number][] {
  return grid.flatMap((row, r) => row.map((n, f) => [f, r, n] as [number, number, number]));
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** `values` in `bins` equal bins from their minimum to their maximum (the last one closed). */
export function histogram(values: number[], bins: number): Bin[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (min === max) return [{ from: min, to: max, count: finite.length }];
  const width = (max - min) / bins;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0 }));
  for (const v of finite) out[Math.min(bins - 1, Math.floor((v - min) / width))].count++;
  return out;
}

/** Churn risk (0..1) in ten bins of 10 %. */
export function riskBins(values: number[]): number[] {
  const counts = new Array(10).fill(0) as number[];
  for (const v of values) if (Number.isFinite(v)) counts[Math.min(9, Math.max(0, Math.floor(v * 10)))]++;
  return counts;
}

interface RowLike {
  revenue?: { amount: string } | null;
  cost?: { amount: string } | null;
  margin?: { amount: string } | null;
  orderCount?: number | null;
  customerCount?: number | null;
  averageOrderValue?: { amount: string } | null;
}

/** A measure of an analysis row as a number for a chart (money as its decimal amount); null when absent. */
export function measureValue(row: RowLike, measure: AnalysisMeasure): number | null {
  const money = (m?: { amount: string } | null) => (m ? Number(m.amount) : null);
  switch (measure) {
    case 'REVENUE':
      return money(row.revenue);
    case 'COST':
      return money(row.cost);
    case 'MARGIN':
      return money(row.margin);
    case 'AVERAGE_ORDER_VALUE':
      return money(row.averageOrderValue);
    case 'ORDER_COUNT':
      return row.orderCount ?? null;
    case 'CUSTOMER_COUNT':
      return row.customerCount ?? null;
  }
}

/** Whether a measure is an amount of money (else a count). */
export const isMoney = (m: AnalysisMeasure) => m !== 'ORDER_COUNT' && m !== 'CUSTOMER_COUNT';
