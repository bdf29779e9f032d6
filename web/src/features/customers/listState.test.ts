import { describe, expect, it } from 'vitest';
import {
  amount,
  filterOf,
  filtersOf,
  filterStateOf,
  NO_FILTERS,
  readFilters,
  readListState,
  wholeNumber,
  writeFilters,
  writeListState,
  type CustomerFilterState,
} from './listState';

describe('list state', () => {
  it('round-trips through the address and ignores unknown values', () => {
    const state = readListState(new URLSearchParams('q=acme&stage=LEAD,NOPE,CUSTOMER&tag=vip&country=de&sort=name-asc&size=50'));
    expect(state).toEqual({
      ...NO_FILTERS,
      query: 'acme',
      stages: ['LEAD', 'CUSTOMER'],
      tag: 'vip',
      country: 'DE',
      sort: 'name-asc',
      pageSize: 50,
    });
    expect(readListState(writeListState(state))).toEqual(state);
    expect(readListState(new URLSearchParams('sort=bogus&size=7'))).toMatchObject({ sort: 'created-desc', pageSize: 20 });
  });

  it('reads and writes the other filters, dropping what is not valid', () => {
    const params = new URLSearchParams(
      'region=East&tier=A,Z,C&rfm=CHAMPIONS,NOPE&orders-min=2&orders-max=x&total-min=1,000.5&total-max=-3&created-from=2026-01-01&created-to=2026-13-40',
    );
    const state = readFilters(params);
    expect(state).toEqual({
      ...NO_FILTERS,
      region: 'East',
      tiers: ['A', 'C'],
      rfm: ['CHAMPIONS'],
      ordersMin: '2',
      totalMin: '1000.5',
      createdFrom: '2026-01-01',
    });
    expect(writeFilters(state).toString()).toBe('region=East&tier=A%2CC&rfm=CHAMPIONS&orders-min=2&total-min=1000.5&created-from=2026-01-01');
    expect(readFilters(writeFilters(state))).toEqual(state);
  });

  it('keeps numbers only as typed numbers', () => {
    expect(wholeNumber(' 012 ')).toBe('12');
    expect(wholeNumber('1.5')).toBe('');
    expect(wholeNumber('-1')).toBe('');
    expect(amount('1,200.50')).toBe('1200.50');
    expect(amount('12.34567')).toBe('');
    expect(amount('abc')).toBe('');
  });

  it('builds the API filter from the filters set', () => {
    expect(filterOf(readListState(new URLSearchParams()))).toBeNull();
    expect(filterOf(readListState(new URLSearchParams('stage=LEAD&tag=%20vip%20&country=cn')))).toEqual({
      lifecycleStage: { in: ['LEAD'] },
      tags: { contains: 'vip' },
      country: { eq: 'CN' },
    });
    expect(
      filterOf({
        ...NO_FILTERS,
        region: ' East ',
        tiers: ['A'],
        rfm: ['AT_RISK', 'LOST'],
        ordersMin: '2',
        totalMax: '500.5',
        createdFrom: '2026-01-01',
        createdTo: '2026-01-31',
      }),
    ).toEqual({
      region: { eq: 'East' },
      value: { tier: { in: ['A'] }, segment: { in: ['AT_RISK', 'LOST'] } },
      orderCount: { gte: 2 },
      orderTotal: { lte: '500.5' },
      createdAt: { gte: '2026-01-01T00:00:00Z', lt: '2026-02-01T00:00:00.000Z' },
    });
  });

  it('leaves the search and sort out of the filters', () => {
    const state = readListState(new URLSearchParams('q=acme&tag=vip&sort=name-asc'));
    expect(filtersOf(state)).toEqual({ ...NO_FILTERS, tag: 'vip' });
  });
});

describe('filter state of a saved filter', () => {
  const states: CustomerFilterState[] = [
    { ...NO_FILTERS },
    { ...NO_FILTERS, stages: ['LEAD', 'PROSPECT'], tag: 'vip', country: 'DE' },
    {
      ...NO_FILTERS,
      region: 'East',
      tiers: ['A', 'B'],
      rfm: ['CHAMPIONS'],
      ordersMin: '1',
      ordersMax: '10',
      totalMin: '100',
      totalMax: '2000.50',
      createdFrom: '2025-12-01',
      createdTo: '2026-02-28',
    },
    { ...NO_FILTERS, rfm: ['LOST'], createdTo: '2026-03-01' },
  ];

  it('gives back the filters a filter was made of (the JSON the API keeps)', () => {
    for (const state of states) {
      const saved = JSON.parse(JSON.stringify(filterOf(state)));
      expect(filterStateOf(saved)).toEqual(state);
      expect(filterOf(filterStateOf(saved)!)).toEqual(filterOf(state));
    }
  });

  it('reads the equivalent forms of one value', () => {
    expect(filterStateOf({ lifecycleStage: { eq: 'LEAD' }, value: { tier: { eq: 'A' } }, orderCount: { gte: '3' } })).toEqual({
      ...NO_FILTERS,
      stages: ['LEAD'],
      tiers: ['A'],
      ordersMin: '3',
    });
  });

  it('refuses what the filter controls cannot show', () => {
    for (const filter of [
      { or: [{ tags: { contains: 'a' } }] },
      { name: { contains: 'acme' } },
      { lifecycleStage: { ne: 'LEAD' } },
      { lifecycleStage: { in: ['NOPE'] } },
      { tags: { containsAll: ['a', 'b'] } },
      { country: { in: ['DE', 'FR'] } },
      { country: { eq: 'de' } },
      { value: { churnRisk: { gte: 0.5 } } },
      { orderCount: { gt: 2 } },
      { orderTotal: { gte: 'lots' } },
      { createdAt: { gte: '2026-01-01T12:00:00Z' } },
      { createdAt: { lte: '2026-01-01T00:00:00Z' } },
      { segmentId: { eq: 'x' } },
      'tags',
      [],
    ]) {
      expect(filterStateOf(filter), JSON.stringify(filter)).toBeNull();
    }
  });
});
