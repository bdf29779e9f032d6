-- Rollups on customers, kept up to date in the same transaction as the
-- writes they summarise, so they can be filtered and sorted like any field.

ALTER TABLE customers
    ADD COLUMN contact_count       integer     NOT NULL DEFAULT 0 CHECK (contact_count >= 0),
    ADD COLUMN interaction_count   integer     NOT NULL DEFAULT 0 CHECK (interaction_count >= 0),
    ADD COLUMN open_task_count     integer     NOT NULL DEFAULT 0 CHECK (open_task_count >= 0),
    ADD COLUMN last_interaction_at timestamptz;

-- Sorting by last interaction puts customers never contacted first (ascending).
CREATE INDEX customers_last_interaction_idx
    ON customers (tenant_id, (COALESCE(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
CREATE INDEX customers_interaction_count_idx ON customers (tenant_id, interaction_count, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_email_idx ON contacts (tenant_id, lower(email)) WHERE deleted_at IS NULL;
