-- Foundation: global identity tables and the first tenant-owned table.
--
-- Isolation scheme (see DESIGN.md):
--   * every tenant-owned table has `tenant_id uuid not null`, and tenant_id
--     leads its primary key, unique keys and foreign keys;
--   * row-level security is ENABLEd and FORCEd on it with one policy comparing
--     tenant_id to the transaction's `app.tenant_id` setting;
--   * the server logs in as crm_app, which owns nothing and is no superuser.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
        RAISE EXCEPTION 'role crm_app is missing: create it (LOGIN NOSUPERUSER NOBYPASSRLS) before migrating';
    END IF;
END
$$;

-- The tenant of the current transaction, or NULL when none is set. An unset
-- or reset setting reads as '' after a transaction that set it locally, so
-- it is mapped to NULL: "no tenant" then means "no rows", never an error.
CREATE FUNCTION app_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

-- The acting user of the current transaction, or NULL.
CREATE FUNCTION app_current_user() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

-- ---------------------------------------------------------------- global tables
-- Read by the server only through narrow functions (by id, by email, by slug);
-- never listed across tenants.

CREATE TABLE tenants (
    id             uuid        PRIMARY KEY,
    slug           text        NOT NULL UNIQUE
                               CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$'),
    name           text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    base_currency  char(3)     NOT NULL DEFAULT 'USD' CHECK (base_currency ~ '^[A-Z]{3}$'),
    default_locale text        NOT NULL DEFAULT 'en',
    plan           text        NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    email          text        NOT NULL CHECK (email = lower(email)),
    password_hash  text        NOT NULL,
    display_name   text,
    locale         text        NOT NULL DEFAULT 'en',
    last_tenant_id uuid        REFERENCES tenants (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL
               CHECK (role IN ('owner', 'admin', 'manager', 'sales', 'service', 'marketing', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
    tenant_id          uuid        NOT NULL,
    id                 uuid        NOT NULL,
    user_id            uuid        NOT NULL,
    refresh_token_hash bytea       NOT NULL,
    user_agent         text,
    ip                 text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_used_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    revoked_at         timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX sessions_refresh_token_hash_key ON sessions (refresh_token_hash);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);

-- ---------------------------------------------------------------- tenant-owned tables

CREATE TABLE customers (
    tenant_id       uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              uuid        NOT NULL,
    version         integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    kind            text        NOT NULL CHECK (kind IN ('COMPANY', 'PERSON')),
    name            text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email           text,
    phone           text,
    website         text,
    industry        text,
    region          text,
    external_id     text,
    lifecycle_stage text        NOT NULL DEFAULT 'LEAD'
                    CHECK (lifecycle_stage IN ('SUBSCRIBER', 'LEAD', 'PROSPECT', 'OPPORTUNITY',
                                               'CUSTOMER', 'EVANGELIST', 'CHURNED', 'OTHER')),
    owner_id        uuid,
    tags            text[]      NOT NULL DEFAULT '{}',
    custom_fields   jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT customers_external_id_key UNIQUE (tenant_id, external_id),
    -- An owner must be a member of the same tenant; removing the member clears it.
    CONSTRAINT customers_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
-- Keyset pagination: every order ends with id, so each index does too.
CREATE INDEX customers_created_idx ON customers (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_updated_idx ON customers (tenant_id, updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_name_idx ON customers (tenant_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_stage_idx ON customers (tenant_id, lifecycle_stage) WHERE deleted_at IS NULL;
CREATE INDEX customers_owner_idx ON customers (tenant_id, owner_id);
CREATE INDEX customers_tags_idx ON customers USING gin (tags);

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers
    USING (tenant_id = app_current_tenant())
    WITH CHECK (tenant_id = app_current_tenant());

-- ---------------------------------------------------------------- privileges of the server role

GRANT USAGE ON SCHEMA public TO crm_app;
GRANT EXECUTE ON FUNCTION app_current_tenant(), app_current_user() TO crm_app;
GRANT SELECT, INSERT, UPDATE ON tenants, users TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships, sessions TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers TO crm_app;
