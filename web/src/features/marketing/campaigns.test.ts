import { describe, expect, it } from 'vitest';
import type { CampaignFieldsFragment } from '../../gql/graphql';
import {
  CAMPAIGN_PAGE_STATE,
  campaignFilterOf,
  campaignFormField,
  campaignSortOf,
  CAMPAIGNS_STATE,
  campaignValuesOf,
  costTotals,
  createCampaignInput,
  funnelOf,
  nextStatuses,
  shareOf,
  updateCampaignInput,
} from './campaigns';

const campaign = (over: Partial<CampaignFieldsFragment> = {}): CampaignFieldsFragment =>
  ({
    id: 'c1',
    version: 3,
    code: 'spring-mail',
    name: 'Spring mail',
    kind: 'EMAIL',
    status: 'PLANNED',
    parentId: null,
    ownerId: 'u1',
    owner: null,
    startsOn: '2026-03-01',
    endsOn: null,
    budget: { amount: '5000', currency: 'EUR' },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    objective: null,
    parent: null,
    children: [],
    expectedRevenue: null,
    expectedResponses: 40,
    startedAt: null,
    completedAt: null,
    audience: [],
    costs: [],
    ...over,
  }) as unknown as CampaignFieldsFragment;

describe('campaign list state', () => {
  it('reads and writes the address, dropping unknown values', () => {
    const s = CAMPAIGNS_STATE.read(new URLSearchParams('status=ACTIVE,BOGUS,ACTIVE&kind=EMAIL,SMS&owner=u1&top=1&results=1&sort=name-asc&size=50'));
    expect(s).toEqual({ name: '', statuses: ['ACTIVE'], kinds: ['EMAIL', 'SMS'], owner: 'u1', topLevel: true, results: true, sort: 'name-asc', pageSize: 50 });
    expect(CAMPAIGNS_STATE.write(s).toString()).toBe('status=ACTIVE&kind=EMAIL%2CSMS&owner=u1&top=1&results=1&sort=name-asc&size=50');
    expect(CAMPAIGNS_STATE.write(CAMPAIGNS_STATE.read(new URLSearchParams('sort=nope&size=7'))).toString()).toBe('');
  });

  it('filters on what is set', () => {
    const s = CAMPAIGNS_STATE.read(new URLSearchParams(''));
    expect(campaignFilterOf(s)).toBeNull();
    expect(campaignFilterOf({ ...s, name: ' spring ', statuses: ['PLANNED'], kinds: ['EVENT'], owner: 'u2', topLevel: true })).toEqual({
      name: { contains: 'spring' },
      status: ['PLANNED'],
      kind: ['EVENT'],
      ownerId: { eq: 'u2' },
      topLevel: true,
    });
  });

  it('sorts by the clicked column', () => {
    expect(campaignSortOf('name', 'descend')).toBe('name-desc');
    expect(campaignSortOf('starts', 'ascend')).toBe('starts-asc');
    expect(campaignSortOf('name', null)).toBe('created-desc');
    expect(campaignSortOf('owner', 'ascend')).toBe('created-desc');
  });
});

describe('campaign page state', () => {
  it('keeps the results model and window, and the members status', () => {
    const s = CAMPAIGN_PAGE_STATE.read(new URLSearchParams('model=LINEAR&window=30&children=0&status=SENT'));
    expect(s).toEqual({ status: 'SENT', pageSize: 20, model: 'LINEAR', windowDays: 30, includeChildren: false });
    expect(CAMPAIGN_PAGE_STATE.write(s).toString()).toBe('status=SENT&model=LINEAR&window=30&children=0');
    expect(CAMPAIGN_PAGE_STATE.read(new URLSearchParams('model=X&window=5')).windowDays).toBe(90);
  });
});

