-- Marketing campaigns: planned, budgeted and run towards an audience of
-- customers (segments taken when the campaign starts, and customers added
-- one by one), with planned and actual costs; orders and leads reference
-- the campaign that brought them.

CREATE TABLE campaigns (
    tenant_id          uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid          NOT NULL,
    version            integer       NOT NULL DEFAULT 1 CHECK (version > 0),
    -- What orders, leads and imports name the campaign by (the text their
    -- `campaign` field holds); it never changes.
    code               text          NOT NULL CHECK (length(btrim(code)) BETWEEN 1 AND 200),
    name               text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind               text          NOT NULL DEFAULT 'OTHER'
                       CHECK (kind IN ('EMAIL', 'SMS', 'PHONE', 'EVENT', 'WEBINAR', 'DIRECT_MAIL',
                                       'ADVERTISING', 'SOCIAL', 'OTHER')),
    objective          text          CHECK (objective IS NULL OR length(objective) <= 2000),
    status             text          NOT NULL DEFAULT 'PLANNED'
                       CHECK (status IN ('PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED')),
    parent_id          uuid,
    owner_id           uuid,
    team_id            uuid,
    region_id          uuid,
    starts_on          date,
    ends_on            date,
    -- Budget and expected revenue, in `currency`.
    currency           text          CHECK (currency ~ '^[A-Z]{3}$'),
    budget             numeric(30,4) CHECK (budget >= 0),
    expected_revenue   numeric(30,4) CHECK (expected_revenue >= 0),
    expected_responses integer       CHECK (expected_responses >= 0),
    started_at         timestamptz,
    completed_at       timestamptz,
    created_by         uuid,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT campaigns_code_key UNIQUE (tenant_id, code),
    CONSTRAINT campaigns_schedule CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT campaigns_money CHECK ((budget IS NULL AND expected_revenue IS NULL) OR currency IS NOT NULL),
    CONSTRAINT campaigns_not_own_parent CHECK (parent_id IS DISTINCT FROM id),
    CONSTRAINT campaigns_parent_fkey FOREIGN KEY (tenant_id, parent_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT campaigns_owner_fkey FOREIGN KEY (tenant_id, owner_id)
        REFERENCES memberships (tenant_id, user_id) ON DELETE SET NULL (owner_id),
    CONSTRAINT campaigns_team_fkey FOREIGN KEY (tenant_id, team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id),
    CONSTRAINT campaigns_region_fkey FOREIGN KEY (tenant_id, region_id)
        REFERENCES regions (tenant_id, id) ON DELETE SET NULL (region_id)
);
CREATE INDEX campaigns_parent_idx ON campaigns (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX campaigns_created_idx ON campaigns (tenant_id, created_at, id);

-- Planned and actual costs of a campaign.
CREATE TABLE campaign_costs (
    tenant_id   uuid          NOT NULL,
    id          uuid          NOT NULL,
    campaign_id uuid          NOT NULL,
    kind        text          NOT NULL CHECK (kind IN ('PLANNED', 'ACTUAL')),
    category    text          NOT NULL CHECK (length(btrim(category)) BETWEEN 1 AND 100),
    amount      numeric(30,4) NOT NULL CHECK (amount >= 0),
    currency    text          NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    incurred_on date          NOT NULL,
    note        text          CHECK (note IS NULL OR length(note) <= 2000),
    created_by  uuid,
    created_at  timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT campaign_costs_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_costs_campaign_idx ON campaign_costs (tenant_id, campaign_id, incurred_on, id);

-- The segments whose members a campaign targets, taken when it starts.
CREATE TABLE campaign_audiences (
    tenant_id   uuid NOT NULL,
    campaign_id uuid NOT NULL,
    segment_id  uuid NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, segment_id),
    CONSTRAINT campaign_audiences_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_audiences_segment_fkey FOREIGN KEY (tenant_id, segment_id)
        REFERENCES segments (tenant_id, id) ON DELETE CASCADE
);

-- The customers a campaign targets and how far each got. `touched_at`:
-- when the campaign first reached the customer (a status past TARGETED
-- other than BOUNCED), the time attribution counts from.
CREATE TABLE campaign_members (
    tenant_id         uuid        NOT NULL,
    campaign_id       uuid        NOT NULL,
    customer_id       uuid        NOT NULL,
    status            text        NOT NULL DEFAULT 'TARGETED'
                      CHECK (status IN ('TARGETED', 'SENT', 'DELIVERED', 'OPENED', 'CLICKED', 'RESPONDED',
                                        'CONVERTED', 'UNSUBSCRIBED', 'BOUNCED')),
    source_segment_id uuid,
    added_at          timestamptz NOT NULL DEFAULT now(),
    status_at         timestamptz NOT NULL DEFAULT now(),
    touched_at        timestamptz,
    PRIMARY KEY (tenant_id, campaign_id, customer_id),
    CONSTRAINT campaign_members_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_members_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_members_segment_fkey FOREIGN KEY (tenant_id, source_segment_id)
        REFERENCES segments (tenant_id, id) ON DELETE SET NULL (source_segment_id)
);
-- A customer's touches, for attribution.
CREATE INDEX campaign_members_customer_idx ON campaign_members (tenant_id, customer_id, touched_at)
    WHERE touched_at IS NOT NULL;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_costs', 'campaign_audiences', 'campaign_members'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns, campaign_costs, campaign_audiences, campaign_members TO crm_app;

-- Orders and leads reference their campaign. The `campaign` text they
-- carry is its code: a code no campaign has yet starts one (kind OTHER,
-- ACTIVE) in the same tenant, so integrations that send free text keep
-- working and every order and lead of a campaign is found by reference.
ALTER TABLE orders
    ADD COLUMN campaign_id uuid,
    ADD CONSTRAINT orders_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (campaign_id);
CREATE INDEX orders_campaign_id_idx ON orders (tenant_id, campaign_id) WHERE campaign_id IS NOT NULL;
ALTER TABLE leads
    ADD COLUMN campaign_id uuid,
    ADD CONSTRAINT leads_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (campaign_id);
CREATE INDEX leads_campaign_id_idx ON leads (tenant_id, campaign_id) WHERE campaign_id IS NOT NULL;

CREATE FUNCTION campaign_of_code() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF NEW.campaign IS NULL THEN
        NEW.campaign_id := NULL;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.campaign = OLD.campaign AND NEW.campaign_id IS NOT NULL THEN
        RETURN NEW;
    END IF;
    INSERT INTO public.campaigns (tenant_id, id, code, name, kind, status, started_at)
    VALUES (NEW.tenant_id, gen_random_uuid(), NEW.campaign, NEW.campaign, 'OTHER', 'ACTIVE', now())
    ON CONFLICT (tenant_id, code) DO NOTHING;
    SELECT c.id INTO NEW.campaign_id
      FROM public.campaigns c
     WHERE c.tenant_id = NEW.tenant_id AND c.code = NEW.campaign;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_campaign BEFORE INSERT OR UPDATE OF campaign ON orders
    FOR EACH ROW EXECUTE FUNCTION campaign_of_code();
CREATE TRIGGER leads_campaign BEFORE INSERT OR UPDATE OF campaign ON leads
    FOR EACH ROW EXECUTE FUNCTION campaign_of_code();

-- Existing campaign texts become campaigns (the tables' row-level
-- security is lifted for this one transaction: migrations set no tenant).
ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;
ALTER TABLE leads NO FORCE ROW LEVEL SECURITY;
ALTER TABLE campaigns NO FORCE ROW LEVEL SECURITY;
INSERT INTO campaigns (tenant_id, id, code, name, kind, status, started_at)
SELECT DISTINCT tenant_id, gen_random_uuid(), campaign, campaign, 'OTHER', 'ACTIVE', now()
  FROM (SELECT tenant_id, campaign FROM orders WHERE campaign IS NOT NULL
        UNION SELECT tenant_id, campaign FROM leads WHERE campaign IS NOT NULL) used
ON CONFLICT (tenant_id, code) DO NOTHING;
UPDATE orders o SET campaign_id = c.id
  FROM campaigns c WHERE c.tenant_id = o.tenant_id AND c.code = o.campaign AND o.campaign IS NOT NULL;
UPDATE leads l SET campaign_id = c.id
  FROM campaigns c WHERE c.tenant_id = l.tenant_id AND c.code = l.campaign AND l.campaign IS NOT NULL;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
ALTER TABLE leads FORCE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
