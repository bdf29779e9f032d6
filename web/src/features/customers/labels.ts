import type { CustomerKind, LifecycleStage, ValueTier } from '../../gql/graphql';

export const STAGES: LifecycleStage[] = [
  'SUBSCRIBER',
  'LEAD',
  'PROSPECT',
  'OPPORTUNITY',
  'CUSTOMER',
  'EVANGELIST',
  'CHURNED',
  'OTHER',
];

export const KINDS: CustomerKind[] = ['COMPANY', 'PERSON'];

export const TIERS: ValueTier[] = ['A', 'B', 'C'];

// Dark enough for white text (WCAG AA contrast).
export const STAGE_COLORS: Record<LifecycleStage, string> = {
  SUBSCRIBER: '#595959',
  LEAD: '#0958d9',
  PROSPECT: '#006d75',
  OPPORTUNITY: '#531dab',
  CUSTOMER: '#237804',
  EVANGELIST: '#ad4e00',
  CHURNED: '#a8071a',
  OTHER: '#595959',
};
