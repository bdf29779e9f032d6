-- Service: cases (service requests: inquiries, complaints, suggestions, …)
-- handled against per-priority service levels, with their status history
-- and a satisfaction rating.

-- The service levels of a tenant, per priority: how soon a case must get
-- its first response and be resolved (wall-clock minutes). Priorities
-- without a row use the product defaults.
CREATE TABLE case_service_levels (
    tenant_id              uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    priority               text        NOT NULL CHECK (priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')),
    first_response_minutes integer     NOT NULL CHECK (first_response_minutes BETWEEN 1 AND 525600),
    resolution_minutes     integer     NOT NULL CHECK (resolution_minutes BETWEEN 1 AND 525600),
    updated_by             uuid,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, priority),
    CHECK (resolution_minutes >= first_response_minutes)
);

-- The last case number a tenant handed out (numbers are per tenant, from 1).
CREATE TABLE case_counters (
    tenant_id   uuid   NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_number bigint NOT NULL CHECK (last_number > 0)
);

CREATE TABLE cases (
    tenant_id              uuid        NOT NULL,
    id                     uuid        NOT NULL,
    number                 bigint      NOT NULL CHECK (number > 0),
    version                integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    customer_id            uuid        NOT NULL,
    contact_id             uuid,
    subject                text        NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 300),
    description            text,
    kind                   text        NOT NULL
                           CHECK (kind IN ('INQUIRY', 'COMPLAINT', 'SUGGESTION', 'REQUEST', 'PROBLEM')),
    status                 text        NOT NULL DEFAULT 'NEW'
                           CHECK (status IN ('NEW', 'OPEN', 'PENDING', 'RESOLVED', 'CLOSED')),
    priority               text        NOT NULL DEFAULT 'NORMAL'
                           CHECK (priority IN ('LOW', 'NORMAL', 'HIGH', 'URGENT')),
    channel                text        NOT NULL
                           CHECK (channel IN ('PHONE', 'EMAIL', 'WEB', 'CHAT', 'FAX', 'IN_PERSON', 'SOCIAL', 'SMS', 'OTHER')),
    owner_id               uuid,
    first_response_due_at  timestamptz NOT NULL,
    resolution_due_at      timestamptz NOT NULL,
    first_responded_at     timestamptz,
    resolved_at            timestamptz,
    closed_at              timestamptz,
    resolution             text,
    satisfaction_score     smallint    CHECK (satisfaction_score BETWEEN 1 AND 5),
    satisfaction_comment   text,
    rated_at               timestamptz,
    created_by             uuid,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT cases_number_key UNIQUE (tenant_id, number),
    -- Deleting a customer for good (a tenant's deletion) removes its cases.
    CONSTRAINT cases_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT cases_contact_fkey FOREIGN KEY (tenant_id, contact_id)
        REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    CONSTRAINT cases_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id),
    CONSTRAINT cases_resolved CHECK ((status IN ('RESOLVED', 'CLOSED')) = (resolved_at IS NOT NULL)),
    CONSTRAINT cases_closed CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
    CONSTRAINT cases_rated CHECK ((satisfaction_score IS NULL) = (rated_at IS NULL))
);
-- Lists newest first, a customer's cases, the open queue by due time, an owner's cases.
CREATE INDEX cases_created_idx ON cases (tenant_id, created_at, id);
CREATE INDEX cases_customer_idx ON cases (tenant_id, customer_id, created_at, id);
CREATE INDEX cases_open_due_idx ON cases (tenant_id, resolution_due_at, id)
    WHERE status IN ('NEW', 'OPEN', 'PENDING');
CREATE INDEX cases_owner_idx ON cases (tenant_id, owner_id, created_at, id);

-- What happened to a case: its opening, every status change, assignment and
-- priority change, and its rating; the timeline shows openings and status
-- changes.
CREATE TABLE case_events (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    case_id    uuid        NOT NULL,
    kind       text        NOT NULL
               CHECK (kind IN ('OPENED', 'STATUS_CHANGED', 'PRIORITY_CHANGED', 'ASSIGNED', 'RATED')),
    from_value text,
    to_value   text,
    note       text,
    actor      uuid,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT case_events_case_fkey FOREIGN KEY (tenant_id, case_id)
        REFERENCES cases (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX case_events_case_idx ON case_events (tenant_id, case_id, at, id);

-- Interactions may be about a case (replies, calls, notes).
ALTER TABLE interactions
    ADD COLUMN case_id uuid,
    ADD CONSTRAINT interactions_case_fkey FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id);
CREATE INDEX interactions_case_idx ON interactions (tenant_id, case_id, occurred_at DESC, id DESC)
    WHERE case_id IS NOT NULL;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_service_levels', 'case_counters', 'cases', 'case_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON case_service_levels, case_counters, cases TO crm_app;
-- A case's history is append-only for the server.
GRANT SELECT, INSERT ON case_events TO crm_app;
