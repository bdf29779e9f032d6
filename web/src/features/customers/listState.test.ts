import { describe, expect, it } from 'vitest';
import { filterOf, readListState, writeListState } from './listState';

describe('list state', () => {
  it('round-trips through the address and ignores unknown values', () => {
    const state = readListState(new URLSearchParams('q=acme&stage=LEAD,NOPE,CUSTOMER&tag=vip&country=de&sort=name-asc&size=50'));
    expect(state).toEqual({
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

  it('builds the API filter from the filters set', () => {
    expect(filterOf(readListState(new URLSearchParams()))).toBeNull();
    expect(filterOf(readListState(new URLSearchParams('stage=LEAD&tag=%20vip%20&country=cn')))).toEqual({
      lifecycleStage: { in: ['LEAD'] },
      tags: { contains: 'vip' },
      country: { eq: 'CN' },
    });
  });
});
