// The customer list's search, filters and sort, kept in the address so a
// reload or a return after sign-in shows the same list. The filters are also
// what a dynamic segment is made of: the same state, the same API filter.
import type { CustomerFilter, CustomerOrderBy, LifecycleStage, RfmSegment, ValueTier } from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';
import { dayRange, daysOf, isDay } from '../../lib/dayRange';
import { SEGMENTS as RFM_SEGMENTS } from '../analytics/analytics';
import { STAGES, TIERS } from './labels';

/** The customer filters the console offers (the list's, and a dynamic segment's). */
export interface CustomerFilterState {
  stages: LifecycleStage[];
  tag: string;
  country: string;
  region: string;
  tiers: ValueTier[];
  rfm: RfmSegment[];
  /** Orders placed, at least and at most: whole numbers as typed, or empty. */
  ordersMin: string;
  ordersMax: string;
  /** Order total in the base currency, at least and at most: decimals as typed, or empty. */
  totalMin: string;
  totalMax: string;
  /** Created from and until (whole days, `YYYY-MM-DD`), or empty. */
  createdFrom: string;
  createdTo: string;
}

export interface ListState extends CustomerFilterState {
  query: string;
  sort: SortKey;
  pageSize: number;
}

export const NO_FILTERS: CustomerFilterState = {
  stages: [],
  tag: '',
  country: '',
  region: '',
  tiers: [],
  rfm: [],
  ordersMin: '',
  ordersMax: '',
  totalMin: '',
  totalMax: '',
  createdFrom: '',
  createdTo: '',
};

/** The filters beyond stage, tag and country (the list shows them on demand). */
export const MORE_FILTERS = ['region', 'tiers', 'rfm', 'ordersMin', 'ordersMax', 'totalMin', 'totalMax', 'createdFrom', 'createdTo'] as const;

export const SORTS = {
  'name-asc': { field: 'NAME', direction: 'ASC' },
  'name-desc': { field: 'NAME', direction: 'DESC' },
  'created-desc': { field: 'CREATED_AT', direction: 'DESC' },
  'created-asc': { field: 'CREATED_AT', direction: 'ASC' },
  'contact-desc': { field: 'LAST_INTERACTION_AT', direction: 'DESC' },
  'contact-asc': { field: 'LAST_INTERACTION_AT', direction: 'ASC' },
} as const satisfies Record<string, CustomerOrderBy>;

export type SortKey = keyof typeof SORTS;
export const PAGE_SIZES = [10, 20, 50];

const WHOLE = /^\d{1,9}$/;
const DECIMAL = /^\d{1,15}(?:\.\d{1,4})?$/;

/** A whole number as typed (`' 12 '` → `'12'`), else empty. */
export const wholeNumber = (v: string | null | undefined): string => {
  const t = (v ?? '').trim();
  return WHOLE.test(t) ? String(Number(t)) : '';
};

/** An amount as typed (`'1,200.50'` → `'1200.50'`), else empty. */
export const amount = (v: string | null | undefined): string => {
  const t = (v ?? '').trim().replace(/,/g, '');
  return DECIMAL.test(t) ? t : '';
};

const list = <T extends string>(raw: string | null, allowed: readonly T[]): T[] =>
  (raw ?? '').split(',').filter((s): s is T => allowed.includes(s as T));

/** The filters in an address's query string. */
export function readFilters(params: URLSearchParams): CustomerFilterState {
  const day = (v: string | null) => (isDay(v) ? v : '');
  return {
    stages: list(params.get('stage'), STAGES),
    tag: params.get('tag') ?? '',
    country: (params.get('country') ?? '').toUpperCase(),
    region: params.get('region') ?? '',
    tiers: list(params.get('tier'), TIERS),
    rfm: list(params.get('rfm'), RFM_SEGMENTS),
    ordersMin: wholeNumber(params.get('orders-min')),
    ordersMax: wholeNumber(params.get('orders-max')),
    totalMin: amount(params.get('total-min')),
    totalMax: amount(params.get('total-max')),
    createdFrom: day(params.get('created-from')),
    createdTo: day(params.get('created-to')),
  };
}

/** Adds the filters set to `params` (in a fixed order). */
export function writeFilters(state: CustomerFilterState, params: URLSearchParams = new URLSearchParams()): URLSearchParams {
  if (state.stages.length) params.set('stage', state.stages.join(','));
  if (state.tag) params.set('tag', state.tag);
  if (state.country) params.set('country', state.country);
  if (state.region) params.set('region', state.region);
  if (state.tiers.length) params.set('tier', state.tiers.join(','));
  if (state.rfm.length) params.set('rfm', state.rfm.join(','));
  if (state.ordersMin) params.set('orders-min', state.ordersMin);
  if (state.ordersMax) params.set('orders-max', state.ordersMax);
  if (state.totalMin) params.set('total-min', state.totalMin);
  if (state.totalMax) params.set('total-max', state.totalMax);
  if (state.createdFrom) params.set('created-from', state.createdFrom);
  if (state.createdTo) params.set('created-to', state.createdTo);
  return params;
}

export function readListState(params: URLSearchParams): ListState {
  const sort = params.get('sort');
  const size = Number(params.get('size'));
  return {
    query: params.get('q') ?? '',
    ...readFilters(params),
    sort: sort && sort in SORTS ? (sort as SortKey) : 'created-desc',
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
  };
}

export function writeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.query) params.set('q', state.query);
  writeFilters(state, params);
  if (state.sort !== 'created-desc') params.set('sort', state.sort);
  if (state.pageSize !== 20) params.set('size', String(state.pageSize));
  return params;
}

