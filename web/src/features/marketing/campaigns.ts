// Campaigns: the list's address state, the plan form's values to API inputs,
// the status moves a campaign allows, cost totals and the figures of the
// results panel. Pure functions, tested without a browser.
import type {
  AttributionModel,
  CampaignCostKind,
  CampaignFieldsFragment,
  CampaignFilter,
  CampaignKind,
  CampaignMemberStatus,
  CampaignOrderBy,
  CampaignPlanInput,
  CampaignStatus,
  CreateCampaignInput,
  UpdateCampaignInput,
} from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';
import type { MoneyLike } from '../../lib/format';
import { PAGE_SIZES } from '../customers/listState';

export const CAMPAIGN_STATUSES: CampaignStatus[] = ['PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED'];
export const CAMPAIGN_KINDS: CampaignKind[] = ['EMAIL', 'SMS', 'PHONE', 'EVENT', 'WEBINAR', 'DIRECT_MAIL', 'ADVERTISING', 'SOCIAL', 'OTHER'];
/** In the order a campaign gets further with a member; the last two end it. */
export const MEMBER_STATUSES: CampaignMemberStatus[] = [
  'TARGETED',
  'SENT',
  'DELIVERED',
  'OPENED',
  'CLICKED',
  'RESPONDED',
  'CONVERTED',
  'UNSUBSCRIBED',
  'BOUNCED',
];
export const COST_KINDS: CampaignCostKind[] = ['PLANNED', 'ACTUAL'];
export const ATTRIBUTION_MODELS: AttributionModel[] = ['LAST_TOUCH', 'FIRST_TOUCH', 'LINEAR'];

// Solid and dark enough for white text (WCAG AA contrast).
export const STATUS_COLORS: Record<CampaignStatus, string> = {
  PLANNED: '#595959',
  ACTIVE: '#0958d9',
  COMPLETED: '#237804',
  CANCELLED: '#a8071a',
};

export const CAMPAIGN_SORTS = {
  'created-desc': { field: 'CREATED_AT', direction: 'DESC' },
  'created-asc': { field: 'CREATED_AT', direction: 'ASC' },
  'name-asc': { field: 'NAME', direction: 'ASC' },
  'name-desc': { field: 'NAME', direction: 'DESC' },
  'starts-asc': { field: 'STARTS_ON', direction: 'ASC' },
  'starts-desc': { field: 'STARTS_ON', direction: 'DESC' },
} as const satisfies Record<string, CampaignOrderBy>;

export type CampaignSortKey = keyof typeof CAMPAIGN_SORTS;

/** The campaign list's filters, sort and page size, kept in the address. */
export interface CampaignsState {
  name: string;
  statuses: CampaignStatus[];
  kinds: CampaignKind[];
  /** A member's user id, or empty for anyone. */
  owner: string;
  /** Only programmes and campaigns without one. */
  topLevel: boolean;
  /** Each campaign's results as columns. */
  results: boolean;
  sort: CampaignSortKey;
  pageSize: number;
}

const listOf = <T extends string>(raw: string | null, allowed: readonly T[]): T[] =>
  (raw ?? '')
    .split(',')
    .filter((v): v is T => (allowed as readonly string[]).includes(v))
    .filter((v, i, all) => all.indexOf(v) === i);

export const CAMPAIGNS_STATE: AddressCodec<CampaignsState> = {
  read: (p) => {
    const sort = p.get('sort') ?? '';
    const size = Number(p.get('size'));
    return {
      name: p.get('name') ?? '',
      statuses: listOf(p.get('status'), CAMPAIGN_STATUSES),
      kinds: listOf(p.get('kind'), CAMPAIGN_KINDS),
      owner: p.get('owner') ?? '',
      topLevel: p.get('top') === '1',
      results: p.get('results') === '1',
      sort: sort in CAMPAIGN_SORTS ? (sort as CampaignSortKey) : 'created-desc',
      pageSize: PAGE_SIZES.includes(size) ? size : 20,
    };
  },
  write: (s) => {
    const p = new URLSearchParams();
    if (s.name) p.set('name', s.name);
    if (s.statuses.length) p.set('status', s.statuses.join(','));
    if (s.kinds.length) p.set('kind', s.kinds.join(','));
    if (s.owner) p.set('owner', s.owner);
    if (s.topLevel) p.set('top', '1');
    if (s.results) p.set('results', '1');
    if (s.sort !== 'created-desc') p.set('sort', s.sort);
    if (s.pageSize !== 20) p.set('size', String(s.pageSize));
    return p;
  },
};

