-- Events for every area and their delivery to partners' webhooks.
--
-- `domain_events` gains the version of its payload's schema and the id of
-- the transaction that wrote it (`txid`): a pull consumer reads events in
-- `(txid, id)` order, and only those of transactions older than every one
-- still running, so an event committed late can never land before a cursor
-- a consumer already holds.
--
-- A webhook endpoint subscribes to event kinds. When events are written, a
-- statement-level trigger queues one delivery per event and subscribed,
-- enabled endpoint in the same transaction, so a committed event always has
-- its deliveries. Workers on every node claim due deliveries with
-- `FOR UPDATE SKIP LOCKED` and log each attempt.

ALTER TABLE domain_events
    ADD COLUMN payload_version smallint NOT NULL DEFAULT 1 CHECK (payload_version > 0),
    ADD COLUMN txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX domain_events_feed_idx ON domain_events (tenant_id, txid, id);
-- Retention: the oldest events of every tenant are pruned by age.
CREATE INDEX domain_events_age_idx ON domain_events (occurred_at);

CREATE TABLE webhook_endpoints (
    tenant_id            uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                   uuid        NOT NULL,
    version              integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    url                  text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description          text        CHECK (description IS NULL OR length(description) <= 500),
    event_kinds          text[]      NOT NULL CHECK (cardinality(event_kinds) > 0),
    -- The signing key (base64 of its bytes, without `whsec_`), and the one
    -- it replaced while that still signs (rotation overlap).
    secret               text        NOT NULL,
    previous_secret      text,
    previous_secret_until timestamptz,
    enabled              boolean     NOT NULL DEFAULT true,
    -- Why a disabled endpoint is disabled: `MANUAL` or `FAILING`.
    disabled_reason      text        CHECK (disabled_reason IN ('MANUAL', 'FAILING')),
    disabled_at          timestamptz,
    -- Since when every attempt failed (null after a success), and the
    -- last success: an endpoint with no success during a dead delivery's
    -- whole series of attempts failed throughout and is disabled.
    failing_since        timestamptz,
    last_success_at      timestamptz,
    created_by           uuid,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_endpoints_disabled CHECK (enabled = (disabled_reason IS NULL)),
    CONSTRAINT webhook_endpoints_overlap CHECK ((previous_secret IS NULL) = (previous_secret_until IS NULL))
);

CREATE TABLE webhook_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    endpoint_id     uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    -- PENDING (due at next_attempt_at), SUCCEEDED, or DEAD (retries spent).
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'DEAD')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- When the current series of attempts began and its first attempt's
    -- number (a redelivery starts a new series; retries count within it).
    series_started_at timestamptz NOT NULL DEFAULT now(),
    series_first_attempt integer NOT NULL DEFAULT 1 CHECK (series_first_attempt > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_deliveries_event_key UNIQUE (tenant_id, endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id)
        REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_event_fkey FOREIGN KEY (tenant_id, event_id)
        REFERENCES domain_events (tenant_id, id) ON DELETE CASCADE
);
-- What the workers claim: due deliveries of every tenant.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (tenant_id, event_id);

CREATE TABLE webhook_attempts (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL DEFAULT gen_random_uuid(),
    delivery_id   uuid        NOT NULL,
    endpoint_id   uuid        NOT NULL,
    event_id      uuid        NOT NULL,
    event_kind    text        NOT NULL,
    attempt       integer     NOT NULL CHECK (attempt > 0),
    attempted_at  timestamptz NOT NULL,
    succeeded     boolean     NOT NULL,
    status_code   integer,
    latency_ms    integer     NOT NULL CHECK (latency_ms >= 0),
    -- The start of the answer (at most 1,000 characters), or why there was none.
    response_body text,
    error         text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_attempts_delivery_fkey FOREIGN KEY (tenant_id, delivery_id)
        REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);
-- An endpoint's delivery log, newest first.
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (tenant_id, endpoint_id, attempted_at DESC, id DESC);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
    -- The delivery workers and the retention pruner work across tenants
    -- through the functions below, as the owner role: only that role gets
    -- these second policies, and crm_app cannot assume it.
    EXECUTE format('CREATE POLICY delivery_worker ON webhook_endpoints TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY delivery_worker ON webhook_deliveries TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY delivery_worker ON webhook_attempts TO %I USING (true) WITH CHECK (true)', current_user);
    EXECUTE format('CREATE POLICY delivery_worker ON domain_events FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY retention ON domain_events FOR DELETE TO %I USING (true)', current_user);
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_deliveries, webhook_attempts TO crm_app;

