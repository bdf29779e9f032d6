-- Tenant-defined fields (on customers; the `object` column leaves room for
-- other records). Values live in each record's `custom_fields`
-- object and are validated against these definitions on every write.

CREATE TABLE custom_field_definitions (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL,
    object     text        NOT NULL CHECK (object IN ('CUSTOMER')),
    key        text        NOT NULL CHECK (key ~ '^[a-z][a-zA-Z0-9_]{0,49}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 100),
    field_type text        NOT NULL CHECK (field_type IN ('TEXT', 'NUMBER', 'DECIMAL', 'DATE', 'BOOLEAN',
                                                          'SINGLE_SELECT', 'MULTI_SELECT', 'MONEY')),
    options    text[]      NOT NULL DEFAULT '{}',
    required   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT custom_field_definitions_key_key UNIQUE (tenant_id, object, key)
);

ALTER TABLE custom_field_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_field_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON custom_field_definitions
    USING (tenant_id = app_current_tenant())
    WITH CHECK (tenant_id = app_current_tenant());

-- Equality, membership and multi-select filters on custom fields compile to
-- JSON containment (`@>`), which this index serves.
CREATE INDEX customers_custom_fields_idx ON customers USING gin (custom_fields jsonb_path_ops);

GRANT SELECT, INSERT, UPDATE, DELETE ON custom_field_definitions TO crm_app;
