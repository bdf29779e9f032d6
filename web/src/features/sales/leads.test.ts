import { describe, expect, it } from 'vitest';
import { conversionDeal, LEAD_LIST_STATE, leadActions } from './leads';

describe('leads', () => {
  it('offers what the API allows for each status', () => {
    expect(leadActions('NEW')).toEqual(['qualify', 'disqualify', 'convert']);
    expect(leadActions('QUALIFIED')).toEqual(['disqualify', 'convert']);
    expect(leadActions('DISQUALIFIED')).toEqual(['qualify', 'convert']);
    expect(leadActions('CONVERTED')).toEqual([]);
  });

  it('keeps the status filter in the address and ignores unknown values', () => {
    const state = LEAD_LIST_STATE.read(new URLSearchParams('status=NEW,BOGUS,QUALIFIED'));
    expect(state).toEqual({ statuses: ['NEW', 'QUALIFIED'] });
    expect(LEAD_LIST_STATE.write(state).toString()).toBe('status=NEW%2CQUALIFIED');
  });

  it('builds the deal of a conversion only when asked, amounts as exact strings', () => {
    expect(conversionDeal({ withDeal: false, amount: '10' }, 'EUR')).toBeNull();
    expect(conversionDeal({ withDeal: true, dealName: ' ', amount: ' 1234.50 ', currency: 'usd' }, 'EUR')).toEqual({
      name: null,
      amount: '1234.50',
      currency: 'USD',
    });
    expect(conversionDeal({ withDeal: true }, 'EUR')).toEqual({ name: null, amount: null, currency: 'EUR' });
  });
});
