-- Contacts (people at a customer) and interactions (every call, email,
-- meeting, note, task, chat, fax or visit with a customer).

CREATE TABLE contacts (
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                uuid        NOT NULL,
    customer_id       uuid        NOT NULL,
    version           integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    name              text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    title             text,
    email             text,
    phone             text,
    preferred_channel text        CHECK (preferred_channel IN
                                  ('EMAIL', 'PHONE', 'SMS', 'CHAT', 'FAX', 'MAIL', 'IN_PERSON')),
    language          text,
    created_by        uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT contacts_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX contacts_customer_idx ON contacts (tenant_id, customer_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE interactions (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid        NOT NULL,
    customer_id      uuid        NOT NULL,
    contact_id       uuid,
    kind             text        NOT NULL
                     CHECK (kind IN ('CALL', 'EMAIL', 'MEETING', 'NOTE', 'TASK', 'CHAT', 'FAX', 'VISIT', 'SMS')),
    direction        text        NOT NULL DEFAULT 'INTERNAL' CHECK (direction IN ('INBOUND', 'OUTBOUND', 'INTERNAL')),
    channel          text,
    subject          text,
    body             text,
    occurred_at      timestamptz NOT NULL,
    duration_seconds integer     CHECK (duration_seconds >= 0),
    due_at           timestamptz,
    completed_at     timestamptz,
    logged_by        uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT interactions_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT interactions_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);
-- Newest first per customer, the order every reader wants.
CREATE INDEX interactions_customer_idx ON interactions (tenant_id, customer_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_open_tasks_idx ON interactions (tenant_id, due_at) WHERE kind = 'TASK' AND completed_at IS NULL;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contacts', 'interactions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON contacts, interactions TO crm_app;
