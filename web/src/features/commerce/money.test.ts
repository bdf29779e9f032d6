import { describe, expect, it } from 'vitest';
import { decimalText, isCurrency } from './money';

describe('money input', () => {
  it('writes decimals without exponent or trailing zeros', () => {
    expect(decimalText(12)).toBe('12');
    expect(decimalText(12.5)).toBe('12.5');
    expect(decimalText(0.000001)).toBe('0');
    expect(decimalText(7.123456, 6)).toBe('7.123456');
  });
  it('knows a currency code', () => {
    expect(isCurrency('eur')).toBe(true);
    expect(isCurrency('EURO')).toBe(false);
    expect(isCurrency('')).toBe(false);
  });
});
