import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatMoney, formatPercent } from './format';

describe('formatMoney', () => {
  it('formats decimal strings exactly, per language', () => {
    expect(formatMoney({ amount: '1234.5', currency: 'USD' }, 'en')).toBe('$1,234.50');
    expect(formatMoney({ amount: '1234.5', currency: 'CNY' }, 'zh-CN')).toBe('¥1,234.50');
    // Beyond a double's precision: no rounding through a float.
    expect(formatMoney({ amount: '12345678901234567.89', currency: 'USD' }, 'en')).toBe(
      '$12,345,678,901,234,567.89',
    );
    expect(formatMoney({ amount: '5', currency: 'JPY' }, 'en')).toBe('¥5');
  });

  it('falls back for unknown currencies and missing money', () => {
    expect(formatMoney({ amount: '1', currency: 'NOPE1' }, 'en')).toBe('1 NOPE1');
    expect(formatMoney(null, 'en')).toBe('—');
  });
});

describe('dates', () => {
  it('formats RFC 3339 times in the given time zone and language', () => {
    expect(formatDate('2026-03-01T23:30:00Z', 'en', 'UTC')).toBe('Mar 1, 2026');
    expect(formatDate('2026-03-01T23:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026年3月2日');
    expect(formatDateTime('2026-03-01T23:30:00Z', 'en', 'UTC')).toBe('Mar 1, 2026, 11:30 PM');
    expect(formatDate(null, 'en')).toBe('—');
    expect(formatDate('not a date', 'en')).toBe('not a date');
  });

  it('formats shares as percentages', () => {
    expect(formatPercent(0.237, 'en')).toBe('24%');
  });
});