-- Queues the deliveries of the events a statement wrote, to every enabled
-- endpoint of their tenant subscribed to their kind. Runs as the writer
-- (row-level security applies), once per statement, so a bulk write of
-- events costs one insert here too.
CREATE FUNCTION queue_webhook_deliveries() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    INSERT INTO public.webhook_deliveries (tenant_id, endpoint_id, event_id)
    SELECT e.tenant_id, w.id, e.id
      FROM new_events e
      JOIN public.webhook_endpoints w
        ON w.tenant_id = e.tenant_id AND w.enabled AND e.kind = ANY (w.event_kinds);
    RETURN NULL;
END
$$;
CREATE TRIGGER domain_events_webhooks AFTER INSERT ON domain_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION queue_webhook_deliveries();

-- Claims up to `max_count` due deliveries of any tenant for one attempt
-- each: the attempt number moves on and the delivery is not due again until
-- `lease` has passed (another node retries it then if this one stopped).
-- Returns what the attempt needs: the endpoint's address and keys and the
-- event. Deliveries of disabled endpoints wait.
CREATE FUNCTION claim_webhook_deliveries(max_count integer, lease interval)
    RETURNS TABLE (tenant_id uuid, delivery_id uuid, attempt integer, series_first_attempt integer,
                   series_started_at timestamptz, endpoint_id uuid, url text, secret text, previous_secret text,
                   previous_secret_until timestamptz, event_id uuid, kind text,
                   payload_version smallint, aggregate_type text, aggregate_id uuid,
                   actor uuid, payload jsonb, occurred_at timestamptz)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
        WITH claimed AS (
            UPDATE public.webhook_deliveries d
               SET attempts = d.attempts + 1, next_attempt_at = now() + lease, updated_at = now()
             WHERE (d.tenant_id, d.id) IN (
                       SELECT q.tenant_id, q.id
                         FROM public.webhook_deliveries q
                         JOIN public.webhook_endpoints w
                           ON w.tenant_id = q.tenant_id AND w.id = q.endpoint_id AND w.enabled
                        WHERE q.status = 'PENDING' AND q.next_attempt_at <= now()
                        ORDER BY q.next_attempt_at
                        LIMIT max_count
                          FOR UPDATE OF q SKIP LOCKED)
            RETURNING d.tenant_id, d.id, d.attempts, d.series_first_attempt, d.series_started_at,
                      d.endpoint_id, d.event_id
        )
        SELECT c.tenant_id, c.id, c.attempts, c.series_first_attempt, c.series_started_at, w.id, w.url, w.secret,
               w.previous_secret, w.previous_secret_until, e.id, e.kind, e.payload_version,
               e.aggregate_type, e.aggregate_id, e.actor, e.payload, e.occurred_at
          FROM claimed c
          JOIN public.webhook_endpoints w ON w.tenant_id = c.tenant_id AND w.id = c.endpoint_id
          JOIN public.domain_events e ON e.tenant_id = c.tenant_id AND e.id = c.event_id
    $$;
