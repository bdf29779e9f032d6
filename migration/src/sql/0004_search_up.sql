-- Customer search, duplicate detection and merges.
--
-- Why separate search tables. Under row-level security PostgreSQL applies a
-- query's own conditions only after the policy unless their functions are
-- LEAKPROOF, and only superusers can mark functions so. None of the trigram
-- (`<%`, `%`, LIKE) or full-text (`@@`) operators is leakproof, so on the
-- forced-RLS tables their indexes are never used and every search reads the
-- whole tenant (measured: 400 ms for 100,000 customers). The text that search
-- reads is therefore kept in `search_people` and `search_interactions`,
-- derived tables that triggers keep in step with every write, in the same
-- transaction, and only for live (not deleted) customers:
--   * RLS is ENABLED on them with the usual policy, so the server role sees
--     and writes only its tenant's rows there, as everywhere;
--   * it is deliberately NOT FORCED, so the two SECURITY DEFINER functions
--     below, which run as the owner, can use the indexes. They take the
--     tenant as an argument, return nothing unless it is the transaction's
--     tenant (app_current_tenant()), and filter by it in every statement.
-- The base tables keep forced RLS.
--
-- Indexes lead with tenant_id like every other key, so one tenant's search
-- never reads another's entries. GIN has no operator class for uuid;
-- btree_gin supplies it. pg_trgm and btree_gin are trusted extensions
-- (PostgreSQL 13+): the database owner that runs migrations may create them.
-- Full text uses the 'simple' configuration: no stemming and no stop words,
-- so names and mixed-language text, Chinese included, are kept as written
-- (lower-cased).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Digits only, so "+1 (555) 013-4567" and "555.013.4567" compare equal.
CREATE FUNCTION search_digits(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN nullif(regexp_replace(phone, '\D', '', 'g'), '');

-- Name, email and phone digits in one text: one trigram index serves fuzzy
-- and substring matching of all three.
CREATE FUNCTION search_label(name text, email text, phone_digits text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN name || coalesce(' ' || email, '') || coalesce(' ' || phone_digits, '');

-- Words, weighted: A for names, B for emails and phones, C for the rest.
CREATE FUNCTION search_customer_document(name text, email text, phone text, industry text, region text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(email, '') || ' ' || coalesce(phone, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(industry, '') || ' ' || coalesce(region, '')), 'C');

CREATE FUNCTION search_contact_document(name text, email text, phone text, title text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(email, '') || ' ' || coalesce(phone, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'C');

-- A for the subject, B for the body.
CREATE FUNCTION search_interaction_document(subject text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple'::regconfig, coalesce(subject, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B');

-- ------------------------------------------------------------ tables

-- Live customers and their live contacts ("people"), each with the customer
-- it belongs to. Names keep their case (trigram matching ignores it);
-- emails are lower-cased.
CREATE TABLE search_people (
    tenant_id    uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source       text     NOT NULL CHECK (source IN ('CUSTOMER', 'CONTACT')),
    source_id    uuid     NOT NULL,
    customer_id  uuid     NOT NULL,
    name         text     NOT NULL,
    email        text,
    phone_digits text,
    label        text     NOT NULL,
    document     tsvector NOT NULL,
    PRIMARY KEY (tenant_id, source, source_id),
    CONSTRAINT search_people_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX search_people_customer_idx ON search_people (tenant_id, customer_id);
-- GIN indexes buffer new entries in a pending list that every search reads
-- unsorted; 256 kB (instead of 4 MB) keeps that under a millisecond while
-- writes are still merged in batches.
CREATE INDEX search_people_label_trgm_idx ON search_people
    USING gin (tenant_id, label gin_trgm_ops) WITH (gin_pending_list_limit = 256);
-- Names alone: fuzzy matching of words and duplicate detection read fewer,
-- shorter entries here than in the labels.
CREATE INDEX search_people_name_trgm_idx ON search_people
    USING gin (tenant_id, name gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_document_idx ON search_people
    USING gin (tenant_id, document) WITH (gin_pending_list_limit = 256);
-- Exact and prefix matches, in byte order; equality for duplicate detection.
CREATE INDEX search_people_name_prefix_idx ON search_people (tenant_id, lower(name) text_pattern_ops);
CREATE INDEX search_people_email_prefix_idx ON search_people (tenant_id, email text_pattern_ops);
CREATE INDEX search_people_phone_prefix_idx ON search_people (tenant_id, phone_digits text_pattern_ops);

-- Interactions (notes, calls, emails, ...) of live customers: subject and body.
CREATE TABLE search_interactions (
    tenant_id      uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    interaction_id uuid     NOT NULL,
    customer_id    uuid     NOT NULL,
    document       tsvector NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id),
    CONSTRAINT search_interactions_interaction_fkey FOREIGN KEY (tenant_id, interaction_id)
        REFERENCES interactions (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT search_interactions_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX search_interactions_customer_idx ON search_interactions (tenant_id, customer_id);
CREATE INDEX search_interactions_document_idx ON search_interactions
    USING gin (tenant_id, document) WITH (gin_pending_list_limit = 256);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['search_people', 'search_interactions'] LOOP
        -- Enabled, deliberately not forced: see the top of this file.
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;
-- The triggers below run as the writing role, under the policy.
GRANT SELECT, INSERT, UPDATE, DELETE ON search_people, search_interactions TO crm_app;

-- ------------------------------------------------------------ maintenance

-- Writes the search rows of one customer's contacts and interactions (after
-- a restore, or a rebuild).
CREATE FUNCTION search_index_children(p_tenant uuid, p_customer uuid) RETURNS void
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

-- Whether a customer exists and is not deleted.
CREATE FUNCTION search_customer_is_live(p_tenant uuid, p_customer uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM customers
                    WHERE tenant_id = p_tenant AND id = p_customer AND deleted_at IS NULL)
$$;

-- A live customer has rows; deleting one removes them all (its contacts'
-- and interactions' too), restoring it writes them again. Hard deletes
-- cascade through the foreign keys.
CREATE FUNCTION search_sync_customer() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OF name, email, phone, industry, region, deleted_at
    ON customers FOR EACH ROW EXECUTE FUNCTION search_sync_customer();

CREATE FUNCTION search_sync_contact() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER search_sync AFTER INSERT OR DELETE OR UPDATE OF customer_id, name, email, phone, title, deleted_at
    ON contacts FOR EACH ROW EXECUTE FUNCTION search_sync_contact();

-- (Deletes cascade through the foreign key.)
CREATE FUNCTION search_sync_interaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT search_customer_is_live(NEW.tenant_id, NEW.customer_id) THEN
        DELETE FROM search_interactions WHERE tenant_id = NEW.tenant_id AND interaction_id = NEW.id;
    ELSIF TG_OP = 'UPDATE' AND NEW.subject IS NOT DISTINCT FROM OLD.subject
                           AND NEW.body IS NOT DISTINCT FROM OLD.body THEN
        -- Moved to another customer (a merge): the words are unchanged.
        UPDATE search_interactions SET customer_id = NEW.customer_id
         WHERE tenant_id = NEW.tenant_id AND interaction_id = NEW.id;
    ELSE
        INSERT INTO search_interactions (tenant_id, interaction_id, customer_id, document)
        VALUES (NEW.tenant_id, NEW.id, NEW.customer_id, search_interaction_document(NEW.subject, NEW.body))
        ON CONFLICT (tenant_id, interaction_id) DO UPDATE
           SET customer_id = EXCLUDED.customer_id, document = EXCLUDED.document;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER search_sync AFTER INSERT OR UPDATE OF customer_id, subject, body
    ON interactions FOR EACH ROW EXECUTE FUNCTION search_sync_interaction();

-- Rebuilds one tenant's search rows from its records: for the rows that
-- exist when this migration runs, and for operators (and the benchmark)
-- after bulk loads with the triggers disabled. Owner only. The base tables'
-- RLS is forced for the owner too, so the tenant is set for the transaction.
CREATE FUNCTION search_rebuild(p_tenant uuid) RETURNS void LANGUAGE plpgsql AS $$
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
REVOKE ALL ON FUNCTION search_rebuild(uuid) FROM PUBLIC;

SELECT search_rebuild(id) FROM tenants;
SELECT set_config('app.tenant_id', '', true);

-- ------------------------------------------------------------ reading

-- Load pg_trgm's library in this session, so its settings are known (not
-- placeholders) when the functions below name them in SET clauses.
SELECT similarity('', '');

-- Ranked search over the caller's tenant; the ranking is documented with its
-- caller, api/src/domain/search.rs. Returns at most p_limit customers, best
-- first (ordinal 1, 2, ...). p_phone_digits: the query's digits when it reads
-- as a phone number, else null. p_word_similarity: the least trigram word
-- similarity of a fuzzy match. p_candidates bounds the rows each way of
-- matching contributes, so very common words cost no more than rare ones.
--
-- Matching runs in steps, each its own statement so that each gets the plan
-- it needs: ordered btree scans for prefixes, bitmap scans of the GIN
-- indexes for the rest (with a LIMIT and a loose estimate of how many rows
-- match, the planner would otherwise walk a whole index testing every row).
-- Fuzzy matching, the costliest, runs only when the literal matches do not
-- fill the page: a fuzzy match ranks below a literal one of the same record.
CREATE FUNCTION app_search_customers(
    p_tenant uuid, p_query text, p_phone_digits text, p_word_similarity real,
    p_limit integer, p_candidates integer)
    RETURNS TABLE (customer_id uuid, tier integer, score real, ordinal bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    SET pg_trgm.word_similarity_threshold = 0.6
    SET enable_seqscan = off
    SET enable_indexscan = on
AS $fn$
DECLARE
    v_lower     text := lower(p_query);
    -- The query as a LIKE pattern matching itself literally.
    v_literal   text := replace(replace(replace(lower(p_query), '\', '\\'), '%', '\%'), '_', '\_');
    v_prefix    text := v_literal || '%';
    v_substring text := '%' || v_literal || '%';
    v_digits    text := '%' || p_phone_digits || '%';
    v_tsquery   tsquery;
    -- Fuzzy matching: of names, unless the query is an email (then its
    -- local part only: the trigrams of domains like "gmail.com" are in so
    -- many rows that reading them would cost more than the rest of the
    -- search) or a phone number (then its digits).
    v_fuzzy     text := CASE WHEN p_phone_digits IS NOT NULL THEN p_phone_digits
                             WHEN strpos(p_query, '@') > 3 THEN split_part(p_query, '@', 1)
                             ELSE p_query END;
    v_fuzzy_on  text := CASE WHEN p_phone_digits IS NULL AND strpos(p_query, '@') <= 3
                             THEN 'd.name' ELSE 'd.label' END;
    v_trigrams  integer := coalesce(array_length(show_trgm(v_fuzzy), 1), 0);
    v_literals  text[] := ARRAY[]::text[];
    v_found     search_people[];
    v_more      search_people[];
BEGIN
    -- Only the transaction's own tenant is ever searched.
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM app_current_tenant() THEN
        RETURN;
    END IF;
    -- Every word of the query, as a whole word. (Prefixes of words are left
    -- to the trigram matching of names: a prefix of a common word would read
    -- every note that has it.) Lexemes are quoted: no input is tsquery syntax.
    SELECT to_tsquery('simple', string_agg(
               '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''', ' & '))
      INTO v_tsquery
      FROM unnest(tsvector_to_array(to_tsvector('simple', p_query))) AS lexeme;

    -- 1. Names, emails and phone digits that start with the query, in index
    --    (byte) order, so exact ones come first.
    EXECUTE format($q$
        SELECT array_agg(x.d) FROM (
            (SELECT d FROM search_people d
              WHERE d.tenant_id = $1 AND lower(d.name) LIKE $2
              ORDER BY lower(d.name) USING ~<~ LIMIT $3)
            UNION ALL
            (SELECT d FROM search_people d
              WHERE d.tenant_id = $1 AND d.email LIKE $2
              ORDER BY d.email USING ~<~ LIMIT $3)
            %s) x
        $q$, CASE WHEN p_phone_digits IS NULL THEN '' ELSE $p$
            UNION ALL
            (SELECT d FROM search_people d
              WHERE d.tenant_id = $1 AND d.phone_digits LIKE $4 || '%'
              ORDER BY d.phone_digits USING ~<~ LIMIT $3)$p$ END)
       INTO v_found
      USING p_tenant, v_prefix, p_candidates, p_phone_digits;

    -- 2. The query anywhere in a name, email or phone (substrings need a
    --    whole trigram to use the index), and its words.
    IF char_length(p_query) >= 3 THEN
        v_literals := v_literals || 'd.label ILIKE $3'::text;
    END IF;
    IF p_phone_digits IS NOT NULL THEN
        v_literals := v_literals || 'd.label LIKE $4'::text;
    END IF;
    IF v_tsquery IS NOT NULL THEN
        v_literals := v_literals || 'd.document @@ $5'::text;
    END IF;
    PERFORM set_config('enable_indexscan', 'off', true);
    IF cardinality(v_literals) > 0 THEN
        EXECUTE format($q$
            SELECT array_agg(x.d)
              FROM (SELECT d FROM search_people d WHERE d.tenant_id = $1 AND (%s) LIMIT $2) x
            $q$, array_to_string(v_literals, ' OR '))
           INTO v_more
          USING p_tenant, p_candidates, v_substring, v_digits, v_tsquery;
        v_found := v_found || v_more;
    END IF;

    -- 3. Fuzzy: trigram word similarity of at least p_word_similarity, or,
    --    for long queries, enough to allow about two typos (a typo changes up
    --    to three trigrams); fewer trigrams to find also make it cheaper.
    IF (SELECT count(DISTINCT f.customer_id) FROM unnest(v_found) f) < p_limit THEN
        PERFORM set_config('pg_trgm.word_similarity_threshold',
                           greatest(p_word_similarity, 1 - 6.0 / greatest(v_trigrams, 1))::text, true);
        EXECUTE format($q$
            SELECT array_agg(x.d)
              FROM (SELECT d FROM search_people d WHERE d.tenant_id = $1 AND $3 <%% %s LIMIT $2) x
            $q$, v_fuzzy_on)
           INTO v_more
          USING p_tenant, p_candidates, v_fuzzy;
        v_found := v_found || v_more;
    END IF;
    PERFORM set_config('enable_indexscan', 'on', true);

    -- 4. Notes and other interactions with every word; then the ranking.
    RETURN QUERY EXECUTE $q$
        WITH people AS (
            SELECT f.customer_id, f.source,
                   CASE WHEN lower(f.name) = $2 OR f.email = $2 OR f.phone_digits = $5
                            THEN CASE f.source WHEN 'CUSTOMER' THEN 0 ELSE 1 END
                        WHEN f.source = 'CUSTOMER'
                             AND (lower(f.name) LIKE $3 OR f.email LIKE $3 OR f.phone_digits LIKE $5 || '%')
                            THEN 1
                        ELSE 2 END AS tier,
                   (CASE f.source WHEN 'CUSTOMER' THEN 1.0 ELSE 0.5 END)::real
                   * (coalesce(greatest(
                          w.name,
                          CASE WHEN f.label ILIKE $4 THEN 0.9 END,
                          -- (The costliest, and it cannot win over a name that close.)
                          CASE WHEN w.name < 0.8 THEN 0.8 * word_similarity($1, f.label) END,
                          CASE WHEN f.phone_digits LIKE $6 THEN 1 END,
                          0.8 * word_similarity($5, f.phone_digits)), 0)
                      + coalesce(ts_rank(f.document, $7), 0)) AS score
              FROM unnest($11::search_people[]) f,
                   LATERAL (SELECT word_similarity($1, f.name) AS name) w
        ),
        notes AS (
            SELECT n.customer_id, 'INTERACTION'::text AS source, 2 AS tier,
                   (0.3 * ts_rank(n.document, $7, 1))::real AS score
              FROM (SELECT i.customer_id, i.document FROM search_interactions i
                     WHERE i.tenant_id = $8 AND i.document @@ $7
                     LIMIT $9) n
        ),
        per_source AS (
            SELECT h.customer_id, h.source, min(h.tier) AS tier, max(h.score) AS score
              FROM (SELECT * FROM people UNION ALL SELECT * FROM notes) h
             GROUP BY h.customer_id, h.source
        ),
        ranked AS (
            SELECT p.customer_id, min(p.tier) AS tier, sum(p.score)::real AS score
              FROM per_source p
             GROUP BY p.customer_id
        )
        SELECT r.customer_id, r.tier, r.score,
               row_number() OVER (ORDER BY r.tier, r.score DESC, r.customer_id)
          FROM ranked r
         ORDER BY 4
         LIMIT $10
        $q$
    USING p_query,          -- $1
          v_lower,          -- $2
          v_prefix,         -- $3
          v_substring,      -- $4
          p_phone_digits,   -- $5
          v_digits,         -- $6
          v_tsquery,        -- $7
          p_tenant,         -- $8
          p_candidates,     -- $9
          p_limit,          -- $10
          v_found;          -- $11
END
$fn$;

-- Live customers of the caller's tenant that look like p_customer: the same
-- email (any case), the same phone digits, or a name with trigram similarity
-- of at least p_name_similarity. Score: the chance that at least one piece of
-- evidence is right, taking a shared email as 0.9, a shared phone as 0.8 and
-- a similar name as its similarity: 1 - (1 - e)(1 - p)(1 - n).
CREATE FUNCTION app_customer_duplicates(
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

REVOKE ALL ON FUNCTION app_search_customers(uuid, text, text, real, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION app_customer_duplicates(uuid, uuid, text, text, text, real, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_search_customers(uuid, text, text, real, integer, integer) TO crm_app;
GRANT EXECUTE ON FUNCTION app_customer_duplicates(uuid, uuid, text, text, text, real, integer) TO crm_app;

-- ------------------------------------------------------------ merges

-- One row per merge: which customer survived, which one was merged into it
-- (and is now soft-deleted), who did it, and the merged record as it was.
CREATE TABLE customer_merges (
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid        NOT NULL,
    survivor_id uuid        NOT NULL,
    merged_id   uuid        NOT NULL CHECK (merged_id <> survivor_id),
    merged_by   uuid,
    merged_at   timestamptz NOT NULL DEFAULT now(),
    snapshot    jsonb       NOT NULL CHECK (jsonb_typeof(snapshot) = 'object'),
    PRIMARY KEY (tenant_id, id),
    -- A customer is merged away once: afterwards it is deleted.
    CONSTRAINT customer_merges_merged_key UNIQUE (tenant_id, merged_id),
    CONSTRAINT customer_merges_survivor_fkey FOREIGN KEY (tenant_id, survivor_id) REFERENCES customers (tenant_id, id),
    CONSTRAINT customer_merges_merged_fkey FOREIGN KEY (tenant_id, merged_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX customer_merges_survivor_idx ON customer_merges (tenant_id, survivor_id, merged_at);

ALTER TABLE customer_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_merges
    USING (tenant_id = app_current_tenant())
    WITH CHECK (tenant_id = app_current_tenant());

-- A merge record is history: written once, never changed.
GRANT SELECT, INSERT ON customer_merges TO crm_app;
