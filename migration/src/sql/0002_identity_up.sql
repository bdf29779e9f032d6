-- Identity and partner access: organisation units, invitations, outgoing
-- messages, API keys, refresh-token reuse detection and the audit log.

-- ---------------------------------------------------------------- organisation units (tenant-owned)

CREATE TABLE teams (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL,
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    parent_id  uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT teams_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES teams (tenant_id, id),
    CONSTRAINT teams_name_key UNIQUE NULLS NOT DISTINCT (tenant_id, parent_id, name),
    CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE regions (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL,
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT regions_name_key UNIQUE (tenant_id, name)
);

ALTER TABLE memberships
    ADD COLUMN team_id   uuid,
    ADD COLUMN region_id uuid,
    ADD CONSTRAINT memberships_team_fkey FOREIGN KEY (tenant_id, team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id),
    ADD CONSTRAINT memberships_region_fkey FOREIGN KEY (tenant_id, region_id)
        REFERENCES regions (tenant_id, id) ON DELETE SET NULL (region_id);

-- ---------------------------------------------------------------- invitations and outgoing messages (tenant-owned)

CREATE TABLE invitations (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL,
    email       text        NOT NULL CHECK (email = lower(email)),
    role        text        NOT NULL
                CHECK (role IN ('owner', 'admin', 'manager', 'sales', 'service', 'marketing', 'viewer')),
    team_id     uuid,
    token_hash  bytea       NOT NULL,
    invited_by  uuid        NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid        REFERENCES users (id),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT invitations_token_key UNIQUE (tenant_id, token_hash),
    CONSTRAINT invitations_team_fkey FOREIGN KEY (tenant_id, team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id)
);

-- Messages to people outside the product (invitations, ...). A worker
-- delivers them by SMTP when configured, else prints them (development).
CREATE TABLE outbound_messages (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid        NOT NULL,
    kind            text        NOT NULL,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'printed', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbound_messages_due_idx ON outbound_messages (next_attempt_at) WHERE status = 'pending';

-- ---------------------------------------------------------------- audit log (tenant-owned, append-only)

CREATE TABLE audit_events (
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid        NOT NULL,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    action           text        NOT NULL,
    actor_user_id    uuid,
    actor_api_key_id uuid,
    target_type      text,
    target_id        text,
    ip               text,
    user_agent       text,
    details          jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (tenant_id, action, occurred_at DESC);

-- ---------------------------------------------------------------- global tables (narrow functions only)

-- API keys: looked up by their public prefix before the tenant is known.
CREATE TABLE api_keys (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL,
    name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    prefix       text        NOT NULL,
    secret_hash  bytea       NOT NULL,
    scopes       text[]      NOT NULL,
    created_by   uuid        NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
);

-- Refresh tokens that were rotated away: presenting one again means it was
-- stolen or replayed, and revokes its whole session.
CREATE TABLE rotated_refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    session_id uuid        NOT NULL,
    rotated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, session_id) REFERENCES sessions (tenant_id, id) ON DELETE CASCADE
);

-- ---------------------------------------------------------------- row-level security

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['teams', 'regions', 'invitations', 'outbound_messages', 'audit_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
    -- The delivery worker claims due messages of every tenant through the
    -- function below, which runs as the owner role: only that role gets
    -- this second policy, and crm_app cannot assume it.
    EXECUTE format('CREATE POLICY delivery_worker ON outbound_messages TO %I USING (true) WITH CHECK (true)',
                   current_user);
END
$$;

-- Claims up to `max_count` due messages of any tenant for delivery, leasing
-- them for `lease` so that other workers skip them meanwhile.
CREATE FUNCTION claim_outbound_messages(max_count integer, lease interval)
    RETURNS SETOF outbound_messages
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
        UPDATE outbound_messages m
           SET next_attempt_at = now() + lease, attempts = m.attempts + 1
         WHERE (m.tenant_id, m.id) IN (
                   SELECT tenant_id, id FROM outbound_messages
                    WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at
                    LIMIT max_count
                      FOR UPDATE SKIP LOCKED)
        RETURNING m.*
    $$;
REVOKE ALL ON FUNCTION claim_outbound_messages(integer, interval) FROM PUBLIC;

-- ---------------------------------------------------------------- privileges of the server role

GRANT EXECUTE ON FUNCTION claim_outbound_messages(integer, interval) TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON teams, regions, invitations TO crm_app;
GRANT SELECT, INSERT, UPDATE ON outbound_messages, api_keys TO crm_app;
GRANT SELECT, INSERT ON audit_events TO crm_app;
GRANT SELECT, INSERT, DELETE ON rotated_refresh_tokens TO crm_app;
