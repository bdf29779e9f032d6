-- Marketing segments: saved groups of customers. A dynamic segment is
-- defined by a customer filter and its membership is kept current as
-- customers change; a static list holds the customers put in it.

CREATE TABLE segments (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid        NOT NULL,
    version      integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    name         text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description  text        CHECK (description IS NULL OR length(description) <= 2000),
    kind         text        NOT NULL CHECK (kind IN ('DYNAMIC', 'STATIC')),
    -- Dynamic segments: the filter as the API took it (shown back to
    -- clients) and as the server evaluates it.
    definition   jsonb,
    condition    jsonb,
    owner_id     uuid,
    created_by   uuid,
    refreshed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT segments_definition CHECK ((kind = 'DYNAMIC') = (condition IS NOT NULL AND definition IS NOT NULL)),
    CONSTRAINT segments_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id)
);
-- Names are unique in a workspace, ignoring case.
CREATE UNIQUE INDEX segments_name_key ON segments (tenant_id, lower(name));
-- The dynamic segments kept current on every customer write.
CREATE INDEX segments_dynamic_idx ON segments (tenant_id, id) WHERE kind = 'DYNAMIC';

-- Who is in a segment now. Deleting a customer for good removes it.
CREATE TABLE segment_members (
    tenant_id   uuid        NOT NULL,
    segment_id  uuid        NOT NULL,
    customer_id uuid        NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, segment_id, customer_id),
    CONSTRAINT segment_members_segment_fkey FOREIGN KEY (tenant_id, segment_id)
        REFERENCES segments (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT segment_members_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
-- A customer's segments.
CREATE INDEX segment_members_customer_idx ON segment_members (tenant_id, customer_id);

-- A segment's size at the end of each day (the last count taken that day).
CREATE TABLE segment_sizes (
    tenant_id  uuid   NOT NULL,
    segment_id uuid   NOT NULL,
    day        date   NOT NULL,
    size       bigint NOT NULL CHECK (size >= 0),
    PRIMARY KEY (tenant_id, segment_id, day),
    CONSTRAINT segment_sizes_segment_fkey FOREIGN KEY (tenant_id, segment_id)
        REFERENCES segments (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['segments', 'segment_members', 'segment_sizes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
    -- The hourly count of every tenant's segment sizes runs through the
    -- function below, as the owner role: only that role gets these second
    -- policies, and crm_app cannot assume it.
    EXECUTE format('CREATE POLICY size_counter ON segments FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY size_counter ON segment_members FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY size_counter ON segment_sizes TO %I USING (true) WITH CHECK (true)',
                   current_user);
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON segments, segment_members, segment_sizes TO crm_app;

-- Records today's size of every segment of every tenant (the last count of
-- a day stands for that day). Runs as the owner role, like
-- count_waiting_outbound_messages, because crm_app sees only the tenant it
-- has set; returns how many segments were counted.
CREATE FUNCTION record_segment_sizes()
    RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
    AS $$
        WITH counted AS (
            INSERT INTO public.segment_sizes (tenant_id, segment_id, day, size)
            SELECT s.tenant_id, s.id, current_date, count(m.customer_id)
              FROM public.segments s
              LEFT JOIN public.segment_members m
                     ON m.tenant_id = s.tenant_id AND m.segment_id = s.id
             GROUP BY s.tenant_id, s.id
            ON CONFLICT (tenant_id, segment_id, day) DO UPDATE SET size = EXCLUDED.size
            RETURNING 1
        )
        SELECT count(*) FROM counted
    $$;
REVOKE ALL ON FUNCTION record_segment_sizes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_segment_sizes() TO crm_app;
