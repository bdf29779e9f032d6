DROP INDEX IF EXISTS orders_currency_idx;
DROP INDEX IF EXISTS customers_last_order_idx;
DROP INDEX IF EXISTS customers_order_total_idx;
DROP INDEX IF EXISTS customers_order_count_idx;
ALTER TABLE customers
    DROP COLUMN IF EXISTS order_count,
    DROP COLUMN IF EXISTS order_total,
    DROP COLUMN IF EXISTS last_order_at;
