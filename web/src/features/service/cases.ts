// Tag colours are dark enough for white text (WCAG AA contrast).
// The service queue's rules apart from its rendering: filters in the address,
// SLA badges and the status changes the API allows.
import type { CaseFilter, CaseOrderBy, CasePriority, CaseStatus } from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';

export const CASE_STATUSES: CaseStatus[] = ['NEW', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED'];
export const CASE_PRIORITIES: CasePriority[] = ['URGENT', 'HIGH', 'NORMAL', 'LOW'];
export const STATUS_COLORS: Record<CaseStatus, string> = {
  NEW: '#0958d9',
  OPEN: '#006d75',
  PENDING: '#ad4e00',
  RESOLVED: '#237804',
  CLOSED: '#595959',
};
export const PRIORITY_COLORS: Record<CasePriority, string> = { URGENT: '#a8071a', HIGH: '#ad4e00', NORMAL: '#0958d9', LOW: '#595959' };

export type CaseView = 'open' | 'overdue' | 'all';
export type CaseOwner = 'any' | 'me' | 'unassigned';
export const CASE_SORTS = {
  due: [{ field: 'RESOLUTION_DUE_AT', direction: 'ASC' }],
  priority: [
    { field: 'PRIORITY', direction: 'DESC' },
    { field: 'RESOLUTION_DUE_AT', direction: 'ASC' },
  ],
  newest: [{ field: 'CREATED_AT', direction: 'DESC' }],
} as const satisfies Record<string, CaseOrderBy[]>;
export type CaseSort = keyof typeof CASE_SORTS;

export interface CaseQueueState {
  view: CaseView;
  statuses: CaseStatus[];
  priorities: CasePriority[];
  owner: CaseOwner;
  sort: CaseSort;
}

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
const listOf = <T extends string>(value: string | null, allowed: readonly T[]): T[] =>
  (value ?? '').split(',').filter((s): s is T => (allowed as readonly string[]).includes(s));

export const CASE_QUEUE_STATE: AddressCodec<CaseQueueState> = {
  read: (p) => ({
    view: oneOf(p.get('view'), ['open', 'overdue', 'all'] as const, 'open'),
    statuses: listOf(p.get('status'), CASE_STATUSES),
    priorities: listOf(p.get('priority'), CASE_PRIORITIES),
    owner: oneOf(p.get('owner'), ['any', 'me', 'unassigned'] as const, 'any'),
    sort: oneOf(p.get('sort'), Object.keys(CASE_SORTS) as CaseSort[], 'due'),
  }),
  write: (s) => {
    const p = new URLSearchParams();
    if (s.view !== 'open') p.set('view', s.view);
    if (s.statuses.length) p.set('status', s.statuses.join(','));
    if (s.priorities.length) p.set('priority', s.priorities.join(','));
    if (s.owner !== 'any') p.set('owner', s.owner);
    if (s.sort !== 'due') p.set('sort', s.sort);
    return p;
  },
};

/** The API filter of the queue's state; `me` is the signed-in user's id. */
export function caseFilter(state: CaseQueueState, me: string | undefined): CaseFilter | null {
  const f: CaseFilter = {};
  if (state.view === 'open') f.open = true;
  if (state.view === 'overdue') f.overdue = true;
  if (state.statuses.length) f.status = { in: state.statuses };
  if (state.priorities.length) f.priority = { in: state.priorities };
  if (state.owner === 'me' && me) f.ownerId = { eq: me };
  if (state.owner === 'unassigned') f.unassigned = true;
  return Object.keys(f).length ? f : null;
}

export type SlaBadge = 'responseBreached' | 'resolutionBreached' | 'dueSoon';

interface SlaLike {
  isOpen: boolean;
  resolutionDueAt: string;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
}

/** Hours before the resolution due time when an open case is "due soon". */
export const DUE_SOON_HOURS = 4;

export function slaBadges(c: SlaLike, now: Date = new Date()): SlaBadge[] {
  const badges: SlaBadge[] = [];
  if (c.firstResponseBreached) badges.push('responseBreached');
  if (c.resolutionBreached) badges.push('resolutionBreached');
  const due = new Date(c.resolutionDueAt).getTime();
  if (c.isOpen && !c.resolutionBreached && due - now.getTime() <= DUE_SOON_HOURS * 3_600_000) badges.push('dueSoon');
  return badges;
}

/** The statuses a case may move to (`CaseStatus::may_become` in the API). */
export function nextStatuses(from: CaseStatus): CaseStatus[] {
  switch (from) {
    case 'NEW':
    case 'OPEN':
    case 'PENDING':
      return (['OPEN', 'PENDING', 'RESOLVED', 'CLOSED'] as CaseStatus[]).filter((s) => s !== from);
    case 'RESOLVED':
      return ['OPEN', 'CLOSED'];
    case 'CLOSED':
      return [];
  }
}

/** Whether the customer's rating may be recorded now. */
export const mayRate = (status: CaseStatus, rated: boolean) => !rated && (status === 'RESOLVED' || status === 'CLOSED');
