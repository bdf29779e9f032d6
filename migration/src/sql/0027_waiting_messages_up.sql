-- Counts the messages waiting for delivery in every tenant, up to `cap`
-- (so that `/readyz` stays cheap however long the queue grows). Runs as
-- the owner role, like claim_outbound_messages, because crm_app sees only
-- the tenant it has set.
CREATE FUNCTION count_waiting_outbound_messages(cap integer)
    RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
    AS $$
        SELECT count(*) FROM (
            SELECT 1 FROM public.outbound_messages WHERE status = 'pending' LIMIT cap
        ) waiting
    $$;
REVOKE ALL ON FUNCTION count_waiting_outbound_messages(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION count_waiting_outbound_messages(integer) TO crm_app;
