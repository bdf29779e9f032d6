import { describe, expect, it } from 'vitest';
import { quotaOf, valueSettingsField, valueSettingsInput, valueSettingsValuesOf } from './settings';

const settings = {
  tierAShare: '0.8',
  tierBShare: '0.15',
  horizonMonths: 12,
  annualDiscountRate: '0.1',
  scheduleEnabled: true,
  scheduleIntervalHours: 24,
};

describe('value settings', () => {
  it('shows shares in percent', () => {
    expect(valueSettingsValuesOf(settings)).toEqual({
      tierAPercent: 80,
      tierBPercent: 15,
      horizonMonths: 12,
      discountPercent: 10,
      scheduleEnabled: true,
      scheduleIntervalHours: 24,
    });
  });

  it('sends only what changed, shares as exact decimals', () => {
    const v = valueSettingsValuesOf(settings);
    expect(valueSettingsInput(settings, v)).toEqual({});
    expect(valueSettingsInput(settings, { ...v, tierAPercent: 70, tierBPercent: 22.5, discountPercent: 7, scheduleEnabled: false })).toEqual({
      tierAShare: '0.7',
      tierBShare: '0.225',
      annualDiscountRate: '0.07',
      scheduleEnabled: false,
    });
  });

  it('puts API fields on form fields', () => {
    expect(valueSettingsField('tierAShare')).toBe('tierAPercent');
    expect(valueSettingsField('input.annualDiscountRate')).toBe('discountPercent');
    expect(valueSettingsField('horizonMonths')).toBe('horizonMonths');
  });
});

describe('quotaOf', () => {
  it('reads the RateLimit headers of a counted response', () => {
    const h = new Headers({ 'RateLimit-Limit': '600', 'RateLimit-Remaining': '99', 'RateLimit-Reset': '3' });
    expect(quotaOf(h)).toEqual({ limit: 600, remaining: 99, resetSeconds: 3 });
  });

  it('is null for a response that was not counted', () => {
    expect(quotaOf(new Headers())).toBeNull();
    expect(quotaOf(new Headers({ 'RateLimit-Limit': '600', 'RateLimit-Remaining': 'x', 'RateLimit-Reset': '1' }))).toBeNull();
  });
});
