-- Customer value analytics: per-tenant settings, the runs that compute the
-- figures (one active at a time per tenant), and each customer's stored
-- results. Results are replaced as a whole by one transaction per run, so
-- readers see the previous run's figures or the new ones, never a mix.

-- How a tenant's customer value is computed; absent row = the defaults.
CREATE TABLE customer_value_settings (
    tenant_id               uuid         NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Value tiers by cumulative revenue share: A takes the first share, B the
    -- next, C the rest (80/15/5 by default).
    tier_a_share            numeric(5,4) NOT NULL DEFAULT 0.80 CHECK (tier_a_share > 0 AND tier_a_share <= 1),
    tier_b_share            numeric(5,4) NOT NULL DEFAULT 0.15 CHECK (tier_b_share >= 0 AND tier_b_share <= 1),
    -- Months of the prediction horizon (expected purchases, CLV, potential value).
    horizon_months          integer      NOT NULL DEFAULT 12 CHECK (horizon_months BETWEEN 1 AND 120),
    -- Yearly rate future value is discounted at (0.10 = 10 %).
    annual_discount_rate    numeric(6,4) NOT NULL DEFAULT 0.10 CHECK (annual_discount_rate BETWEEN 0 AND 1),
    -- Scheduled recomputes: on, and how many hours apart.
    schedule_enabled        boolean      NOT NULL DEFAULT true,
    schedule_interval_hours integer      NOT NULL DEFAULT 24 CHECK (schedule_interval_hours BETWEEN 1 AND 8760),
    version                 integer      NOT NULL DEFAULT 1 CHECK (version > 0),
    updated_at              timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    CONSTRAINT customer_value_settings_shares CHECK (tier_a_share + tier_b_share <= 1)
);

-- One computation of a tenant's customer value: queued, running (with its
-- progress and a heartbeat), then succeeded or failed. Model parameters,
-- fit diagnostics and the Pareto figures of the run are kept with it.
CREATE TABLE analytics_runs (
    tenant_id                 uuid             NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                        uuid             NOT NULL,
    kind                      text             NOT NULL DEFAULT 'CUSTOMER_VALUE' CHECK (kind IN ('CUSTOMER_VALUE')),
    trigger                   text             NOT NULL CHECK (trigger IN ('MANUAL', 'SCHEDULE')),
    status                    text             NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    progress                  double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    stage                     text,
    requested_by              uuid,
    created_at                timestamptz      NOT NULL DEFAULT now(),
    started_at                timestamptz,
    heartbeat_at              timestamptz,
    finished_at               timestamptz,
    error                     text,
    -- The moment purchase history was read (the analysis date).
    as_of                     timestamptz,
    base_currency             text,
    -- Settings used.
    tier_a_share              numeric(5,4),
    tier_b_share              numeric(5,4),
    horizon_months            integer,
    annual_discount_rate      numeric(6,4),
    -- Input counts.
    customers_scored          integer,
    orders_used               bigint,
    orders_without_rate       bigint,
    total_revenue             numeric(30,4),
    -- BG/NBD fit (time unit: days).
    bgnbd_r                   double precision,
    bgnbd_alpha               double precision,
    bgnbd_a                   double precision,
    bgnbd_b                   double precision,
    bgnbd_log_likelihood      double precision,
    bgnbd_iterations          integer,
    bgnbd_converged           boolean,
    -- Gamma-Gamma fit (currency: the base currency).
    gamma_gamma_p             double precision,
    gamma_gamma_q             double precision,
    gamma_gamma_v             double precision,
    gamma_gamma_log_likelihood double precision,
    gamma_gamma_iterations    integer,
    gamma_gamma_converged     boolean,
    gamma_gamma_customers     integer,
    -- Why a model could not be fitted (the run still scores RFM and tiers).
    fit_error                 text,
    -- Pareto curve (101 points: customer share 0, 0.01, …, 1) and headline figures.
    pareto_curve              jsonb,
    top_20_revenue_share      double precision,
    customers_for_80_share    double precision,
    customers_for_80_count    integer,
    read_ms                   integer,
    fit_ms                    integer,
    write_ms                  integer,
    PRIMARY KEY (tenant_id, id)
);
-- One queued or running run per tenant and kind: what makes "one at a time"
-- hold across server nodes.
CREATE UNIQUE INDEX analytics_runs_one_active ON analytics_runs (tenant_id, kind)
    WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX analytics_runs_created_idx ON analytics_runs (tenant_id, created_at, id);
CREATE INDEX analytics_runs_queued_idx ON analytics_runs (created_at) WHERE status IN ('QUEUED', 'RUNNING');

