import { describe, expect, it } from 'vitest';
import type { SegmentFieldsFragment } from '../../gql/graphql';
import { NO_FILTERS } from '../customers/listState';
import {
  conditionsOf,
  createSegmentInput,
  MEMBERS_STATE,
  membersFilter,
  noConditions,
  segmentFilterOf,
  segmentSortOf,
  SEGMENTS_STATE,
  segmentValuesOf,
  updateSegmentInput,
} from './segments';

const dynamic: SegmentFieldsFragment = {
  id: 's1',
  version: 3,
  name: 'VIP leads',
  description: null,
  kind: 'DYNAMIC',
  memberCount: 2,
  ownerId: 'u1',
  owner: null,
  filter: { lifecycleStage: { in: ['LEAD'] }, tags: { contains: 'vip' } },
  refreshedAt: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('segment list state', () => {
  it('round-trips through the address, dropping what is not valid', () => {
    const s = SEGMENTS_STATE.read(new URLSearchParams('name=vip&kind=STATIC&sort=updated-desc&size=50'));
    expect(s).toEqual({ name: 'vip', kind: 'STATIC', sort: 'updated-desc', pageSize: 50 });
    expect(SEGMENTS_STATE.write(s).toString()).toBe('name=vip&kind=STATIC&sort=updated-desc&size=50');
    expect(SEGMENTS_STATE.read(new URLSearchParams('kind=BOTH&sort=size&size=7'))).toEqual({ name: '', kind: '', sort: 'name-asc', pageSize: 20 });
    expect(SEGMENTS_STATE.write(SEGMENTS_STATE.read(new URLSearchParams(''))).toString()).toBe('');
  });

  it('makes the API filter and sort', () => {
    expect(segmentFilterOf(SEGMENTS_STATE.read(new URLSearchParams('')))).toBeNull();
    expect(segmentFilterOf({ name: ' vip ', kind: 'DYNAMIC', sort: 'name-asc', pageSize: 20 })).toEqual({ name: { contains: 'vip' }, kind: 'DYNAMIC' });
    expect(segmentSortOf('updated', 'descend')).toBe('updated-desc');
    expect(segmentSortOf('name', 'ascend')).toBe('name-asc');
    expect(segmentSortOf('name', null)).toBe('name-asc');
    expect(segmentSortOf('members', 'ascend')).toBe('name-asc');
  });

  it('keeps the members’ sort and page size', () => {
    expect(MEMBERS_STATE.read(new URLSearchParams('sort=created-desc&size=10'))).toEqual({ sort: 'created-desc', pageSize: 10 });
    expect(MEMBERS_STATE.write({ sort: 'name-asc', pageSize: 20 }).toString()).toBe('');
    expect(membersFilter('s1')).toEqual({ segmentId: { eq: 's1' } });
  });
});

describe('segment form', () => {
  it('turns the list’s filters into a new dynamic segment’s filter', () => {
    const input = createSegmentInput({
      name: ' VIP leads ',
      description: ' ',
      kind: 'DYNAMIC',
      ownerId: 'u1',
      filter: { ...NO_FILTERS, stages: ['LEAD'], tag: 'vip' },
    });
    expect(input).toEqual({
      name: 'VIP leads',
      description: null,
      kind: 'DYNAMIC',
      ownerId: 'u1',
      filter: { lifecycleStage: { in: ['LEAD'] }, tags: { contains: 'vip' } },
    });
  });

  it('sends no filter for a static list, nor for a dynamic segment without conditions', () => {
    expect(createSegmentInput({ name: 'Fair', kind: 'STATIC', filter: { ...NO_FILTERS, tag: 'x' } }).filter).toBeNull();
    const none = { name: 'All', kind: 'DYNAMIC' as const, filter: { ...NO_FILTERS } };
    expect(createSegmentInput(none).filter).toBeNull();
    expect(noConditions(none)).toBe(true);
    expect(noConditions({ ...none, filter: { ...NO_FILTERS, tag: 'x' } })).toBe(false);
    expect(noConditions({ ...none, kind: 'STATIC' })).toBe(false);
  });

  it('reads a segment into the form and sends back only what changed', () => {
    const values = segmentValuesOf(dynamic);
    expect(values).toEqual({ name: 'VIP leads', description: '', kind: 'DYNAMIC', ownerId: 'u1', filter: { ...NO_FILTERS, stages: ['LEAD'], tag: 'vip' } });
    expect(updateSegmentInput(dynamic, values)).toEqual({ id: 's1', version: 3 });
    expect(updateSegmentInput(dynamic, { ...values, description: 'Hot', ownerId: null, filter: { ...values.filter!, country: 'DE' } })).toEqual({
      id: 's1',
      version: 3,
      description: 'Hot',
      ownerId: null,
      filter: { lifecycleStage: { in: ['LEAD'] }, tags: { contains: 'vip' }, country: { eq: 'DE' } },
    });
  });

  it('keeps a filter the controls cannot show unless it is replaced', () => {
    const custom = { ...dynamic, filter: { or: [{ tags: { contains: 'a' } }, { tags: { contains: 'b' } }] } };
    const values = segmentValuesOf(custom);
    expect(values.filter).toBeNull();
    expect(updateSegmentInput(custom, { ...values, name: 'A or B' })).toEqual({ id: 's1', version: 3, name: 'A or B' });
    expect(updateSegmentInput(custom, { ...values, filter: { ...NO_FILTERS, tag: 'a' } }).filter).toEqual({ tags: { contains: 'a' } });
  });

  it('puts conditions in words', () => {
    const t = (key: string, o?: Record<string, unknown>) => (o ? `${key}(${Object.values(o).join(',')})` : key);
    expect(
      conditionsOf({ ...NO_FILTERS, stages: ['LEAD', 'CUSTOMER'], tiers: ['A'], ordersMin: '2', totalMin: '10', totalMax: '99', createdTo: '2026-01-31' }, t),
    ).toEqual([
      ['customers.stage', 'stage.LEAD, stage.CUSTOMER'],
      ['customers.tier', 'analytics.tierName(A)'],
      ['segments.orderCount', 'segments.atLeast(2)'],
      ['segments.orderTotal', 'segments.between(10,99)'],
      ['customers.created', 'segments.atMost(2026-01-31)'],
    ]);
  });
});
