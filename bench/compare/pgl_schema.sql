-- The aggregate shape for PostGraphile. The project has no SQL view of its
-- `analyze` facts (it assembles the SQL in api/src/domain/analytics/analyze.rs),
-- so this view, used by PostGraphile only, restates that SQL for order lines:
-- the same joins and conditions (orders not CANCELLED/REFUNDED, customer not
-- deleted, lines with their product), the owner's region (memberships.region_id
-- -> regions.name, the project's REGION dimension), the order's channel, and
-- the line's net amount in the tenant's base currency at the rate in force on
-- the order's UTC date, rounded to the base currency's minor units
-- (analytics::in_base_currency). The order's currency and the customer's own
-- region are there to group by as well. security_invoker: row-level security
-- of the tables applies to the caller (crm_app + app.tenant_id).
-- Run as the owner role; kept out of `public` so the project's schema is untouched.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS pgl_bench;
GRANT USAGE ON SCHEMA pgl_bench TO crm_app;
DROP VIEW IF EXISTS pgl_bench.order_line_facts;
CREATE VIEW pgl_bench.order_line_facts WITH (security_invoker = true) AS
SELECT o.tenant_id,
       o.id AS order_id,
       l.line_no,
       o.customer_id,
       o.channel,
       o.currency,
       rg.name AS region,
       c.region AS customer_region,
       CASE WHEN o.currency = t.base_currency THEN round(l.net_amount, mu.minor)
            ELSE round(l.net_amount * (SELECT e.rate FROM exchange_rates e
                                        WHERE e.tenant_id = o.tenant_id AND e.currency = o.currency
                                          AND e.valid_from <= (o.ordered_at AT TIME ZONE 'UTC')::date
                                        ORDER BY e.valid_from DESC LIMIT 1), mu.minor) END AS revenue
  FROM orders o
  JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
  JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
  JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
  JOIN tenants t ON t.id = o.tenant_id
  CROSS JOIN LATERAL (SELECT CASE WHEN t.base_currency IN ('BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW',
                                                           'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF') THEN 0
                                  WHEN t.base_currency IN ('BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND') THEN 3
                                  ELSE 2 END AS minor) mu
  LEFT JOIN memberships m ON m.tenant_id = c.tenant_id AND m.user_id = c.owner_id
  LEFT JOIN regions rg ON rg.tenant_id = m.tenant_id AND rg.id = m.region_id
 WHERE o.status NOT IN ('CANCELLED', 'REFUNDED')
   AND c.deleted_at IS NULL;
GRANT SELECT ON pgl_bench.order_line_facts TO crm_app;