-- One customer's figures from the latest successful run (customers with at
-- least one purchase). Money is in the run's base currency.
CREATE TABLE customer_values (
    tenant_id               uuid             NOT NULL,
    customer_id             uuid             NOT NULL,
    run_id                  uuid             NOT NULL,
    computed_at             timestamptz      NOT NULL,
    currency                text             NOT NULL,
    first_purchase_at       timestamptz      NOT NULL,
    last_purchase_at        timestamptz      NOT NULL,
    order_count             integer          NOT NULL,
    -- Repeat purchases: days with an order after the first such day.
    frequency               integer          NOT NULL,
    -- Days since the last purchase, and since the first (tenure), at computed_at.
    recency_days            integer          NOT NULL,
    tenure_days             integer          NOT NULL,
    monetary_avg            numeric(30,4)    NOT NULL,
    monetary_total          numeric(30,4)    NOT NULL,
    r_score                 smallint         NOT NULL CHECK (r_score BETWEEN 1 AND 5),
    f_score                 smallint         NOT NULL CHECK (f_score BETWEEN 1 AND 5),
    m_score                 smallint         NOT NULL CHECK (m_score BETWEEN 1 AND 5),
    rfm_score               text             NOT NULL,
    segment                 text             NOT NULL,
    tier                    text             CHECK (tier IN ('A', 'B', 'C')),
    -- Mean days between purchases (null before a repeat purchase).
    purchase_interval_days  double precision,
    probability_alive       double precision,
    expected_purchases_12m  double precision,
    expected_purchases      double precision,
    clv_12m                 numeric(30,4),
    clv                     numeric(30,4),
    potential_value         numeric(30,4),
    churn_risk              double precision,
    PRIMARY KEY (tenant_id, customer_id),
    CONSTRAINT customer_values_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
-- Filters and sorts of `customers` on value fields.
CREATE INDEX customer_values_tier_idx ON customer_values (tenant_id, tier);
CREATE INDEX customer_values_segment_idx ON customer_values (tenant_id, segment);
CREATE INDEX customer_values_clv_idx ON customer_values (tenant_id, clv_12m);
CREATE INDEX customer_values_churn_idx ON customer_values (tenant_id, churn_risk);
CREATE INDEX customer_values_total_idx ON customer_values (tenant_id, monetary_total);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_value_settings', 'analytics_runs', 'customer_values'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON customer_value_settings, analytics_runs, customer_values TO crm_app;

-- Background workers look across tenants only through the two functions
-- below, which run as the owner role: only that role gets these second
-- policies, and crm_app cannot assume it.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY analytics_worker ON analytics_runs TO %I USING (true) WITH CHECK (true)',
                   current_user);
    EXECUTE format('CREATE POLICY analytics_worker ON customer_value_settings TO %I USING (true)',
                   current_user);
END
$$;

-- Runs whose node stopped sending heartbeats for `lease` are marked failed;
-- then the queued runs, oldest first (tenant and id only).
CREATE FUNCTION queued_analytics_runs(max_count integer, lease interval)
    RETURNS TABLE (tenant_id uuid, id uuid)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
BEGIN
    UPDATE analytics_runs r
       SET status = 'FAILED', finished_at = now(),
           error = 'the server running it stopped before it finished'
     WHERE r.status = 'RUNNING' AND r.heartbeat_at < now() - lease;
    RETURN QUERY
        SELECT r.tenant_id, r.id FROM analytics_runs r
         WHERE r.status = 'QUEUED'
         ORDER BY r.created_at
         LIMIT max_count;
END
$$;
REVOKE ALL ON FUNCTION queued_analytics_runs(integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION queued_analytics_runs(integer, interval) TO crm_app;

-- Tenants whose scheduled recompute is due: scheduling on, no active run,
-- the last run (or the tenant's creation) older than the interval, and some
-- orders (looked up in each tenant's own row-level security context).
CREATE FUNCTION due_customer_value_tenants(max_count integer)
    RETURNS SETOF uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
    AS $$
DECLARE
    t record;
    found integer := 0;
BEGIN
    FOR t IN
        SELECT te.id
          FROM tenants te
          LEFT JOIN customer_value_settings s ON s.tenant_id = te.id
         WHERE coalesce(s.schedule_enabled, true)
           AND NOT EXISTS (SELECT 1 FROM analytics_runs r
                            WHERE r.tenant_id = te.id AND r.status IN ('QUEUED', 'RUNNING'))
           AND coalesce((SELECT max(r.created_at) FROM analytics_runs r WHERE r.tenant_id = te.id),
                        te.created_at)
               <= now() - make_interval(hours => coalesce(s.schedule_interval_hours, 24))
    LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        IF EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = t.id) THEN
            RETURN NEXT t.id;
            found := found + 1;
            EXIT WHEN found >= max_count;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$$;
REVOKE ALL ON FUNCTION due_customer_value_tenants(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION due_customer_value_tenants(integer) TO crm_app;