REVOKE ALL ON FUNCTION claim_webhook_deliveries(integer, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION claim_webhook_deliveries(integer, interval) TO crm_app;

-- Records the outcome of claimed attempts, one array element per attempt
-- (no status code is 0, no body or error is '': arrays carry no nulls):
-- the attempt's log entry, and the delivery's new state (SUCCEEDED, DEAD,
-- or PENDING again at `next_at`). An outcome whose attempt is no longer the
-- delivery's current one (its lease ran out and another node took it) only
-- adds its log entry. Endpoints with a success stop failing; those with a
-- failure start failing if they were not. Returns the deliveries that went
-- DEAD, with their endpoint and series start, for the disabling rule.
CREATE FUNCTION record_webhook_attempts(
        in_tenants uuid[], in_deliveries uuid[], in_endpoints uuid[], in_attempts integer[],
        in_attempted_ats timestamptz[], in_succeeded boolean[], in_codes integer[],
        in_latencies integer[], in_bodies text[], in_errors text[], in_statuses text[], in_next_ats timestamptz[])
    RETURNS TABLE (tenant_id uuid, endpoint_id uuid, delivery_id uuid, series_started_at timestamptz)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO public.webhook_attempts (tenant_id, delivery_id, endpoint_id, event_id, event_kind, attempt,
                                         attempted_at, succeeded, status_code, latency_ms, response_body, error)
    SELECT u.t, u.d, u.e, d.event_id, ev.kind, u.a, u.at, u.ok, NULLIF(u.code, 0), u.ms,
           NULLIF(u.body, ''), NULLIF(u.error, '')
      FROM unnest(in_tenants, in_deliveries, in_endpoints, in_attempts, in_attempted_ats,
                  in_succeeded, in_codes, in_latencies, in_bodies, in_errors)
           AS u(t, d, e, a, at, ok, code, ms, body, error)
      JOIN public.webhook_deliveries d ON d.tenant_id = u.t AND d.id = u.d
      JOIN public.domain_events ev ON ev.tenant_id = d.tenant_id AND ev.id = d.event_id;
    UPDATE public.webhook_endpoints w
       SET failing_since = CASE WHEN o.any_success THEN NULL ELSE coalesce(w.failing_since, o.first_at) END,
           last_success_at = CASE WHEN o.any_success THEN greatest(w.last_success_at, o.last_ok_at)
                                  ELSE w.last_success_at END
      FROM (SELECT u.t, u.e, bool_or(u.ok) AS any_success, min(u.at) AS first_at,
                   max(u.at) FILTER (WHERE u.ok) AS last_ok_at
              FROM unnest(in_tenants, in_endpoints, in_succeeded, in_attempted_ats) AS u(t, e, ok, at)
             GROUP BY u.t, u.e) o
     WHERE w.tenant_id = o.t AND w.id = o.e
       AND (o.any_success OR w.failing_since IS NULL);
    RETURN QUERY
    UPDATE public.webhook_deliveries d
       SET status = o.status, next_attempt_at = coalesce(o.next_at, d.next_attempt_at), updated_at = now()
      FROM unnest(in_tenants, in_deliveries, in_attempts, in_statuses, in_next_ats) AS o(t, id, attempt, status, next_at)
     WHERE d.tenant_id = o.t AND d.id = o.id AND d.attempts = o.attempt AND d.status = 'PENDING'
       AND o.status = 'DEAD'
    RETURNING d.tenant_id, d.endpoint_id, d.id, d.series_started_at;
    UPDATE public.webhook_deliveries d
       SET status = o.status, next_attempt_at = coalesce(o.next_at, d.next_attempt_at), updated_at = now()
      FROM unnest(in_tenants, in_deliveries, in_attempts, in_statuses, in_next_ats) AS o(t, id, attempt, status, next_at)
     WHERE d.tenant_id = o.t AND d.id = o.id AND d.attempts = o.attempt AND d.status = 'PENDING'
       AND o.status <> 'DEAD';
END
$$;
REVOKE ALL ON FUNCTION record_webhook_attempts(uuid[], uuid[], uuid[], integer[], timestamptz[], boolean[],
                                               integer[], integer[], text[], text[], text[], timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_webhook_attempts(uuid[], uuid[], uuid[], integer[], timestamptz[], boolean[],
                                                  integer[], integer[], text[], text[], text[], timestamptz[]) TO crm_app;

-- The feed's horizon: the smallest transaction id that may still commit
-- events into this database. Transactions that were running when the
-- caller's snapshot was taken block it, except those known to belong to
-- another database (a long transaction elsewhere on the cluster does not
-- hold this database's feed back); without any, the snapshot's xmax.
CREATE FUNCTION event_feed_horizon() RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        WITH snap AS (SELECT pg_current_snapshot() AS s),
             elsewhere AS (SELECT backend_xid::text AS xid FROM pg_stat_activity
                            WHERE datname IS DISTINCT FROM current_database()
                              AND backend_xid IS NOT NULL)
        SELECT least(pg_snapshot_xmax(snap.s)::text::bigint,
                     (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap.s) AS x
                       WHERE (x::text::bigint & 4294967295)::text NOT IN (SELECT xid FROM elsewhere)))
          FROM snap
    $$;

-- Deletes up to `max_count` events of any tenant that occurred before
-- `before` (their deliveries and attempts go with them); returns how many.
CREATE FUNCTION prune_domain_events(before timestamptz, max_count integer)
    RETURNS bigint
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
        WITH gone AS (
            DELETE FROM public.domain_events
             WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM public.domain_events
                                        WHERE occurred_at < before
                                        ORDER BY occurred_at LIMIT max_count)
            RETURNING 1
        )
        SELECT count(*) FROM gone
    $$;
REVOKE ALL ON FUNCTION prune_domain_events(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION prune_domain_events(timestamptz, integer) TO crm_app;
