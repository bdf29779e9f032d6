-- Campaign steps: scheduled activities of a campaign (an email, an event
-- invitation, a call list for the customers' owners), run by the worker of
-- any node once due and once the campaign is ACTIVE, with what each step
-- did per member, so a step taken up again after a crash never reaches a
-- member twice.

CREATE TABLE campaign_steps (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    campaign_id   uuid        NOT NULL,
    version       integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    kind          text        NOT NULL CHECK (kind IN ('EMAIL', 'CALL_LIST', 'EVENT_INVITATION')),
    scheduled_at  timestamptz NOT NULL,
    status        text        NOT NULL DEFAULT 'SCHEDULED'
                  CHECK (status IN ('SCHEDULED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED')),
    -- Messages queued or tasks made, and members passed over (no email,
    -- unsubscribed or bounced).
    sent_count    integer     NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
    skipped_count integer     NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
    -- Runs begun; a RUNNING step whose lease ran out is taken up again.
    attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    leased_until  timestamptz,
    error         text,
    started_at    timestamptz,
    finished_at   timestamptz,
    created_by    uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT campaign_steps_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_steps_campaign_idx ON campaign_steps (tenant_id, campaign_id, scheduled_at, id);
-- What the worker looks for, across tenants.
CREATE INDEX campaign_steps_due_idx ON campaign_steps (scheduled_at) WHERE status IN ('SCHEDULED', 'RUNNING');

-- The text of an email or invitation step, one per language; `{{...}}`
-- merge fields are filled per member when the step runs.
CREATE TABLE campaign_step_texts (
    tenant_id uuid NOT NULL,
    step_id   uuid NOT NULL,
    language  text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    subject   text NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 300),
    body      text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    PRIMARY KEY (tenant_id, step_id, language),
    CONSTRAINT campaign_step_texts_step_fkey FOREIGN KEY (tenant_id, step_id)
        REFERENCES campaign_steps (tenant_id, id) ON DELETE CASCADE
);

-- One row per step and member: the message queued, the task made, or why
-- the member was passed over. Its key is what makes a run idempotent.
CREATE TABLE campaign_step_deliveries (
    tenant_id      uuid        NOT NULL,
    step_id        uuid        NOT NULL,
    customer_id    uuid        NOT NULL,
    outcome        text        NOT NULL CHECK (outcome IN ('SENT', 'TASK', 'SKIPPED')),
    message_id     uuid,
    interaction_id uuid,
    at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, step_id, customer_id),
    CONSTRAINT campaign_step_deliveries_step_fkey FOREIGN KEY (tenant_id, step_id)
        REFERENCES campaign_steps (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT campaign_step_deliveries_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_step_deliveries_customer_idx ON campaign_step_deliveries (tenant_id, customer_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaign_steps', 'campaign_step_texts', 'campaign_step_deliveries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;
-- The step worker claims due steps of every tenant through the function
-- below, which runs as the owner role: only that role gets these second
-- policies, and crm_app cannot assume it.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY step_worker ON campaign_steps TO %I USING (true) WITH CHECK (true)',
                   current_user);
    EXECUTE format('CREATE POLICY step_worker ON campaigns FOR SELECT TO %I USING (true)', current_user);
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON campaign_steps, campaign_step_texts, campaign_step_deliveries TO crm_app;

-- Claims due steps of every tenant for one worker: scheduled steps whose
-- time has come and running steps whose lease ran out (their node
-- stopped), of ACTIVE campaigns only. `FOR UPDATE SKIP LOCKED` lets
-- several nodes claim at once without taking one step twice. Runs as the
-- owner role, like claim_outbound_messages, because crm_app sees only the
-- tenant it has set.
CREATE FUNCTION claim_campaign_steps(max_count integer, lease interval)
    RETURNS TABLE (tenant_id uuid, id uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
    AS $$
        UPDATE public.campaign_steps s
           SET status = 'RUNNING', leased_until = now() + lease, attempts = s.attempts + 1,
               started_at = coalesce(s.started_at, now())
         WHERE (s.tenant_id, s.id) IN (
                   SELECT st.tenant_id, st.id
                     FROM public.campaign_steps st
                     JOIN public.campaigns c ON c.tenant_id = st.tenant_id AND c.id = st.campaign_id
                    WHERE st.scheduled_at <= now()
                      AND (st.status = 'SCHEDULED' OR (st.status = 'RUNNING' AND st.leased_until < now()))
                      AND c.status = 'ACTIVE'
                    ORDER BY st.scheduled_at
                    LIMIT max_count
                      FOR UPDATE OF st SKIP LOCKED)
        RETURNING s.tenant_id, s.id
    $$;
REVOKE ALL ON FUNCTION claim_campaign_steps(integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_campaign_steps(integer, interval) TO crm_app;
