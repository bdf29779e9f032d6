// What can be done with a lead, by its status (the API's rules).
import type { LeadStatus } from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';

export type LeadAction = 'qualify' | 'disqualify' | 'convert';

export const LEAD_STATUSES: LeadStatus[] = ['NEW', 'QUALIFIED', 'DISQUALIFIED', 'CONVERTED'];

export const LEAD_STATUS_COLORS: Record<LeadStatus, string> = {
  NEW: '#0958d9',
  QUALIFIED: '#237804',
  DISQUALIFIED: '#595959',
  CONVERTED: '#531dab',
};

/** A converted lead is final; otherwise it may change status and be converted. */
export function leadActions(status: LeadStatus): LeadAction[] {
  switch (status) {
    case 'NEW':
      return ['qualify', 'disqualify', 'convert'];
    case 'QUALIFIED':
      return ['disqualify', 'convert'];
    case 'DISQUALIFIED':
      return ['qualify', 'convert'];
    case 'CONVERTED':
      return [];
  }
}

export interface LeadListState {
  statuses: LeadStatus[];
}

export const LEAD_LIST_STATE: AddressCodec<LeadListState> = {
  read: (p) => ({
    statuses: (p.get('status') ?? '').split(',').filter((s): s is LeadStatus => LEAD_STATUSES.includes(s as LeadStatus)),
  }),
  write: (s) => {
    const p = new URLSearchParams();
    if (s.statuses.length) p.set('status', s.statuses.join(','));
    return p;
  },
};

/** The deal a conversion opens, from the form's values; null when none is wanted. */
export function conversionDeal(
  values: { withDeal?: boolean; dealName?: string; amount?: string; currency?: string },
  fallbackCurrency: string,
): { name: string | null; amount: string | null; currency: string } | null {
  if (!values.withDeal) return null;
  const amount = (values.amount ?? '').trim();
  return {
    name: values.dealName?.trim() || null,
    amount: amount === '' ? null : amount,
    currency: (values.currency?.trim() || fallbackCurrency).toUpperCase(),
  };
}
