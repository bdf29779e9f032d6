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
  'CUSTOMER_REGION',
  'CUSTOMER_TEAM',
  'SALES_CHANNEL',
  'CURRENCY',
  'DAY',
  'WEEK',
  'MONTH',
  'QUARTER',
  'YEAR',
];

/** One cell of the API's RFM grid. */
export interface RfmCellLike {
  recencyScore: number;
  frequencyScore: number;
  customers: number;
}

/** Customers per recency (rows) and frequency (columns) score, 1..5 each, from the API's cells (absent cells are empty). */
export function rfmGrid(cells: RfmCellLike[]): number[][] {
  const grid = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  for (const c of cells) {
    if (c.recencyScore < 1 || c.recencyScore > 5 || c.frequencyScore < 1 || c.frequencyScore > 5) continue;
    grid[c.recencyScore - 1][c.frequencyScore - 1] += c.customers;
  }
  return grid;
}

/** The grid as heat map cells `[frequency index, recency index, customers]`. */
export function heatCells(grid: number[][]): [number, number, number][] {
  return grid.flatMap((row, r) => row.map((n, f) => [f, r, n] as [number, number, number]));
}

interface RowLike {
  revenue?: { amount: string } | null;
  cost?: { amount: string } | null;
  margin?: { amount: string } | null;
  orderCount?: number | null;
  customerCount?: number | null;
  averageOrderValue?: { amount: string } | null;
  revenueInOrderCurrency?: { amount: string } | null;
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
    case 'REVENUE_IN_ORDER_CURRENCY':
      return money(row.revenueInOrderCurrency);
  }
}

/** Whether a measure is an amount of money (else a count). */
export const isMoney = (m: AnalysisMeasure) => m !== 'ORDER_COUNT' && m !== 'CUSTOMER_COUNT';
