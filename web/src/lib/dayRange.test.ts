import { describe, expect, it } from 'vitest';
import { dayRange, daysOf, isDay, lastDays, relativeChange } from './dayRange';

describe('day ranges', () => {
  it('takes whole days, the last one included', () => {
    expect(dayRange('', '')).toBeNull();
    expect(dayRange('2026-01-01', '')).toEqual({ gte: '2026-01-01T00:00:00Z' });
    expect(dayRange('', '2026-02-28')).toEqual({ lt: '2026-03-01T00:00:00.000Z' });
  });

  it('gives back the days of a range it made, and nothing for other times', () => {
    expect(daysOf({ gte: '2026-01-01T00:00:00Z', lt: '2026-03-01T00:00:00.000Z' })).toEqual({ from: '2026-01-01', to: '2026-02-28' });
    expect(daysOf({ lt: '2026-01-01T00:00:00Z' })).toEqual({ from: '', to: '2025-12-31' });
    expect(daysOf({})).toBeNull();
    expect(daysOf({ gt: '2026-01-01T00:00:00Z' })).toBeNull();
    expect(daysOf({ gte: '2026-01-01T08:00:00+08:00' })).toBeNull();
  });

  it('knows a day', () => {
    expect(isDay('2026-01-31')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('26-1-1')).toBe(false);
    expect(isDay(null)).toBe(false);
  });
});

describe('lastDays', () => {
  it('covers whole UTC days up to today and the period before', () => {
    expect(lastDays(30, new Date('2026-03-31T22:15:00Z'))).toEqual({
      from: '2026-03-02T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
      previousFrom: '2026-01-31T00:00:00.000Z',
    });
    expect(lastDays(1, new Date('2026-01-01T00:00:00Z')).from).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('relativeChange', () => {
  it('compares with the previous figure when there is one', () => {
    expect(relativeChange(15, 10)).toBe(0.5);
    expect(relativeChange(5, 10)).toBe(-0.5);
    expect(relativeChange(5, 0)).toBeNull();
    expect(relativeChange(null, 3)).toBeNull();
    expect(relativeChange(3, undefined)).toBeNull();
  });
});
