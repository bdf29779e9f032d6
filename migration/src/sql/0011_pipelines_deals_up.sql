-- Pipelines, deals, leads and the domain-event outbox.
--
-- A pipeline is an ordered list of stages; each stage has a win probability
-- and a kind: OPEN (still being worked), WON or LOST. A deal sits in one
-- stage of one pipeline; every move is kept in `deal_stage_history` with the
-- time it entered and left the stage. Leads are converted into a customer, a
-- contact and optionally a deal, and keep the links for reporting.
-- `domain_events` is the transactional outbox: rows are written in the same
-- transaction as the change they describe, for later delivery.

CREATE TABLE pipelines (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid        NOT NULL,
    version    integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    name       text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    is_default boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT pipelines_name_key UNIQUE (tenant_id, name)
);
-- At most one default pipeline per tenant.
CREATE UNIQUE INDEX pipelines_default_key ON pipelines (tenant_id) WHERE is_default;

CREATE TABLE pipeline_stages (
    tenant_id         uuid         NOT NULL,
    id                uuid         NOT NULL,
    pipeline_id       uuid         NOT NULL,
    name              text         NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    -- 1 for the first stage; reordering rewrites positions in one statement.
    position          integer      NOT NULL CHECK (position > 0),
    -- Percent chance that a deal in this stage is won, 0 to 100.
    probability       numeric(5,2) NOT NULL CHECK (probability BETWEEN 0 AND 100),
    kind              text         NOT NULL CHECK (kind IN ('OPEN', 'WON', 'LOST')),
    -- Which forecast figure open deals in this stage count towards.
    forecast_category text         NOT NULL DEFAULT 'PIPELINE'
                      CHECK (forecast_category IN ('PIPELINE', 'BEST_CASE', 'COMMIT')),
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    -- Lets deals reference (pipeline, stage) so a deal's stage is always of its pipeline.
    CONSTRAINT pipeline_stages_pipeline_stage_key UNIQUE (tenant_id, pipeline_id, id),
    CONSTRAINT pipeline_stages_position_key UNIQUE (tenant_id, pipeline_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT pipeline_stages_name_key UNIQUE (tenant_id, pipeline_id, name),
    CONSTRAINT pipeline_stages_pipeline_fkey FOREIGN KEY (tenant_id, pipeline_id)
        REFERENCES pipelines (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE deals (
    tenant_id           uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                  uuid          NOT NULL,
    version             integer       NOT NULL DEFAULT 1 CHECK (version > 0),
    name                text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    customer_id         uuid          NOT NULL,
    pipeline_id         uuid          NOT NULL,
    stage_id            uuid          NOT NULL,
    owner_id            uuid,
    amount              numeric(20,4) NOT NULL CHECK (amount >= 0),
    currency            text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- `amount` in the tenant's base currency at the rate in force on the
    -- expected close date (or the day of the write), set on every write.
    amount_base         numeric(30,4) NOT NULL,
    expected_close_date date,
    -- The kind of the current stage, kept here for filters and rollups.
    status              text          NOT NULL CHECK (status IN ('OPEN', 'WON', 'LOST')),
    -- Why it was won or lost (required when lost).
    close_reason        text          CHECK (length(close_reason) <= 1000),
    closed_at           timestamptz,
    stage_entered_at    timestamptz   NOT NULL DEFAULT now(),
    created_by          uuid,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT deals_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT deals_stage_fkey FOREIGN KEY (tenant_id, pipeline_id, stage_id)
        REFERENCES pipeline_stages (tenant_id, pipeline_id, id),
    CONSTRAINT deals_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id),
    CONSTRAINT deals_closed_status CHECK ((status = 'OPEN') = (closed_at IS NULL))
);
CREATE INDEX deals_customer_idx ON deals (tenant_id, customer_id, created_at DESC, id DESC);
CREATE INDEX deals_created_idx ON deals (tenant_id, created_at, id);
CREATE INDEX deals_close_idx ON deals (tenant_id, expected_close_date, id);
CREATE INDEX deals_amount_idx ON deals (tenant_id, amount_base, id);
CREATE INDEX deals_stage_idx ON deals (tenant_id, stage_id);
CREATE INDEX deals_owner_idx ON deals (tenant_id, owner_id);

-- The people on the customer's side of a deal, each in a role.
CREATE TABLE deal_contacts (
    tenant_id  uuid NOT NULL,
    deal_id    uuid NOT NULL,
    contact_id uuid NOT NULL,
    role       text CHECK (length(btrim(role)) BETWEEN 1 AND 100),
    PRIMARY KEY (tenant_id, deal_id, contact_id),
    CONSTRAINT deal_contacts_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT deal_contacts_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deal_contacts_contact_idx ON deal_contacts (tenant_id, contact_id);

-- Products the deal is about, priced like order lines.
CREATE TABLE deal_lines (
    tenant_id        uuid          NOT NULL,
    deal_id          uuid          NOT NULL,
    line_no          integer       NOT NULL CHECK (line_no > 0),
    product_id       uuid          NOT NULL,
    quantity         numeric(18,4) NOT NULL CHECK (quantity > 0),
    unit_price       numeric(20,4) NOT NULL CHECK (unit_price >= 0),
    discount_percent numeric(7,4)  NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
    net_amount       numeric(30,4) NOT NULL CHECK (net_amount >= 0),
    PRIMARY KEY (tenant_id, deal_id, line_no),
    CONSTRAINT deal_lines_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT deal_lines_product_fkey FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX deal_lines_product_idx ON deal_lines (tenant_id, product_id);

-- Every stage a deal has been in: entered, left (NULL while it is there).
CREATE TABLE deal_stage_history (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    deal_id    uuid        NOT NULL,
    -- No foreign key: the history outlives a deleted stage, whose name is kept.
    stage_id   uuid        NOT NULL,
    stage_name text        NOT NULL,
    -- The stage it came from; NULL for the stage it was created in.
    from_stage_id uuid,
    entered_at timestamptz NOT NULL,
    left_at    timestamptz CHECK (left_at >= entered_at),
    moved_by   uuid,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT deal_stage_history_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX deal_stage_history_deal_idx ON deal_stage_history (tenant_id, deal_id, entered_at, id);
CREATE INDEX deal_stage_history_stage_idx ON deal_stage_history (tenant_id, stage_id);

CREATE TABLE leads (
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid        NOT NULL,
    version       integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    name          text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    company       text,
    email         text,
    phone         text,
    source        text,
    channel       text,
    campaign      text,
    status        text        NOT NULL DEFAULT 'NEW'
                  CHECK (status IN ('NEW', 'QUALIFIED', 'DISQUALIFIED', 'CONVERTED')),
    status_reason text,
    owner_id      uuid,
    -- Set on conversion: what the lead became.
    customer_id   uuid,
    contact_id    uuid,
    deal_id       uuid,
    converted_at  timestamptz,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT leads_customer_fkey FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT leads_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE SET NULL (contact_id),
    CONSTRAINT leads_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id),
    CONSTRAINT leads_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id),
    CONSTRAINT leads_converted CHECK ((status = 'CONVERTED') = (customer_id IS NOT NULL))
);
CREATE INDEX leads_created_idx ON leads (tenant_id, created_at, id);
CREATE INDEX leads_customer_idx ON leads (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

-- The transactional outbox of business events.
CREATE TABLE domain_events (
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid        NOT NULL,
    kind           text        NOT NULL,
    aggregate_type text        NOT NULL,
    aggregate_id   uuid        NOT NULL,
    payload        jsonb       NOT NULL DEFAULT '{}',
    actor          uuid,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX domain_events_occurred_idx ON domain_events (tenant_id, occurred_at DESC, id DESC);

-- Interactions may be about a deal.
ALTER TABLE interactions
    ADD COLUMN deal_id uuid,
    ADD CONSTRAINT interactions_deal_fkey FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id);
CREATE INDEX interactions_deal_idx ON interactions (tenant_id, deal_id, occurred_at DESC, id DESC)
    WHERE deal_id IS NOT NULL;

-- Deal rollups on customers, kept in the writing transaction.
ALTER TABLE customers
    ADD COLUMN open_deal_count  integer       NOT NULL DEFAULT 0 CHECK (open_deal_count >= 0),
    ADD COLUMN open_deal_amount numeric(30,4) NOT NULL DEFAULT 0;
CREATE INDEX customers_open_deal_amount_idx ON customers (tenant_id, open_deal_amount, id) WHERE deleted_at IS NULL;

-- Every existing tenant gets the default pipeline (before RLS is forced on
-- the new tables, since migrations set no tenant).
INSERT INTO pipelines (tenant_id, id, name, is_default)
SELECT id, gen_random_uuid(), 'Sales', true FROM tenants;
INSERT INTO pipeline_stages (tenant_id, id, pipeline_id, name, position, probability, kind, forecast_category)
SELECT p.tenant_id, gen_random_uuid(), p.id, s.name, s.position, s.probability, s.kind, s.category
  FROM pipelines p
 CROSS JOIN (VALUES ('Qualification', 1, 10, 'OPEN', 'PIPELINE'),
                    ('Needs analysis', 2, 25, 'OPEN', 'PIPELINE'),
                    ('Proposal', 3, 50, 'OPEN', 'BEST_CASE'),
                    ('Negotiation', 4, 75, 'OPEN', 'COMMIT'),
                    ('Won', 5, 100, 'WON', 'COMMIT'),
                    ('Lost', 6, 0, 'LOST', 'PIPELINE')) AS s (name, position, probability, kind, category);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['pipelines', 'pipeline_stages', 'deals', 'deal_contacts', 'deal_lines',
                             'deal_stage_history', 'leads', 'domain_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE
    ON pipelines, pipeline_stages, deals, deal_contacts, deal_lines, deal_stage_history, leads TO crm_app;
-- The outbox is append-only for the server.
GRANT SELECT, INSERT ON domain_events TO crm_app;
