-- The aggregate shape's answer, from the records: group keys (in the order of
-- the GraphQL queries: the customer's region, the order's currency), order
-- count, revenue in the base currency (USD). Runs as the owner role with the
-- tenant set.
SELECT c.region, o.currency, count(DISTINCT o.id),
       sum(CASE WHEN o.currency = 'USD' THEN round(l.net_amount, 2) ELSE round(l.net_amount * (
           SELECT e.rate FROM exchange_rates e WHERE e.tenant_id = o.tenant_id AND e.currency = o.currency
              AND e.valid_from <= (o.ordered_at AT TIME ZONE 'UTC')::date ORDER BY e.valid_from DESC LIMIT 1), 2) END)
  FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
  JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
 WHERE o.status NOT IN ('CANCELLED', 'REFUNDED') AND c.deleted_at IS NULL
 GROUP BY 1, 2;
