import { describe, expect, it } from 'vitest';
import { safeNext } from './navigation';

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
