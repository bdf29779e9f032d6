// The order list's filters and sort, kept in the address.
import type { OrderFilter, OrderStatus, SalesChannel } from '../../gql/graphql';
import type { AddressCodec } from '../../lib/addressState';
import { dayRange, isDay } from '../../lib/dayRange';

export const ORDER_STATUSES: OrderStatus[] = ['PLACED', 'PAID', 'SHIPPED', 'CANCELLED', 'REFUNDED'] as OrderStatus[];
export const CHANNELS: SalesChannel[] = ['DIRECT', 'PARTNER', 'RETAIL', 'WEB'] as SalesChannel[];

/** Where an order may go from its status (placed → paid → shipped; placed → cancelled; paid or shipped → refunded). */
export const NEXT_STATUSES: Record<string, OrderStatus[]> = {
  PLACED: ['PAID', 'CANCELLED'] as OrderStatus[],
  PAID: ['SHIPPED', 'REFUNDED'] as OrderStatus[],
  SHIPPED: ['REFUNDED'] as OrderStatus[],
  CANCELLED: [],
  REFUNDED: [],
};

export interface OrdersState {
  statuses: OrderStatus[];
  channel: SalesChannel | '';
  currency: string;
  from: string;
  to: string;
  oldestFirst: boolean;
}

export const ORDERS_STATE: AddressCodec<OrdersState> = {
  read: (p) => {
    const date = (v: string | null) => (isDay(v) ? v : '');
    const channel = p.get('channel') ?? '';
    return {
      statuses: (p.get('status') ?? '').split(',').filter((s): s is OrderStatus => ORDER_STATUSES.includes(s as OrderStatus)),
      channel: CHANNELS.includes(channel as SalesChannel) ? (channel as SalesChannel) : '',
      currency: (p.get('currency') ?? '').toUpperCase().slice(0, 3),
      from: date(p.get('from')),
      to: date(p.get('to')),
      oldestFirst: p.get('sort') === 'oldest',
    };
  },
  write: (s) => {
    const p = new URLSearchParams();
    if (s.statuses.length) p.set('status', s.statuses.join(','));
    if (s.channel) p.set('channel', s.channel);
    if (s.currency) p.set('currency', s.currency);
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
    if (s.oldestFirst) p.set('sort', 'oldest');
    return p;
  },
};

/** The API filter; `to` is a whole day (orders before the next day's start, UTC). */
export function orderFilterOf(s: OrdersState): OrderFilter | null {
  const f: OrderFilter = {};
  if (s.statuses.length) f.status = { in: s.statuses };
  if (s.channel) f.channel = { eq: s.channel };
  if (s.currency) f.currency = { eq: s.currency };
  const orderedAt = dayRange(s.from, s.to);
  if (orderedAt) f.orderedAt = orderedAt;
  return Object.keys(f).length ? f : null;
}
