-- Field history of customers: who changed which field from what to what,
-- and when. One row per changed field; the rows one write produced share a
-- change_set_id. Written by the server in the same transaction as the change
-- (api/src/domain/customer_history.rs), never changed afterwards: the server
-- role may only read and append.

CREATE TABLE customer_changes (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid        NOT NULL,
    customer_id   uuid        NOT NULL,
    -- Every row one write produced carries the same change_set_id.
    change_set_id uuid        NOT NULL,
    action        text        NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE')),
    -- The field as the API spells it (`lifecycleStage`, `ownerId`, `deletedAt`, ...).
    field         text        NOT NULL,
    -- JSON as the API shows the value; NULL when the field had no value.
    old_value     jsonb,
    new_value     jsonb,
    -- The customer's version after the change.
    version       integer     NOT NULL CHECK (version > 0),
    changed_at    timestamptz NOT NULL,
    changed_by    uuid,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT customer_changes_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id),
    CHECK (old_value IS DISTINCT FROM new_value)
);
-- A record's history, newest first; and one field's history.
CREATE INDEX customer_changes_customer_idx
    ON customer_changes (tenant_id, customer_id, changed_at DESC, id DESC);
CREATE INDEX customer_changes_field_idx
    ON customer_changes (tenant_id, customer_id, field, changed_at DESC, id DESC);
-- The changes a customer's timeline shows (stage and owner changes, deletes
-- and restores), so the timeline never wades through other field edits. The
-- predicate is repeated verbatim in api/src/domain/timeline.rs.
CREATE INDEX customer_changes_timeline_idx
    ON customer_changes (tenant_id, customer_id, changed_at DESC, id DESC)
    WHERE action IN ('DELETE', 'RESTORE')
       OR (action = 'UPDATE' AND field IN ('lifecycleStage', 'ownerId'));

ALTER TABLE customer_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_changes
    USING (tenant_id = app_current_tenant())
    WITH CHECK (tenant_id = app_current_tenant());

-- Append-only for the server: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON customer_changes TO crm_app;
