// Segments: the list's address state, the form's values to API inputs, and a
// dynamic segment's conditions in words. Pure functions, tested without a browser.
import type {
  CreateSegmentInput,
  CustomerFilter,
  SegmentFieldsFragment,
  SegmentFilter,
  SegmentKind,
  SegmentOrderBy,
  UpdateSegmentInput,
} from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';
import { filterOf, filterStateOf, PAGE_SIZES, SORTS, type CustomerFilterState, type SortKey } from '../customers/listState';

export const SEGMENT_KINDS: SegmentKind[] = ['DYNAMIC', 'STATIC'];

// Dark enough for white text (WCAG AA contrast).
export const KIND_COLORS: Record<SegmentKind, string> = { DYNAMIC: '#0958d9', STATIC: '#531dab' };

export const SEGMENT_SORTS = {
  'name-asc': { field: 'NAME', direction: 'ASC' },
  'name-desc': { field: 'NAME', direction: 'DESC' },
  'updated-desc': { field: 'UPDATED_AT', direction: 'DESC' },
  'updated-asc': { field: 'UPDATED_AT', direction: 'ASC' },
  'created-desc': { field: 'CREATED_AT', direction: 'DESC' },
  'created-asc': { field: 'CREATED_AT', direction: 'ASC' },
} as const satisfies Record<string, SegmentOrderBy>;

export type SegmentSortKey = keyof typeof SEGMENT_SORTS;

/** The segment list's filters, sort and page size, kept in the address. */
export interface SegmentsState {
  name: string;
  kind: SegmentKind | '';
  sort: SegmentSortKey;
  pageSize: number;
}

export const SEGMENTS_STATE: AddressCodec<SegmentsState> = {
  read: (p) => {
    const kind = p.get('kind') ?? '';
    const sort = p.get('sort') ?? '';
    const size = Number(p.get('size'));
    return {
      name: p.get('name') ?? '',
      kind: SEGMENT_KINDS.includes(kind as SegmentKind) ? (kind as SegmentKind) : '',
      sort: sort in SEGMENT_SORTS ? (sort as SegmentSortKey) : 'name-asc',
      pageSize: PAGE_SIZES.includes(size) ? size : 20,
    };
  },
  write: (s) => {
    const p = new URLSearchParams();
    if (s.name) p.set('name', s.name);
    if (s.kind) p.set('kind', s.kind);
    if (s.sort !== 'name-asc') p.set('sort', s.sort);
    if (s.pageSize !== 20) p.set('size', String(s.pageSize));
    return p;
  },
};

/** The API filter of the segment list; null for none. */
export function segmentFilterOf(s: SegmentsState): SegmentFilter | null {
  const f: SegmentFilter = {};
  if (s.name.trim()) f.name = { contains: s.name.trim() };
  if (s.kind) f.kind = s.kind;
  return Object.keys(f).length ? f : null;
}

/** The sort a click on the segment table's column `column` asks for (`order` as the table gives it). */
export function segmentSortOf(column: string, order: 'ascend' | 'descend' | null | undefined): SegmentSortKey {
  const keys: Record<string, [SegmentSortKey, SegmentSortKey]> = {
    name: ['name-asc', 'name-desc'],
    updated: ['updated-asc', 'updated-desc'],
    created: ['created-asc', 'created-desc'],
  };
  const k = keys[column];
  if (!k || !order) return 'name-asc';
  return order === 'ascend' ? k[0] : k[1];
}

/** A segment's members: their sort and page size, kept in the address. */
export interface MembersState {
  sort: SortKey;
  pageSize: number;
}

export const MEMBERS_STATE: AddressCodec<MembersState> = {
  read: (p) => {
    const sort = p.get('sort') ?? '';
    const size = Number(p.get('size'));
    return {
      sort: sort in SORTS ? (sort as SortKey) : 'name-asc',
      pageSize: PAGE_SIZES.includes(size) ? size : 20,
    };
  },
  write: (s) => {
    const p = new URLSearchParams();
    if (s.sort !== 'name-asc') p.set('sort', s.sort);
    if (s.pageSize !== 20) p.set('size', String(s.pageSize));
    return p;
  },
};

