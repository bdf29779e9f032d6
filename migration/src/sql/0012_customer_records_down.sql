-- Back to migration 0004's search functions, then drop what 0012 added.
CREATE OR REPLACE FUNCTION search_index_children(p_tenant uuid, p_customer uuid) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document)
    SELECT tenant_id, 'CONTACT', id, customer_id, name, lower(email), search_digits(phone),
           search_label(name, lower(email), search_digits(phone)),
           search_contact_document(name, email, phone, title)
      FROM contacts
     WHERE tenant_id = p_tenant AND customer_id = p_customer AND deleted_at IS NULL
    ON CONFLICT (tenant_id, source, source_id) DO NOTHING;
    INSERT INTO search_interactions (tenant_id, interaction_id, customer_id, document)
    SELECT tenant_id, id, customer_id, search_interaction_document(subject, body)
      FROM interactions
     WHERE tenant_id = p_tenant AND customer_id = p_customer
    ON CONFLICT (tenant_id, interaction_id) DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION search_sync_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM search_people WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
        DELETE FROM search_interactions WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
        RETURN NULL;
    END IF;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document)
    VALUES (NEW.tenant_id, 'CUSTOMER', NEW.id, NEW.id, NEW.name, lower(NEW.email), search_digits(NEW.phone),
            search_label(NEW.name, lower(NEW.email), search_digits(NEW.phone)),
            search_customer_document(NEW.name, NEW.email, NEW.phone, NEW.industry, NEW.region))
    ON CONFLICT (tenant_id, source, source_id) DO UPDATE
       SET name = EXCLUDED.name, email = EXCLUDED.email, phone_digits = EXCLUDED.phone_digits,
           label = EXCLUDED.label, document = EXCLUDED.document;
    IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT NULL THEN
        PERFORM search_index_children(NEW.tenant_id, NEW.id);
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER search_sync ON customers;
CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OF name, email, phone, industry, region, deleted_at
    ON customers FOR EACH ROW EXECUTE FUNCTION search_sync_customer();

CREATE OR REPLACE FUNCTION search_sync_contact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL
       OR NOT search_customer_is_live(NEW.tenant_id, NEW.customer_id) THEN
        DELETE FROM search_people
         WHERE tenant_id = OLD.tenant_id AND source = 'CONTACT' AND source_id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document)
    VALUES (NEW.tenant_id, 'CONTACT', NEW.id, NEW.customer_id, NEW.name, lower(NEW.email), search_digits(NEW.phone),
            search_label(NEW.name, lower(NEW.email), search_digits(NEW.phone)),
            search_contact_document(NEW.name, NEW.email, NEW.phone, NEW.title))
    ON CONFLICT (tenant_id, source, source_id) DO UPDATE
       SET customer_id = EXCLUDED.customer_id, name = EXCLUDED.name, email = EXCLUDED.email,
           phone_digits = EXCLUDED.phone_digits, label = EXCLUDED.label, document = EXCLUDED.document;
    RETURN NULL;
END
$$;
DROP TRIGGER search_sync ON contacts;
CREATE TRIGGER search_sync AFTER INSERT OR DELETE OR UPDATE OF customer_id, name, email, phone, title, deleted_at
    ON contacts FOR EACH ROW EXECUTE FUNCTION search_sync_contact();

CREATE OR REPLACE FUNCTION search_rebuild(p_tenant uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    DELETE FROM search_people WHERE tenant_id = p_tenant;
    DELETE FROM search_interactions WHERE tenant_id = p_tenant;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document)
    SELECT tenant_id, 'CUSTOMER', id, id, name, lower(email), search_digits(phone),
           search_label(name, lower(email), search_digits(phone)),
           search_customer_document(name, email, phone, industry, region)
      FROM customers WHERE tenant_id = p_tenant AND deleted_at IS NULL;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document)
    SELECT ct.tenant_id, 'CONTACT', ct.id, ct.customer_id, ct.name, lower(ct.email), search_digits(ct.phone),
           search_label(ct.name, lower(ct.email), search_digits(ct.phone)),
           search_contact_document(ct.name, ct.email, ct.phone, ct.title)
      FROM contacts ct
      JOIN customers c ON c.tenant_id = ct.tenant_id AND c.id = ct.customer_id AND c.deleted_at IS NULL
     WHERE ct.tenant_id = p_tenant AND ct.deleted_at IS NULL;
    INSERT INTO search_interactions (tenant_id, interaction_id, customer_id, document)
    SELECT i.tenant_id, i.id, i.customer_id, search_interaction_document(i.subject, i.body)
      FROM interactions i
      JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id AND c.deleted_at IS NULL
     WHERE i.tenant_id = p_tenant;
