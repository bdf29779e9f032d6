-- Customer core performance.
--
-- 1. Search rows of inserted customers are written once per statement, from
--    the statement's new rows (a transition table), instead of by a PL/pgSQL
--    call and a single-row upsert per customer: a bulk import inserts
--    thousands of customers in one statement. The rows are the same as
--    search_sync_customer() (0012) writes: every email and phone is indexed.
--    Updates keep the per-row trigger (it only fires when a searched column
--    changes, and handles deletes and restores).
CREATE FUNCTION search_sync_inserted_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    SELECT n.tenant_id, 'CUSTOMER', n.id, n.id, n.name, lower(n.email), search_digits(n.phone),
           k.emails, k.phones,
           search_label(n.name, search_joined(k.emails), search_joined(k.phones)),
           search_customer_document(n.name, search_joined(k.emails), search_joined(k.phones),
                                    n.industry, n.region)
      FROM inserted_customers n
     CROSS JOIN LATERAL (SELECT search_email_keys(n.email, n.other_emails) AS emails,
                                search_phone_keys(n.phone, n.other_phones) AS phones) k
     WHERE n.deleted_at IS NULL
    ON CONFLICT (tenant_id, source, source_id) DO UPDATE
       SET name = EXCLUDED.name, email = EXCLUDED.email, phone_digits = EXCLUDED.phone_digits,
           emails = EXCLUDED.emails, phones = EXCLUDED.phones,
           label = EXCLUDED.label, document = EXCLUDED.document;
    RETURN NULL;
END
$$;
DROP TRIGGER search_sync ON customers;
CREATE TRIGGER search_sync
    AFTER UPDATE OF name, email, phone, other_emails, other_phones, industry, region, deleted_at
    ON customers FOR EACH ROW EXECUTE FUNCTION search_sync_customer();
CREATE TRIGGER search_sync_inserted
    AFTER INSERT ON customers REFERENCING NEW TABLE AS inserted_customers
    FOR EACH STATEMENT EXECUTE FUNCTION search_sync_inserted_customers();

-- 2. A page of one region's customers at one lifecycle stage (the usual
--    segment), by name or by last interaction, reads just its 50 rows.
CREATE INDEX customers_region_stage_name_idx
    ON customers (tenant_id, region, lifecycle_stage, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX customers_region_stage_last_interaction_idx
    ON customers (tenant_id, region, lifecycle_stage,
                  (COALESCE(last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)), id)
    WHERE deleted_at IS NULL;