/** The export's filter for a segment's members (the customer CSV export's language). */
export const membersFilter = (segmentId: string): CustomerFilter => ({ segmentId: { eq: segmentId } });

export interface SegmentFormValues {
  name: string;
  description?: string;
  kind: SegmentKind;
  ownerId?: string | null;
  /** A dynamic segment's conditions; null keeps a filter the controls cannot show as it is. */
  filter: CustomerFilterState | null;
}

const text = (v: string | null | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' ? null : t;
};

/** The form's values for a segment (its filter as the filter controls show it). */
export function segmentValuesOf(s: SegmentFieldsFragment): SegmentFormValues {
  return {
    name: s.name,
    description: s.description ?? '',
    kind: s.kind,
    ownerId: s.ownerId ?? null,
    filter: s.kind === 'DYNAMIC' ? filterStateOf(s.filter) : null,
  };
}

/** Whether the form's conditions are none at all (a dynamic segment needs one). */
export const noConditions = (v: SegmentFormValues): boolean => v.kind === 'DYNAMIC' && v.filter !== null && filterOf(v.filter) === null;

export function createSegmentInput(v: SegmentFormValues): CreateSegmentInput {
  return {
    name: v.name.trim(),
    description: text(v.description),
    kind: v.kind,
    // No conditions: no filter, which the API refuses for a dynamic segment on its field.
    filter: v.kind === 'DYNAMIC' && v.filter ? filterOf(v.filter) : null,
    ownerId: v.ownerId || null,
  };
}

/** The update for what changed between `before` and the form's values (the filter only when it means something else). */
export function updateSegmentInput(before: SegmentFieldsFragment, v: SegmentFormValues): UpdateSegmentInput {
  const input: UpdateSegmentInput = { id: before.id, version: before.version };
  if (v.name.trim() !== before.name) input.name = v.name.trim();
  if (text(v.description) !== text(before.description)) input.description = text(v.description);
  if ((v.ownerId || null) !== (before.ownerId ?? null)) input.ownerId = v.ownerId || null;
  if (before.kind === 'DYNAMIC' && v.filter) {
    const filter = filterOf(v.filter);
    const old = filterStateOf(before.filter);
    if (filter && (!old || JSON.stringify(filter) !== JSON.stringify(filterOf(old)))) input.filter = filter;
  }
  return input;
}

type T = (key: string, options?: Record<string, unknown>) => string;

/** A dynamic segment's conditions in words, one `[label, value]` per filter set. */
export function conditionsOf(s: CustomerFilterState, t: T): [string, string][] {
  const out: [string, string][] = [];
  const range = (min: string, max: string) =>
    min && max ? t('segments.between', { min, max }) : min ? t('segments.atLeast', { value: min }) : t('segments.atMost', { value: max });
  if (s.stages.length) out.push([t('customers.stage'), s.stages.map((x) => t(`stage.${x}`)).join(', ')]);
  if (s.tag) out.push([t('customers.tag'), s.tag]);
  if (s.country) out.push([t('customers.country'), s.country]);
  if (s.region) out.push([t('customers.region'), s.region]);
  if (s.tiers.length) out.push([t('customers.tier'), s.tiers.map((tier) => t('analytics.tierName', { tier })).join(', ')]);
  if (s.rfm.length) out.push([t('customers.rfm'), s.rfm.map((x) => t(`segment.${x}`)).join(', ')]);
  if (s.ordersMin || s.ordersMax) out.push([t('segments.orderCount'), range(s.ordersMin, s.ordersMax)]);
  if (s.totalMin || s.totalMax) out.push([t('segments.orderTotal'), range(s.totalMin, s.totalMax)]);
  if (s.createdFrom || s.createdTo) out.push([t('customers.created'), range(s.createdFrom, s.createdTo)]);
  return out;
}
