CREATE INDEX IF NOT EXISTS customer_changes_field_idx
    ON customer_changes (tenant_id, customer_id, field, changed_at DESC, id DESC);
