import { describe, expect, it } from 'vitest';
import { LIST_STATE } from '../features/customers/listState';
import { patchedSearch } from './addressState';

describe('patchedSearch', () => {
  it('changes only the patched part of the state in the address', () => {
    expect(patchedSearch('?stage=LEAD&sort=name-asc', LIST_STATE, { tag: 'vip' })).toBe('?stage=LEAD&tag=vip&sort=name-asc');
    expect(patchedSearch('?stage=LEAD', LIST_STATE, { stages: [] })).toBe('');
  });

  it('keeps quick successive changes when each applies to the address as it is', () => {
    // The address after the first change, before the page has rendered it.
    const first = patchedSearch('?stage=LEAD', LIST_STATE, { stages: [] });
    expect(patchedSearch(first, LIST_STATE, { tag: 'vip' })).toBe('?tag=vip');
    // What the list did before: the second change applied to the address
    // last rendered brought the removed stage back.
    expect(patchedSearch('?stage=LEAD', LIST_STATE, { tag: 'vip' })).toBe('?stage=LEAD&tag=vip');
  });
});
