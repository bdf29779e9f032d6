import { describe, expect, it } from 'vitest';
import { menuKeyOf, safeNext } from './navigation';

describe('safeNext', () => {
  it('keeps same-site paths and refuses the rest', () => {
    expect(safeNext('/customers/1?tab=timeline')).toBe('/customers/1?tab=timeline');
    expect(safeNext('//evil.example/x')).toBe('/customers');
    expect(safeNext('https://evil.example')).toBe('/customers');
    expect(safeNext('/\\evil.example')).toBe('/customers');
    expect(safeNext('/sign-in?next=/x')).toBe('/customers');
    expect(safeNext(null)).toBe('/customers');
  });
});

describe('menuKeyOf', () => {
  it('finds the menu entry of a page and its sub-pages', () => {
    expect(menuKeyOf('/campaigns')).toBe('campaigns');
    expect(menuKeyOf('/campaigns/abc')).toBe('campaigns');
    expect(menuKeyOf('/deals/1')).toBe('pipeline');
    expect(menuKeyOf('/service-summary')).toBe('service-summary');
    expect(menuKeyOf('/cases/7')).toBe('cases');
    expect(menuKeyOf('/exchange-rates')).toBe('rates');
    expect(menuKeyOf('/profile')).toBe('');
    expect(menuKeyOf('/customersx')).toBe('');
  });
});