END
$$;

-- Load pg_trgm's library in this session, so its settings are known (not
-- placeholders) when the function below names them in SET clauses.
SELECT similarity('', '');

CREATE OR REPLACE FUNCTION app_customer_duplicates(
    p_tenant uuid, p_customer uuid, p_name text, p_email text, p_phone_digits text,
    p_name_similarity real, p_limit integer)
    RETURNS TABLE (customer_id uuid, same_email boolean, same_phone boolean, name_similarity real, score real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    SET pg_trgm.similarity_threshold = 0.6
    SET enable_seqscan = off
AS $fn$
BEGIN
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM app_current_tenant() THEN
        RETURN;
    END IF;
    PERFORM set_config('pg_trgm.similarity_threshold', p_name_similarity::text, true);
    RETURN QUERY EXECUTE $q$
        WITH found AS (
            SELECT d.customer_id,
                   coalesce(d.email = $3, false) AS same_email,
                   coalesce(d.phone_digits = $4, false) AS same_phone,
                   similarity(d.name, $2) AS name_similarity
              FROM search_people d
             WHERE d.tenant_id = $1 AND d.source = 'CUSTOMER' AND d.customer_id <> $5
               AND (d.email = $3 OR d.phone_digits = $4 OR d.name % $2)
        ),
        scored AS (
            SELECT f.*,
                   (1 - (1 - CASE WHEN f.same_email THEN 0.9 ELSE 0 END)
                      * (1 - CASE WHEN f.same_phone THEN 0.8 ELSE 0 END)
                      * (1 - CASE WHEN f.name_similarity >= $6 THEN f.name_similarity ELSE 0 END))::real AS score
              FROM found f
        )
        SELECT s.customer_id, s.same_email, s.same_phone, s.name_similarity, s.score
          FROM scored s
         ORDER BY s.score DESC, s.customer_id
         LIMIT $7
        $q$
    USING p_tenant, p_name, lower(p_email), p_phone_digits, p_customer, p_name_similarity, p_limit;
END
$fn$;

DROP INDEX IF EXISTS search_people_emails_idx;
DROP INDEX IF EXISTS search_people_phones_idx;
ALTER TABLE search_people DROP COLUMN IF EXISTS emails, DROP COLUMN IF EXISTS phones;
DROP FUNCTION IF EXISTS search_joined(text[]);
DROP FUNCTION IF EXISTS search_phone_keys(text, jsonb);
DROP FUNCTION IF EXISTS search_email_keys(text, jsonb);

DELETE FROM custom_field_definitions WHERE object = 'CONTACT';
ALTER TABLE custom_field_definitions DROP CONSTRAINT custom_field_definitions_object_check;
ALTER TABLE custom_field_definitions
    ADD CONSTRAINT custom_field_definitions_object_check CHECK (object IN ('CUSTOMER'));

DROP INDEX IF EXISTS contacts_custom_fields_idx;
DROP INDEX IF EXISTS contacts_name_idx;
DROP INDEX IF EXISTS contacts_created_idx;
ALTER TABLE contacts
    DROP CONSTRAINT IF EXISTS contacts_other_emails_need_primary,
    DROP CONSTRAINT IF EXISTS contacts_other_phones_need_primary,
    DROP COLUMN IF EXISTS email_label, DROP COLUMN IF EXISTS other_emails,
    DROP COLUMN IF EXISTS phone_label, DROP COLUMN IF EXISTS other_phones,
    DROP COLUMN IF EXISTS custom_fields;

DROP INDEX IF EXISTS customers_acquisition_idx;
DROP INDEX IF EXISTS customers_team_idx;
DROP INDEX IF EXISTS customers_country_idx;
ALTER TABLE customers
    DROP CONSTRAINT IF EXISTS customers_team_fkey,
    DROP CONSTRAINT IF EXISTS customers_other_emails_need_primary,
    DROP CONSTRAINT IF EXISTS customers_other_phones_need_primary,
    DROP COLUMN IF EXISTS email_label, DROP COLUMN IF EXISTS other_emails,
    DROP COLUMN IF EXISTS phone_label, DROP COLUMN IF EXISTS other_phones,
    DROP COLUMN IF EXISTS address_lines, DROP COLUMN IF EXISTS city,
    DROP COLUMN IF EXISTS state_province, DROP COLUMN IF EXISTS postal_code,
    DROP COLUMN IF EXISTS country, DROP COLUMN IF EXISTS acquisition_source,
    DROP COLUMN IF EXISTS acquisition_channel, DROP COLUMN IF EXISTS team_id;
