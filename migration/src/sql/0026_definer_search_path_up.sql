-- SECURITY DEFINER functions run with the owner's rights, so the names they
-- use must not be resolvable to objects the caller made. `search_path =
-- public` still looks in the session's temporary schema (pg_temp) first for
-- tables, so crm_app could have shadowed `outbound_messages` or `tenants`
-- with a temporary table. The three functions of 0002 and 0013 now pin
-- `pg_catalog, public, pg_temp` (pg_temp last, as 0004 and 0022 do) and name
-- every table by schema. The bodies are otherwise unchanged.

CREATE OR REPLACE FUNCTION public.claim_outbound_messages(max_count integer, lease interval)
    RETURNS SETOF public.outbound_messages
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
        UPDATE public.outbound_messages m
           SET next_attempt_at = now() + lease, attempts = m.attempts + 1
         WHERE (m.tenant_id, m.id) IN (
                   SELECT tenant_id, id FROM public.outbound_messages
                    WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at
                    LIMIT max_count
                      FOR UPDATE SKIP LOCKED)
        RETURNING m.*
    $$;

CREATE OR REPLACE FUNCTION public.queued_analytics_runs(max_count integer, lease interval)
    RETURNS TABLE (tenant_id uuid, id uuid)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    UPDATE public.analytics_runs r
       SET status = 'FAILED', finished_at = now(),
           error = 'the server running it stopped before it finished'
     WHERE r.status = 'RUNNING' AND r.heartbeat_at < now() - lease;
    RETURN QUERY
        SELECT r.tenant_id, r.id FROM public.analytics_runs r
         WHERE r.status = 'QUEUED'
         ORDER BY r.created_at
         LIMIT max_count;
END
$$;

CREATE OR REPLACE FUNCTION public.due_customer_value_tenants(max_count integer)
    RETURNS SETOF uuid
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    t record;
    found integer := 0;
BEGIN
    FOR t IN
        SELECT te.id
          FROM public.tenants te
          LEFT JOIN public.customer_value_settings s ON s.tenant_id = te.id
         WHERE coalesce(s.schedule_enabled, true)
           AND NOT EXISTS (SELECT 1 FROM public.analytics_runs r
                            WHERE r.tenant_id = te.id AND r.status IN ('QUEUED', 'RUNNING'))
           AND coalesce((SELECT max(r.created_at) FROM public.analytics_runs r WHERE r.tenant_id = te.id),
                        te.created_at)
               <= now() - make_interval(hours => coalesce(s.schedule_interval_hours, 24))
    LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        IF EXISTS (SELECT 1 FROM public.orders o WHERE o.tenant_id = t.id) THEN
            RETURN NEXT t.id;
            found := found + 1;
            EXIT WHEN found >= max_count;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$$;

-- The server role creates no temporary objects: see database_privileges.sql
-- (run by the migration after this file).
