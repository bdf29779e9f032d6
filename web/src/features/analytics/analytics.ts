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

/** The three directions of growth: more relationships, longer ones, richer ones. */
export type GrowthDirection = 'wider' | 'longer' | 'deeper';

/** How a growth figure is shown. */
export type GrowthFormat = 'count' | 'share' | 'days' | 'decimal' | 'money';

interface MetricLike {
  current?: number | null;
  previous?: number | null;
  relativeChange?: number | null;
}
interface MoneyMetricLike {
  current?: { amount: string; currency: string } | null;
  previous?: { amount: string; currency: string } | null;
  relativeChange?: number | null;
}

export interface GrowthLike {
  wider: { activeCustomers: MetricLike; newCustomers: MetricLike; wonBackCustomers: MetricLike };
  longer: { retentionRate: MetricLike; churnRate: MetricLike; averageRelationshipDays: MetricLike };
  deeper: { productsPerCustomer: MetricLike; crossSellRate: MetricLike; revenue: MoneyMetricLike; revenuePerCustomer: MoneyMetricLike };
}

export interface GrowthRow {
  direction: GrowthDirection;
  key: string;
  format: GrowthFormat;
  current: number | { amount: string; currency: string } | null;
  previous: number | { amount: string; currency: string } | null;
  relativeChange: number | null;
  /** Whether the change is good news: true, false, or null for no change (or none known). */
  improved: boolean | null;
}

const FIGURES: [GrowthDirection, string, GrowthFormat, boolean][] = [
  ['wider', 'activeCustomers', 'count', true],
  ['wider', 'newCustomers', 'count', true],
  ['wider', 'wonBackCustomers', 'count', true],
  ['longer', 'retentionRate', 'share', true],
  // Fewer customers lost is better.
  ['longer', 'churnRate', 'share', false],
  ['longer', 'averageRelationshipDays', 'days', true],
  ['deeper', 'productsPerCustomer', 'decimal', true],
  ['deeper', 'crossSellRate', 'share', true],
  ['deeper', 'revenue', 'money', true],
  ['deeper', 'revenuePerCustomer', 'money', true],
];

/** Every growth figure as a row, in the order the panel shows them. */
export function growthRows(g: GrowthLike): GrowthRow[] {
  return FIGURES.map(([direction, key, format, higherIsBetter]) => {
    const m = (g[direction] as unknown as Record<string, MetricLike | MoneyMetricLike>)[key];
    const change = m.relativeChange ?? null;
    let improved: boolean | null = null;
    if (change !== null && change !== 0) improved = change > 0 === higherIsBetter;
    // With no previous figure there is no ratio, but a rate that rose from nothing is a change too.
    return { direction, key, format, current: m.current ?? null, previous: m.previous ?? null, relativeChange: change, improved };
  });
}

/**
 * The directions that need attention (a headline figure got worse) with the
 * customer list that acts on them: lost and slipping customers to win back,
 * customers at risk to keep, loyal ones to sell more to.
 */
export function nextSteps(rows: GrowthRow[]): { direction: GrowthDirection; to: string }[] {
  const worse = (key: string) => rows.find((r) => r.key === key)?.improved === false;
  const steps: { direction: GrowthDirection; to: string }[] = [];
  if (worse('activeCustomers') || worse('newCustomers') || worse('wonBackCustomers'))
    steps.push({ direction: 'wider', to: '/customers?rfm=HIBERNATING,LOST' });
  if (worse('retentionRate') || worse('churnRate'))
    steps.push({ direction: 'longer', to: '/customers?rfm=AT_RISK,CANNOT_LOSE_THEM,ABOUT_TO_SLEEP' });
  if (worse('productsPerCustomer') || worse('crossSellRate') || worse('revenuePerCustomer'))
    steps.push({ direction: 'deeper', to: '/customers?rfm=CHAMPIONS,LOYAL,POTENTIAL_LOYALIST' });
  return steps;
}