describe('status moves', () => {
  it('follows planned, active, completed, with cancel before completion', () => {
    expect(nextStatuses('PLANNED')).toEqual(['ACTIVE', 'CANCELLED']);
    expect(nextStatuses('ACTIVE')).toEqual(['COMPLETED', 'CANCELLED']);
    expect(nextStatuses('COMPLETED')).toEqual([]);
    expect(nextStatuses('CANCELLED')).toEqual([]);
  });
});

describe('plan form', () => {
  it('creates with money in one currency and blanks left out', () => {
    expect(
      createCampaignInput({ name: ' Spring ', code: '', kind: 'EMAIL', currency: 'eur', budget: '1200.50', expectedRevenue: '', objective: ' ', expectedResponses: 10 }),
    ).toEqual({
      code: null,
      plan: {
        name: 'Spring',
        kind: 'EMAIL',
        objective: null,
        parentId: null,
        ownerId: null,
        startsOn: null,
        endsOn: null,
        budget: { amount: '1200.50', currency: 'EUR' },
        expectedRevenue: null,
        expectedResponses: 10,
      },
    });
  });

  it('updates only what changed, null clearing', () => {
    const before = campaign();
    const values = campaignValuesOf(before, 'USD');
    expect(values.currency).toBe('EUR');
    expect(updateCampaignInput(before, values)).toEqual({ id: 'c1', version: 3, plan: {} });
    expect(updateCampaignInput(before, { ...values, name: 'Spring mail 2', budget: null, endsOn: '2026-04-01' })).toEqual({
      id: 'c1',
      version: 3,
      plan: { name: 'Spring mail 2', budget: null, endsOn: '2026-04-01' },
    });
    // A new currency changes the money given.
    expect(updateCampaignInput(before, { ...values, currency: 'USD' }).plan).toEqual({ budget: { amount: '5000', currency: 'USD' } });
  });

  it('puts API fields on form fields', () => {
    expect(campaignFormField('plan.budget.amount')).toBe('budget');
    expect(campaignFormField('input.plan.budget.currency')).toBe('currency');
    expect(campaignFormField('expectedRevenue.currency')).toBe('currency');
    expect(campaignFormField('code')).toBe('code');
    expect(campaignFormField('plan.endsOn')).toBe('endsOn');
  });
});

describe('figures', () => {
  it('sums cost lines per kind and currency exactly', () => {
    const totals = costTotals([
      { kind: 'PLANNED', amount: { amount: '0.1', currency: 'EUR' } },
      { kind: 'PLANNED', amount: { amount: '0.2', currency: 'EUR' } },
      { kind: 'ACTUAL', amount: { amount: '100', currency: 'USD' } },
      { kind: 'ACTUAL', amount: { amount: '-20.005', currency: 'USD' } },
      { kind: 'ACTUAL', amount: { amount: '7', currency: 'EUR' } },
    ]);
    expect(totals.PLANNED).toEqual([{ amount: '0.3', currency: 'EUR' }]);
    expect(totals.ACTUAL).toEqual([
      { amount: '79.995', currency: 'USD' },
      { amount: '7', currency: 'EUR' },
    ]);
  });

  it('gives a share only within one currency', () => {
    expect(shareOf({ amount: '250', currency: 'EUR' }, { amount: '1000', currency: 'EUR' })).toBe(0.25);
    expect(shareOf({ amount: '250', currency: 'USD' }, { amount: '1000', currency: 'EUR' })).toBeNull();
    expect(shareOf({ amount: '250', currency: 'EUR' }, { amount: '0', currency: 'EUR' })).toBeNull();
    expect(shareOf(null, { amount: '10', currency: 'EUR' })).toBeNull();
  });

  it('lists every member status in order', () => {
    const f = funnelOf([
      { status: 'OPENED', count: 2 },
      { status: 'TARGETED', count: 5 },
    ]);
    expect(f.map((x) => x.status)[0]).toBe('TARGETED');
    expect(f.find((x) => x.status === 'OPENED')?.count).toBe(2);
    expect(f.find((x) => x.status === 'SENT')?.count).toBe(0);
    expect(f).toHaveLength(9);
  });
});
