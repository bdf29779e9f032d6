-- Richer customer and contact records.
--
-- Emails and phones: the primary one stays in `email` / `phone` (the API's
-- `email` and `phone`, and what imports, exports and older queries read),
-- with its label in `email_label` / `phone_label`; further ones live in
-- `other_emails` / `other_phones` as a JSON array of {"value", "label"}.
-- A record has further ones only when it has a primary one, so a write that
-- knows only the primary (a bulk import) always leaves a consistent record.
--
-- Customers also get a postal address (street lines, city, state or
-- province, postal code, ISO 3166 alpha-2 country), where they came from
-- (acquisition source, free text, and channel) and a team of the workspace.
-- Contacts get custom fields, defined with object 'CONTACT'.
--
-- Search: every email and phone of a customer or contact is searchable and
-- counts for duplicates. `search_people` keeps the primary ones in `email`
-- and `phone_digits` as before and all of them in `emails` and `phones`;
-- the label and the words include them all. The trigger functions, the
-- rebuild and the duplicate finder of migration 0004 are redefined for that
-- (same signatures); the ranked search function is unchanged.

ALTER TABLE customers
    ADD COLUMN email_label         text    NOT NULL DEFAULT 'WORK'
        CHECK (email_label IN ('WORK', 'HOME', 'MOBILE', 'OTHER')),
    ADD COLUMN other_emails        jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(other_emails) = 'array'),
    ADD COLUMN phone_label         text    NOT NULL DEFAULT 'WORK'
        CHECK (phone_label IN ('WORK', 'HOME', 'MOBILE', 'OTHER')),
    ADD COLUMN other_phones        jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(other_phones) = 'array'),
    ADD COLUMN address_lines       text[]  NOT NULL DEFAULT '{}' CHECK (cardinality(address_lines) <= 4),
    ADD COLUMN city                text,
    ADD COLUMN state_province      text,
    ADD COLUMN postal_code         text,
    ADD COLUMN country             text    CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN acquisition_source  text,
    ADD COLUMN acquisition_channel text
        CHECK (acquisition_channel IN ('ORGANIC_SEARCH', 'PAID_SEARCH', 'SOCIAL', 'EMAIL', 'REFERRAL',
                                       'PARTNER', 'EVENT', 'DIRECT', 'ADVERTISING', 'OTHER')),
    ADD COLUMN team_id             uuid,
    ADD CONSTRAINT customers_other_emails_need_primary CHECK (email IS NOT NULL OR other_emails = '[]'),
    ADD CONSTRAINT customers_other_phones_need_primary CHECK (phone IS NOT NULL OR other_phones = '[]'),
    -- A team of the same workspace; deleting the team clears it.
    ADD CONSTRAINT customers_team_fkey FOREIGN KEY (tenant_id, team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id);
CREATE INDEX customers_country_idx ON customers (tenant_id, country, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_team_idx ON customers (tenant_id, team_id);
CREATE INDEX customers_acquisition_idx ON customers (tenant_id, acquisition_channel) WHERE deleted_at IS NULL;

ALTER TABLE contacts
    ADD COLUMN email_label   text  NOT NULL DEFAULT 'WORK'
        CHECK (email_label IN ('WORK', 'HOME', 'MOBILE', 'OTHER')),
    ADD COLUMN other_emails  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(other_emails) = 'array'),
    ADD COLUMN phone_label   text  NOT NULL DEFAULT 'WORK'
        CHECK (phone_label IN ('WORK', 'HOME', 'MOBILE', 'OTHER')),
    ADD COLUMN other_phones  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(other_phones) = 'array'),
    ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(custom_fields) = 'object'),
    ADD CONSTRAINT contacts_other_emails_need_primary CHECK (email IS NOT NULL OR other_emails = '[]'),
    ADD CONSTRAINT contacts_other_phones_need_primary CHECK (phone IS NOT NULL OR other_phones = '[]');
