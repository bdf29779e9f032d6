-- Back to indexes on the expression (0007, 0016).
DROP INDEX customers_last_interaction_idx;
DROP INDEX customers_region_stage_last_interaction_idx;
ALTER TABLE customers DROP COLUMN last_interaction_key;
CREATE INDEX customers_last_interaction_idx
    ON customers (tenant_id, (COALESCE(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
CREATE INDEX customers_region_stage_last_interaction_idx
    ON customers (tenant_id, region, lifecycle_stage,
                  (COALESCE(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