/** The API filter of the campaign list; null for none. */
export function campaignFilterOf(s: CampaignsState): CampaignFilter | null {
  const f: CampaignFilter = {};
  if (s.name.trim()) f.name = { contains: s.name.trim() };
  if (s.statuses.length) f.status = s.statuses;
  if (s.kinds.length) f.kind = s.kinds;
  if (s.owner) f.ownerId = { eq: s.owner };
  if (s.topLevel) f.topLevel = true;
  return Object.keys(f).length ? f : null;
}

/** The sort a click on the campaign table's column `column` asks for (`order` as the table gives it). */
export function campaignSortOf(column: string, order: 'ascend' | 'descend' | null | undefined): CampaignSortKey {
  const keys: Record<string, [CampaignSortKey, CampaignSortKey]> = {
    name: ['name-asc', 'name-desc'],
    starts: ['starts-asc', 'starts-desc'],
    created: ['created-asc', 'created-desc'],
  };
  const k = keys[column];
  if (!k || !order) return 'created-desc';
  return order === 'ascend' ? k[0] : k[1];
}

/** The statuses a campaign in `status` may move to, in the order the page offers them. */
export function nextStatuses(status: CampaignStatus): CampaignStatus[] {
  switch (status) {
    case 'PLANNED':
      return ['ACTIVE', 'CANCELLED'];
    case 'ACTIVE':
      return ['COMPLETED', 'CANCELLED'];
    default:
      return [];
  }
}

/** The plan form's values; dates as `YYYY-MM-DD`, amounts as typed. */
export interface CampaignFormValues {
  name: string;
  code?: string;
  kind: CampaignKind;
  objective?: string;
  parentId?: string | null;
  ownerId?: string | null;
  startsOn?: string | null;
  endsOn?: string | null;
  /** The currency of the budget and the expected revenue. */
  currency: string;
  budget?: string | null;
  expectedRevenue?: string | null;
  expectedResponses?: number | null;
}

const text = (v: string | null | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' ? null : t;
};

const amountText = (v: string | number | null | undefined): string | null => text(v === null || v === undefined ? null : String(v));

/** The form's values for a campaign (a new one's currency: the workspace's). */
export function campaignValuesOf(c: CampaignFieldsFragment, baseCurrency: string): CampaignFormValues {
  return {
    name: c.name,
    code: c.code,
    kind: c.kind,
    objective: c.objective ?? '',
    parentId: c.parentId ?? null,
    ownerId: c.ownerId ?? null,
    startsOn: c.startsOn ?? null,
    endsOn: c.endsOn ?? null,
    currency: c.budget?.currency ?? c.expectedRevenue?.currency ?? baseCurrency,
    budget: c.budget?.amount ?? null,
    expectedRevenue: c.expectedRevenue?.amount ?? null,
    expectedResponses: c.expectedResponses ?? null,
  };
}

function money(amount: string | number | null | undefined, currency: string): { amount: string; currency: string } | null {
  const a = amountText(amount);
  return a === null ? null : { amount: a, currency: currency.trim().toUpperCase() };
}

function planOf(v: CampaignFormValues): CampaignPlanInput {
  return {
    name: v.name.trim(),
    kind: v.kind,
    objective: text(v.objective),
    parentId: v.parentId || null,
    ownerId: v.ownerId || null,
    startsOn: v.startsOn || null,
    endsOn: v.endsOn || null,
    budget: money(v.budget, v.currency),
    expectedRevenue: money(v.expectedRevenue, v.currency),
    expectedResponses: v.expectedResponses ?? null,
  };
}

export function createCampaignInput(v: CampaignFormValues): CreateCampaignInput {
  return { code: text(v.code), plan: planOf(v) };
}

/** The update for what changed between `before` and the form's values (the API changes only the fields given). */
export function updateCampaignInput(before: CampaignFieldsFragment, v: CampaignFormValues): UpdateCampaignInput {
  const next = planOf(v);
  const old = planOf(campaignValuesOf(before, v.currency));
  const plan: CampaignPlanInput = {};
  for (const key of Object.keys(next) as (keyof CampaignPlanInput)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(old[key])) (plan as Record<string, unknown>)[key] = next[key];
  }
  return { id: before.id, version: before.version, plan };
}

