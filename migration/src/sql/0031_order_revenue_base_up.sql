-- Each order's revenue in the workspace's base currency: its lines' net
-- amounts, each converted at the rate in force on the order's UTC date and
-- rounded to the base currency's minor units; NULL while no rate is in
-- force. Kept by the server as orders are written and rates set, so that
-- analyses without product detail read orders instead of converting every
-- order line.
ALTER TABLE orders ADD COLUMN revenue_base numeric;

-- Existing orders (the table's row-level security is lifted for this one
-- transaction: migrations set no tenant).
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
ALTER TABLE order_lines NO FORCE ROW LEVEL SECURITY;
ALTER TABLE exchange_rates NO FORCE ROW LEVEL SECURITY;
UPDATE orders o
   SET revenue_base = s.revenue
  FROM (SELECT o.tenant_id, o.id,
               sum(CASE WHEN o.currency = t.base_currency THEN round(l.net_amount, m.minor)
                        ELSE round(l.net_amount * r.rate, m.minor) END) AS revenue
          FROM orders o
          JOIN tenants t ON t.id = o.tenant_id
          JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
          CROSS JOIN LATERAL (SELECT CASE
                   WHEN t.base_currency IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW',
                                            'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0
                   WHEN t.base_currency IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3
                   ELSE 2 END AS minor) m
          LEFT JOIN LATERAL (SELECT e.rate FROM exchange_rates e
                              WHERE e.tenant_id = o.tenant_id AND e.currency = o.currency
                                AND e.valid_from <= (o.ordered_at AT TIME ZONE 'UTC')::date
                              ORDER BY e.valid_from DESC LIMIT 1) r ON true
         GROUP BY o.tenant_id, o.id) s
 WHERE s.tenant_id = o.tenant_id AND s.id = o.id;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
ALTER TABLE order_lines FORCE ROW LEVEL SECURITY;
ALTER TABLE exchange_rates FORCE ROW LEVEL SECURITY;
