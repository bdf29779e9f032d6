-- Back to one search table of each kind for all workspaces (as 0004 and 0012 made them).

CREATE TABLE search_people_single (
    tenant_id    uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    source       text     NOT NULL CHECK (source IN ('CUSTOMER', 'CONTACT')),
    source_id    uuid     NOT NULL,
    customer_id  uuid     NOT NULL,
    name         text     NOT NULL,
    email        text,
    phone_digits text,
    label        text     NOT NULL,
    document     tsvector NOT NULL,
    emails       text[]   NOT NULL DEFAULT '{}',
    phones       text[]   NOT NULL DEFAULT '{}'
);
CREATE TABLE search_interactions_single (
    tenant_id      uuid     NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    interaction_id uuid     NOT NULL,
    customer_id    uuid     NOT NULL,
    document       tsvector NOT NULL
);
INSERT INTO search_people_single SELECT * FROM search_people;
INSERT INTO search_interactions_single SELECT * FROM search_interactions;
DROP TABLE search_people;
DROP TABLE search_interactions;
ALTER TABLE search_people_single RENAME TO search_people;
ALTER TABLE search_interactions_single RENAME TO search_interactions;

ALTER TABLE search_people
    ADD CONSTRAINT search_people_pkey PRIMARY KEY (tenant_id, source, source_id),
    ADD CONSTRAINT search_people_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE;
CREATE INDEX search_people_customer_idx ON search_people (tenant_id, customer_id);
CREATE INDEX search_people_label_trgm_idx ON search_people
    USING gin (tenant_id, label gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_name_trgm_idx ON search_people
    USING gin (tenant_id, name gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_document_idx ON search_people
    USING gin (tenant_id, document) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_emails_idx ON search_people USING gin (tenant_id, emails);
CREATE INDEX search_people_phones_idx ON search_people USING gin (tenant_id, phones);
CREATE INDEX search_people_name_prefix_idx ON search_people (tenant_id, lower(name) text_pattern_ops);
CREATE INDEX search_people_email_prefix_idx ON search_people (tenant_id, email text_pattern_ops);
CREATE INDEX search_people_phone_prefix_idx ON search_people (tenant_id, phone_digits text_pattern_ops);

ALTER TABLE search_interactions
    ADD CONSTRAINT search_interactions_pkey PRIMARY KEY (tenant_id, interaction_id),
    ADD CONSTRAINT search_interactions_interaction_fkey FOREIGN KEY (tenant_id, interaction_id)
        REFERENCES interactions (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT search_interactions_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE;
CREATE INDEX search_interactions_customer_idx ON search_interactions (tenant_id, customer_id);
CREATE INDEX search_interactions_document_idx ON search_interactions
    USING gin (tenant_id, document) WITH (gin_pending_list_limit = 256);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['search_people', 'search_interactions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON search_people, search_interactions TO crm_app;

-- The search as 0004 wrote it.
SELECT similarity('', '');
CREATE OR REPLACE FUNCTION app_search_customers(
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