/** Where a campaign's API field shows in the plan form (`plan.budget.amount` → `budget`). */
export function campaignFormField(apiField: string): string {
  const parts = apiField.split('.').filter((p) => p !== 'input' && p !== 'plan');
  if ((parts[0] === 'budget' || parts[0] === 'expectedRevenue') && parts[1] === 'currency') return 'currency';
  return parts[0] ?? apiField;
}

// Decimal strings added exactly: scaled to integers of 10^-SCALE.
const SCALE = 6;
function toScaled(amount: string): bigint {
  const negative = amount.trim().startsWith('-');
  const [whole, fraction = ''] = amount.trim().replace(/^[-+]/, '').split('.');
  const n = BigInt(whole || '0') * 10n ** BigInt(SCALE) + BigInt((fraction + '0'.repeat(SCALE)).slice(0, SCALE) || '0');
  return negative ? -n : n;
}
function fromScaled(n: bigint): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const unit = 10n ** BigInt(SCALE);
  const fraction = (abs % unit).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / unit}${fraction ? `.${fraction}` : ''}`;
}

/** The planned and actual cost lines summed per currency, currencies in order of first use. */
export function costTotals(costs: readonly { kind: CampaignCostKind; amount: MoneyLike }[]): Record<CampaignCostKind, MoneyLike[]> {
  const sums: Record<CampaignCostKind, Map<string, bigint>> = { PLANNED: new Map(), ACTUAL: new Map() };
  for (const c of costs) {
    const m = sums[c.kind];
    m.set(c.amount.currency, (m.get(c.amount.currency) ?? 0n) + toScaled(c.amount.amount));
  }
  const list = (m: Map<string, bigint>) => [...m].map(([currency, n]) => ({ amount: fromScaled(n), currency }));
  return { PLANNED: list(sums.PLANNED), ACTUAL: list(sums.ACTUAL) };
}

/** `part` as a share of `whole` (0.42 for 42 %) when both are in one currency and the whole is above zero; null otherwise. */
export function shareOf(part: MoneyLike | null | undefined, whole: MoneyLike | null | undefined): number | null {
  if (!part || !whole || part.currency !== whole.currency) return null;
  const w = Number(whole.amount);
  return w > 0 ? Number(part.amount) / w : null;
}

/** Members per status in the statuses' order, every status present (zero where none). */
export function funnelOf(counts: readonly { status: CampaignMemberStatus; count: number }[]): { status: CampaignMemberStatus; count: number }[] {
  const by = new Map(counts.map((c) => [c.status, c.count]));
  return MEMBER_STATUSES.map((status) => ({ status, count: by.get(status) ?? 0 }));
}

/** A campaign's members: the status shown and the page size, kept in the address. */
export interface CampaignMembersState {
  status: CampaignMemberStatus | '';
  pageSize: number;
  model: AttributionModel;
  windowDays: number;
  includeChildren: boolean;
}

export const WINDOWS = [7, 30, 90, 180, 365];

export const CAMPAIGN_PAGE_STATE: AddressCodec<CampaignMembersState> = {
  read: (p) => {
    const status = p.get('status') ?? '';
    const size = Number(p.get('size'));
    const model = p.get('model') ?? '';
    const windowDays = Number(p.get('window'));
    return {
      status: MEMBER_STATUSES.includes(status as CampaignMemberStatus) ? (status as CampaignMemberStatus) : '',
      pageSize: PAGE_SIZES.includes(size) ? size : 20,
      model: ATTRIBUTION_MODELS.includes(model as AttributionModel) ? (model as AttributionModel) : 'LAST_TOUCH',
      windowDays: WINDOWS.includes(windowDays) ? windowDays : 90,
      includeChildren: p.get('children') !== '0',
    };
  },
  write: (s) => {
    const p = new URLSearchParams();
    if (s.status) p.set('status', s.status);
    if (s.pageSize !== 20) p.set('size', String(s.pageSize));
    if (s.model !== 'LAST_TOUCH') p.set('model', s.model);
    if (s.windowDays !== 90) p.set('window', String(s.windowDays));
    if (!s.includeChildren) p.set('children', '0');
    return p;
  },
};
