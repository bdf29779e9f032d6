// Whole days chosen in a form (`YYYY-MM-DD`, UTC) as a time filter: from the
// first day's start until the start of the day after the last, and back.

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.000)?Z$/;

/** Whether `v` is a day as the forms and the address write it. */
export const isDay = (v: string | null | undefined): v is string => !!v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

function shift(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString();
}

/** `{gte, lt}` for the days from `from` to `to` (either may be empty), the last day included; null for neither. */
export function dayRange(from: string, to: string): { gte?: string; lt?: string } | null {
  if (!from && !to) return null;
  const range: { gte?: string; lt?: string } = {};
  if (from) range.gte = `${from}T00:00:00Z`;
  if (to) range.lt = shift(to, 1);
  return range;
}

/** The days of a range `dayRange` made; null for any other time filter. */
export function daysOf(range: Record<string, unknown>): { from: string; to: string } | null {
  const keys = Object.keys(range);
  if (keys.length === 0 || keys.some((k) => k !== 'gte' && k !== 'lt')) return null;
  const day = (v: unknown) => (typeof v === 'string' ? MIDNIGHT.exec(v)?.[1] : undefined);
  const from = range.gte === undefined ? '' : day(range.gte);
  const next = range.lt === undefined ? '' : day(range.lt);
  if (from === undefined || next === undefined) return null;
  return { from, to: next ? shift(next, -1).slice(0, 10) : '' };
}

/**
 * The last `days` whole UTC days up to and including today's, and the same
 * number of days before them: `[from, to)` and `[previousFrom, from)`. The
 * same all day long, so a page's query stays cached while it is open.
 */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string; previousFrom: string } {
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  return { from: iso(to - days * day), to: iso(to), previousFrom: iso(to - 2 * days * day) };
}

/** `(current − previous) / previous`; null when either is missing or the previous is zero. */
export function relativeChange(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current === null || current === undefined || previous === null || previous === undefined || previous === 0) return null;
  return (current - previous) / previous;
}