-- The workspace-wide contact list: keyset pages by creation and by name.
CREATE INDEX contacts_created_idx ON contacts (tenant_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_name_idx ON contacts (tenant_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_custom_fields_idx ON contacts USING gin (custom_fields jsonb_path_ops);

ALTER TABLE custom_field_definitions DROP CONSTRAINT custom_field_definitions_object_check;
ALTER TABLE custom_field_definitions
    ADD CONSTRAINT custom_field_definitions_object_check CHECK (object IN ('CUSTOMER', 'CONTACT'));

-- ------------------------------------------------------------ search

-- Every email (lower-cased) or phone (digits only) of a record: the primary
-- one and the values of the JSON array of further ones.
CREATE FUNCTION search_email_keys(p_primary text, p_others jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(lower(v)), '{}')
      FROM (SELECT p_primary AS v
            UNION ALL
            SELECT e ->> 'value' FROM jsonb_array_elements(coalesce(p_others, '[]'::jsonb)) e) x
     WHERE v IS NOT NULL
$$;

CREATE FUNCTION search_phone_keys(p_primary text, p_others jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(d), '{}')
      FROM (SELECT search_digits(v) AS d
              FROM (SELECT p_primary AS v
                    UNION ALL
                    SELECT e ->> 'value' FROM jsonb_array_elements(coalesce(p_others, '[]'::jsonb)) e) x) y
     WHERE d IS NOT NULL
$$;

-- The keys as one text for labels and documents (null when there are none).
CREATE FUNCTION search_joined(p_keys text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN nullif(array_to_string(p_keys, ' '), '');

ALTER TABLE search_people
    ADD COLUMN emails text[] NOT NULL DEFAULT '{}',
    ADD COLUMN phones text[] NOT NULL DEFAULT '{}';
-- Duplicate detection: any shared email or phone.
CREATE INDEX search_people_emails_idx ON search_people USING gin (tenant_id, emails);
CREATE INDEX search_people_phones_idx ON search_people USING gin (tenant_id, phones);

CREATE OR REPLACE FUNCTION search_index_children(p_tenant uuid, p_customer uuid) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    SELECT tenant_id, 'CONTACT', id, customer_id, name, lower(email), search_digits(phone),
           search_email_keys(email, other_emails), search_phone_keys(phone, other_phones),
           search_label(name, search_joined(search_email_keys(email, other_emails)),
                        search_joined(search_phone_keys(phone, other_phones))),
           search_contact_document(name, search_joined(search_email_keys(email, other_emails)),
                                   search_joined(search_phone_keys(phone, other_phones)), title)
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
DECLARE
    v_emails text[];
    v_phones text[];
BEGIN
    IF NEW.deleted_at IS NOT NULL THEN
        DELETE FROM search_people WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
        DELETE FROM search_interactions WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.id;
        RETURN NULL;
    END IF;
    v_emails := search_email_keys(NEW.email, NEW.other_emails);
    v_phones := search_phone_keys(NEW.phone, NEW.other_phones);
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    VALUES (NEW.tenant_id, 'CUSTOMER', NEW.id, NEW.id, NEW.name, lower(NEW.email), search_digits(NEW.phone),
            v_emails, v_phones,
            search_label(NEW.name, search_joined(v_emails), search_joined(v_phones)),
            search_customer_document(NEW.name, search_joined(v_emails), search_joined(v_phones),
                                     NEW.industry, NEW.region))
    ON CONFLICT (tenant_id, source, source_id) DO UPDATE
       SET name = EXCLUDED.name, email = EXCLUDED.email, phone_digits = EXCLUDED.phone_digits,
           emails = EXCLUDED.emails, phones = EXCLUDED.phones,
           label = EXCLUDED.label, document = EXCLUDED.document;
    IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT NULL THEN
        PERFORM search_index_children(NEW.tenant_id, NEW.id);
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER search_sync ON customers;
CREATE TRIGGER search_sync
    AFTER INSERT OR UPDATE OF name, email, phone, other_emails, other_phones, industry, region, deleted_at
    ON customers FOR EACH ROW EXECUTE FUNCTION search_sync_customer();

CREATE OR REPLACE FUNCTION search_sync_contact() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_emails text[];
    v_phones text[];
BEGIN
    IF TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL
       OR NOT search_customer_is_live(NEW.tenant_id, NEW.customer_id) THEN
        DELETE FROM search_people
         WHERE tenant_id = OLD.tenant_id AND source = 'CONTACT' AND source_id = OLD.id;
        RETURN NULL;
    END IF;
    v_emails := search_email_keys(NEW.email, NEW.other_emails);
    v_phones := search_phone_keys(NEW.phone, NEW.other_phones);
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    VALUES (NEW.tenant_id, 'CONTACT', NEW.id, NEW.customer_id, NEW.name, lower(NEW.email), search_digits(NEW.phone),
            v_emails, v_phones,
            search_label(NEW.name, search_joined(v_emails), search_joined(v_phones)),
            search_contact_document(NEW.name, search_joined(v_emails), search_joined(v_phones), NEW.title))
    ON CONFLICT (tenant_id, source, source_id) DO UPDATE
       SET customer_id = EXCLUDED.customer_id, name = EXCLUDED.name, email = EXCLUDED.email,
           phone_digits = EXCLUDED.phone_digits, emails = EXCLUDED.emails, phones = EXCLUDED.phones,
           label = EXCLUDED.label, document = EXCLUDED.document;
    RETURN NULL;
END
$$;
DROP TRIGGER search_sync ON contacts;
CREATE TRIGGER search_sync
    AFTER INSERT OR DELETE OR UPDATE OF customer_id, name, email, phone, other_emails, other_phones, title, deleted_at
    ON contacts FOR EACH ROW EXECUTE FUNCTION search_sync_contact();

CREATE OR REPLACE FUNCTION search_rebuild(p_tenant uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    DELETE FROM search_people WHERE tenant_id = p_tenant;
    DELETE FROM search_interactions WHERE tenant_id = p_tenant;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    SELECT tenant_id, 'CUSTOMER', id, id, name, lower(email), search_digits(phone), e, p,
           search_label(name, search_joined(e), search_joined(p)),
           search_customer_document(name, search_joined(e), search_joined(p), industry, region)
      FROM customers,
           LATERAL (SELECT search_email_keys(email, other_emails) AS e,
                           search_phone_keys(phone, other_phones) AS p) k
     WHERE tenant_id = p_tenant AND deleted_at IS NULL;
    INSERT INTO search_people (tenant_id, source, source_id, customer_id, name, email, phone_digits,
                               emails, phones, label, document)
    SELECT ct.tenant_id, 'CONTACT', ct.id, ct.customer_id, ct.name, lower(ct.email), search_digits(ct.phone), e, p,
           search_label(ct.name, search_joined(e), search_joined(p)),
           search_contact_document(ct.name, search_joined(e), search_joined(p), ct.title)
      FROM contacts ct
      JOIN customers c ON c.tenant_id = ct.tenant_id AND c.id = ct.customer_id AND c.deleted_at IS NULL,
           LATERAL (SELECT search_email_keys(ct.email, ct.other_emails) AS e,
                           search_phone_keys(ct.phone, ct.other_phones) AS p) k
     WHERE ct.tenant_id = p_tenant AND ct.deleted_at IS NULL;
    INSERT INTO search_interactions (tenant_id, interaction_id, customer_id, document)
    SELECT i.tenant_id, i.id, i.customer_id, search_interaction_document(i.subject, i.body)
      FROM interactions i
      JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id AND c.deleted_at IS NULL
     WHERE i.tenant_id = p_tenant;
END
$$;
REVOKE ALL ON FUNCTION search_rebuild(uuid) FROM PUBLIC;

SELECT search_rebuild(id) FROM tenants;
SELECT set_config('app.tenant_id', '', true);

-- Load pg_trgm's library in this session, so its settings are known (not
-- placeholders) when the function below names them in SET clauses.
SELECT similarity('', '');

-- As in 0004, but an email or phone counts as shared when any of the
-- customer's emails or phones (read from its own search row, next to the
-- p_email and p_phone_digits given) equals any of the other customer's.
CREATE OR REPLACE FUNCTION app_customer_duplicates(
    p_tenant uuid, p_customer uuid, p_name text, p_email text, p_phone_digits text,
    p_name_similarity real, p_limit integer)
    RETURNS TABLE (customer_id uuid, same_email boolean, same_phone boolean, name_similarity real, score real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    SET pg_trgm.similarity_threshold = 0.6
    SET enable_seqscan = off
AS $fn$
DECLARE
    v_emails text[];
    v_phones text[];
BEGIN
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM app_current_tenant() THEN
        RETURN;
    END IF;
    PERFORM set_config('pg_trgm.similarity_threshold', p_name_similarity::text, true);
    SELECT d.emails, d.phones INTO v_emails, v_phones
      FROM search_people d
     WHERE d.tenant_id = p_tenant AND d.source = 'CUSTOMER' AND d.source_id = p_customer;
    v_emails := coalesce(v_emails, '{}') || ARRAY(SELECT lower(p_email) WHERE p_email IS NOT NULL);
    v_phones := coalesce(v_phones, '{}') || ARRAY(SELECT p_phone_digits WHERE p_phone_digits IS NOT NULL);
    RETURN QUERY EXECUTE $q$
        WITH found AS (
            SELECT d.customer_id,
                   d.emails && $3 AS same_email,
                   d.phones && $4 AS same_phone,
                   similarity(d.name, $2) AS name_similarity
              FROM search_people d
             WHERE d.tenant_id = $1 AND d.source = 'CUSTOMER' AND d.customer_id <> $5
               AND (d.emails && $3 OR d.phones && $4 OR d.name % $2)
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
    USING p_tenant, p_name, v_emails, v_phones, p_customer, p_name_similarity, p_limit;
END
$fn$;
