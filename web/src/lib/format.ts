// Money, numbers and times in the user's language. Money arrives as a
// decimal string and is formatted from the string, never through a float.

export interface MoneyLike {
  amount: string;
  currency: string;
}

/** `1234.5 USD` → `$1,234.50` (en) or `US$1,234.50` (zh-CN). */
export function formatMoney(money: MoneyLike | null | undefined, locale: string): string {
  if (!money) return '—';
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    // Intl formats a decimal string exactly (no float rounding).
    return format.format(money.amount as unknown as number);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

export function formatNumber(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

export function formatPercent(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(value);
}

/** An RFC 3339 time as a date in the user's time zone. */
export function formatDate(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(d);
}

export function formatDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}
