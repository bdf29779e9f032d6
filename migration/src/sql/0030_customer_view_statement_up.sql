-- The customer 360 view in one statement and one round trip: binds the
-- caller's tenant and member for the statement (as the server does for a
-- transaction), then returns the customer with its first contacts, latest
-- interactions, latest orders, open deals, open cases, open case count and
-- value figures as one JSON document, or NULL when the customer is absent,
-- deleted or another workspace's. Runs as the caller, so row-level security
-- applies to every read. Numeric amounts are given as text so their scale
-- survives. The limits (rows kept plus one, to tell whether there are more)
-- and the open case statuses come from the server, where those rules live.
CREATE FUNCTION customer_view_json(
    p_tenant uuid,
    p_user text,
    p_customer uuid,
    p_contacts int,
    p_interactions int,
    p_orders int,
    p_deals int,
    p_cases int,
    p_open_case_statuses text[]
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
    view text;
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true),
            set_config('app.user_id', p_user, true);
    SELECT jsonb_build_object(
        'customer', (to_jsonb(c) - 'last_interaction_key')
            || jsonb_build_object('order_total', c.order_total::text,
                                  'open_deal_amount', c.open_deal_amount::text),
        'contacts', COALESCE((
            SELECT jsonb_agg(to_jsonb(k) ORDER BY k.created_at, k.id)
              FROM (SELECT * FROM public.contacts
                     WHERE tenant_id = p_tenant AND customer_id = p_customer AND deleted_at IS NULL
                     ORDER BY created_at, id LIMIT p_contacts) k), '[]'::jsonb),
        'interactions', COALESCE((
            SELECT jsonb_agg(to_jsonb(i) ORDER BY i.occurred_at DESC, i.id DESC)
              FROM (SELECT * FROM public.interactions
                     WHERE tenant_id = p_tenant AND customer_id = p_customer
                     ORDER BY occurred_at DESC, id DESC LIMIT p_interactions) i), '[]'::jsonb),
        'orders', COALESCE((
            SELECT jsonb_agg(to_jsonb(o) || jsonb_build_object('total_amount', o.total_amount::text)
                             ORDER BY o.ordered_at DESC, o.id DESC)
              FROM (SELECT * FROM public.orders
                     WHERE tenant_id = p_tenant AND customer_id = p_customer
                     ORDER BY ordered_at DESC, id DESC LIMIT p_orders) o), '[]'::jsonb),
        'open_deals', COALESCE((
            SELECT jsonb_agg(to_jsonb(d) || jsonb_build_object('amount', d.amount::text,
                                                               'amount_base', d.amount_base::text)
                             ORDER BY d.created_at DESC, d.id DESC)
              FROM (SELECT * FROM public.deals
                     WHERE tenant_id = p_tenant AND customer_id = p_customer AND status = 'OPEN'
                     ORDER BY created_at DESC, id DESC LIMIT p_deals) d), '[]'::jsonb),
        'open_cases', COALESCE((
            SELECT jsonb_agg(to_jsonb(k) ORDER BY k.created_at DESC, k.id DESC)
              FROM (SELECT * FROM public.cases
                     WHERE tenant_id = p_tenant AND customer_id = p_customer
                       AND status = ANY (p_open_case_statuses)
                     ORDER BY created_at DESC, id DESC LIMIT p_cases) k), '[]'::jsonb),
        'open_case_count', (
            SELECT count(*) FROM public.cases
             WHERE tenant_id = p_tenant AND customer_id = p_customer
               AND status = ANY (p_open_case_statuses)),
        'value', (
            SELECT (to_jsonb(v) - 'tenant_id')
                   || jsonb_build_object('monetary_avg', v.monetary_avg::text,
                                         'monetary_total', v.monetary_total::text,
                                         'clv_12m', v.clv_12m::text,
                                         'clv', v.clv::text,
                                         'potential_value', v.potential_value::text)
              FROM public.customer_values v
             WHERE v.tenant_id = p_tenant AND v.customer_id = p_customer)
    )::text
      INTO view
      FROM public.customers c
     WHERE c.tenant_id = p_tenant AND c.id = p_customer AND c.deleted_at IS NULL;
    RETURN view;
END
$$;

REVOKE ALL ON FUNCTION customer_view_json(uuid, text, uuid, int, int, int, int, int, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION customer_view_json(uuid, text, uuid, int, int, int, int, int, text[]) TO crm_app;
