// The customer list's search, filters and sort, kept in the address so a
// reload or a return after sign-in shows the same list.
import type { CustomerFilter, CustomerOrderBy, LifecycleStage } from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';
import { STAGES } from './labels';

export interface ListState {
  query: string;
  stages: LifecycleStage[];
  tag: string;
  country: string;
  sort: SortKey;
  pageSize: number;
}

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

export function readListState(params: URLSearchParams): ListState {
  const sort = params.get('sort');
  const size = Number(params.get('size'));
  return {
    query: params.get('q') ?? '',
    stages: (params.get('stage') ?? '').split(',').filter((s): s is LifecycleStage => STAGES.includes(s as LifecycleStage)),
    tag: params.get('tag') ?? '',
    country: (params.get('country') ?? '').toUpperCase(),
    sort: sort && sort in SORTS ? (sort as SortKey) : 'created-desc',
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
  };
}

export function writeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.query) params.set('q', state.query);
  if (state.stages.length) params.set('stage', state.stages.join(','));
  if (state.tag) params.set('tag', state.tag);
  if (state.country) params.set('country', state.country);
  if (state.sort !== 'created-desc') params.set('sort', state.sort);
  if (state.pageSize !== 20) params.set('size', String(state.pageSize));
  return params;
}

/** The API filter for the list's filters; `null` when there is none. */
export function filterOf(state: ListState): CustomerFilter | null {
  const filter: CustomerFilter = {};
  if (state.stages.length) filter.lifecycleStage = { in: state.stages };
  if (state.tag.trim()) filter.tags = { contains: state.tag.trim() };
  if (state.country.trim()) filter.country = { eq: state.country.trim().toUpperCase() };
  return Object.keys(filter).length ? filter : null;
}

export const LIST_STATE: AddressCodec<ListState> = { read: readListState, write: writeListState };
