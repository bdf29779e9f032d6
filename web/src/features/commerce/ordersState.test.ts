import { describe, expect, it } from 'vitest';
import { orderFilterOf, ORDERS_STATE } from './ordersState';

describe('order list state', () => {
  it('round-trips through the address, dropping what is not valid', () => {
    const s = ORDERS_STATE.read(new URLSearchParams('status=PAID,BOGUS&channel=WEB&currency=eur&from=2026-01-01&to=nope&sort=oldest'));
    expect(s).toEqual({ statuses: ['PAID'], channel: 'WEB', currency: 'EUR', from: '2026-01-01', to: '', oldestFirst: true });
    expect(ORDERS_STATE.write(s).toString()).toBe('status=PAID&channel=WEB&currency=EUR&from=2026-01-01&sort=oldest');
  });
  it('makes the API filter, the last day included', () => {
    expect(orderFilterOf(ORDERS_STATE.read(new URLSearchParams('')))).toBeNull();
    expect(orderFilterOf(ORDERS_STATE.read(new URLSearchParams('status=PLACED&to=2026-02-28')))).toEqual({
      status: { in: ['PLACED'] },
      orderedAt: { lt: '2026-03-01T00:00:00.000Z' },
    });
  });
});
