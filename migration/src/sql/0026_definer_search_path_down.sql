-- Back to the search path of 0002 and 0013 (the schema-qualified bodies
-- behave the same), and TEMPORARY back to PUBLIC and crm_app.
ALTER FUNCTION public.claim_outbound_messages(integer, interval) SET search_path = public;
ALTER FUNCTION public.queued_analytics_runs(integer, interval) SET search_path = public;
ALTER FUNCTION public.due_customer_value_tenants(integer) SET search_path = public;
DO $$
BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO crm_app', current_database());
END
$$;