/** Only the filters of a state that may hold more (the list's search and sort). */
export function filtersOf(state: CustomerFilterState): CustomerFilterState {
  return Object.fromEntries(Object.keys(NO_FILTERS).map((k) => [k, state[k as keyof CustomerFilterState]])) as unknown as CustomerFilterState;
}

/** The API filter for the filters set; `null` when there is none. */
export function filterOf(state: CustomerFilterState): CustomerFilter | null {
  const filter: CustomerFilter = {};
  if (state.stages.length) filter.lifecycleStage = { in: state.stages };
  if (state.tag.trim()) filter.tags = { contains: state.tag.trim() };
  if (state.country.trim()) filter.country = { eq: state.country.trim().toUpperCase() };
  if (state.region.trim()) filter.region = { eq: state.region.trim() };
  if (state.tiers.length || state.rfm.length) {
    filter.value = {};
    if (state.tiers.length) filter.value.tier = { in: state.tiers };
    if (state.rfm.length) filter.value.segment = { in: state.rfm };
  }
  const orders = { gte: wholeNumber(state.ordersMin), lte: wholeNumber(state.ordersMax) };
  if (orders.gte || orders.lte) {
    filter.orderCount = {};
    if (orders.gte) filter.orderCount.gte = Number(orders.gte);
    if (orders.lte) filter.orderCount.lte = Number(orders.lte);
  }
  const total = { gte: amount(state.totalMin), lte: amount(state.totalMax) };
  if (total.gte || total.lte) {
    filter.orderTotal = {};
    if (total.gte) filter.orderTotal.gte = total.gte;
    if (total.lte) filter.orderTotal.lte = total.lte;
  }
  const created = dayRange(state.createdFrom, state.createdTo);
  if (created) filter.createdAt = created;
  return Object.keys(filter).length ? filter : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The only keys of `v` are among `keys`, and it has one. */
const only = (v: unknown, keys: string[]): v is Record<string, unknown> =>
  isObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => keys.includes(k));

/** `{in: [...]}` or `{eq: x}` of allowed values, as a list; null for anything else. */
function enumList<T extends string>(v: unknown, allowed: readonly T[]): T[] | null {
  if (!only(v, ['in', 'eq'])) return null;
  if ('in' in v && 'eq' in v) return null;
  const values = 'in' in v ? v.in : [v.eq];
  if (!Array.isArray(values) || values.length === 0 || !values.every((x) => allowed.includes(x as T))) return null;
  return values as T[];
}

/** `{eq: "text"}` as its text; null for anything else. */
function equalText(v: unknown): string | null {
  return only(v, ['eq']) && typeof v.eq === 'string' && v.eq.trim() !== '' ? v.eq : null;
}

/** `{gte, lte}` bounds as text (a bound made by `parse` or empty); null for anything else. */
function bounds(v: unknown, parse: (x: string) => string): { min: string; max: string } | null {
  if (!only(v, ['gte', 'lte'])) return null;
  const bound = (x: unknown) => {
    if (x === undefined) return '';
    const text = typeof x === 'number' || typeof x === 'string' ? parse(String(x)) : '';
    return text === '' ? null : text;
  };
  const min = bound(v.gte);
  const max = bound(v.lte);
  return min === null || max === null ? null : { min, max };
}

/**
 * The filters a saved API filter (a dynamic segment's) stands for, so it can
 * be edited with the same controls; null when it holds anything they cannot
 * show (a filter written through the API), which must then be kept as it is.
 */
export function filterStateOf(filter: unknown): CustomerFilterState | null {
  if (filter === null || filter === undefined) return { ...NO_FILTERS };
  if (!isObject(filter)) return null;
  const state: CustomerFilterState = { ...NO_FILTERS };
  for (const [key, v] of Object.entries(filter)) {
    switch (key) {
      case 'lifecycleStage': {
        const stages = enumList(v, STAGES);
        if (!stages) return null;
        state.stages = stages;
        break;
      }
      case 'tags': {
        if (!only(v, ['contains']) || typeof v.contains !== 'string' || !v.contains.trim()) return null;
        state.tag = v.contains;
        break;
      }
      case 'country': {
        const country = equalText(v);
        if (country === null || country !== country.toUpperCase()) return null;
        state.country = country;
        break;
      }
      case 'region': {
        const region = equalText(v);
        if (region === null) return null;
        state.region = region;
        break;
      }
      case 'value': {
        if (!only(v, ['tier', 'segment'])) return null;
        if (v.tier !== undefined) {
          const tiers = enumList(v.tier, TIERS);
          if (!tiers) return null;
          state.tiers = tiers;
        }
        if (v.segment !== undefined) {
          const rfm = enumList(v.segment, RFM_SEGMENTS);
          if (!rfm) return null;
          state.rfm = rfm;
        }
        break;
      }
      case 'orderCount': {
        const b = bounds(v, wholeNumber);
        if (!b) return null;
        [state.ordersMin, state.ordersMax] = [b.min, b.max];
        break;
      }
      case 'orderTotal': {
        const b = bounds(v, amount);
        if (!b) return null;
        [state.totalMin, state.totalMax] = [b.min, b.max];
        break;
      }
      case 'createdAt': {
        const days = isObject(v) ? daysOf(v) : null;
        if (!days) return null;
        [state.createdFrom, state.createdTo] = [days.from, days.to];
        break;
      }
      default:
        return null;
    }
  }
  return state;
}

export const LIST_STATE: AddressCodec<ListState> = { read: readListState, write: writeListState };
