ALTER TABLE customers RESET (fillfactor);
CREATE INDEX IF NOT EXISTS customers_order_count_idx ON customers (tenant_id, order_count, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS customers_order_total_idx ON customers (tenant_id, order_total, id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS customers_last_order_idx
    ON customers (tenant_id, (COALESCE(last_order_at, '0001-01-01 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
