-- Search tables partitioned by workspace.
--
-- The search tables' GIN indexes led with tenant_id (btree_gin), but one
-- index held the entries of every workspace: a trigram or word that many
-- workspaces use had one posting list for all of them, and a search read
-- all of it, so every workspace's searches slowed as the others grew
-- (measured with 10 workspaces of 100,000 customers each: p99 552 ms, against
-- 321 ms with one). Both tables are now hash-partitioned by tenant_id into
-- 32 partitions, and the search reads its workspace's partitions only,
-- shared with at most a few other workspaces.
--
-- Inside a partition the GIN indexes hold the text alone. The searches that
-- read them check the tenant on each row in a form no index serves, `(tenant_id
-- = $1) IS TRUE`: given a tenant_id condition, the planner would intersect a
-- search's matches with all of the tenant's rows read from a btree (25-80 ms
-- for a workspace of 100,000 customers) whenever a partition holds two or
-- more workspaces. The btrees still lead with tenant_id, for ordered scans of
-- one workspace's names, emails and phone numbers, and of its notes.

-- The rows, policies, grants and the triggers that write these tables are
-- unchanged (they name the tables, not partitions). The key to `tenants`
-- goes: the keys to customers and interactions already imply it, and it
-- cost a lookup of the tenant for every row written.

CREATE TABLE search_people_partitioned (
    tenant_id    uuid     NOT NULL,
    source       text     NOT NULL,
    source_id    uuid     NOT NULL,
    customer_id  uuid     NOT NULL,
    name         text     NOT NULL,
    email        text,
    phone_digits text,
    label        text     NOT NULL,
    document     tsvector NOT NULL,
    emails       text[]   NOT NULL DEFAULT '{}',
    phones       text[]   NOT NULL DEFAULT '{}',
    CONSTRAINT search_people_source_check CHECK (source IN ('CUSTOMER', 'CONTACT'))
) PARTITION BY HASH (tenant_id);

CREATE TABLE search_interactions_partitioned (
    tenant_id      uuid     NOT NULL,
    interaction_id uuid     NOT NULL,
    customer_id    uuid     NOT NULL,
    document       tsvector NOT NULL
) PARTITION BY HASH (tenant_id);

DO $$
BEGIN
    FOR i IN 0..31 LOOP
        EXECUTE format('CREATE TABLE search_people_p%s PARTITION OF search_people_partitioned '
                       'FOR VALUES WITH (MODULUS 32, REMAINDER %s)', i, i);
        EXECUTE format('CREATE TABLE search_interactions_p%s PARTITION OF search_interactions_partitioned '
                       'FOR VALUES WITH (MODULUS 32, REMAINDER %s)', i, i);
    END LOOP;
END
$$;

INSERT INTO search_people_partitioned
SELECT tenant_id, source, source_id, customer_id, name, email, phone_digits, label, document, emails, phones
  FROM search_people;
INSERT INTO search_interactions_partitioned
SELECT tenant_id, interaction_id, customer_id, document FROM search_interactions;

DROP TABLE search_people;
DROP TABLE search_interactions;
ALTER TABLE search_people_partitioned RENAME TO search_people;
ALTER TABLE search_interactions_partitioned RENAME TO search_interactions;

ALTER TABLE search_people
    ADD CONSTRAINT search_people_pkey PRIMARY KEY (tenant_id, source, source_id),
    ADD CONSTRAINT search_people_customer_fkey FOREIGN KEY (tenant_id, customer_id)
        REFERENCES customers (tenant_id, id) ON DELETE CASCADE;
CREATE INDEX search_people_customer_idx ON search_people (tenant_id, customer_id);
-- GIN indexes buffer new entries in a pending list that every search reads
-- unsorted; 256 kB (instead of 4 MB) keeps that under a millisecond while
-- writes are still merged in batches.
CREATE INDEX search_people_label_trgm_idx ON search_people
    USING gin (label gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_name_trgm_idx ON search_people
    USING gin (name gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_document_idx ON search_people
    USING gin (document) WITH (gin_pending_list_limit = 256);
CREATE INDEX search_people_emails_idx ON search_people USING gin (emails);
CREATE INDEX search_people_phones_idx ON search_people USING gin (phones);
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
    USING gin (document) WITH (gin_pending_list_limit = 256);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['search_people', 'search_interactions'] LOOP
        -- Enabled, deliberately not forced: see 0004_search_up.sql.
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                       'WITH CHECK (tenant_id = app_current_tenant())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON search_people, search_interactions TO crm_app;

-- The search (0004), reading the workspace's partitions: every statement
-- names the tenant's partition of search_people or search_interactions
-- (same remainder, found with satisfies_hash_partition). Otherwise as
-- before, with two changes: notes with a common word are found among the
-- tenant's first notes (see step 4), and an email address or phone number
-- found exactly is not also matched fuzzily.
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
    v_notes     search_interactions[];
    -- The tenant's partitions of the two search tables (same remainder).
    v_part      integer;
    v_people_t  text;
    v_notes_t   text;
BEGIN
    -- Only the transaction's own tenant is ever searched.
    IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM app_current_tenant() THEN
        RETURN;
    END IF;
    SELECT r INTO v_part FROM generate_series(0, 31) r
     WHERE satisfies_hash_partition('search_people'::regclass, 32, r, p_tenant);
    v_people_t := format('search_people_p%s', v_part);
    v_notes_t := format('search_interactions_p%s', v_part);
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
        SELECT array_agg(x.d::search_people) FROM (
            (SELECT d FROM %1$I d
              WHERE d.tenant_id = $1 AND lower(d.name) LIKE $2
              ORDER BY lower(d.name) USING ~<~ LIMIT $3)
            UNION ALL
            (SELECT d FROM %1$I d
              WHERE d.tenant_id = $1 AND d.email LIKE $2
              ORDER BY d.email USING ~<~ LIMIT $3)
            %2$s) x
        $q$, v_people_t, CASE WHEN p_phone_digits IS NULL THEN '' ELSE format($p$
            UNION ALL
            (SELECT d FROM %I d
              WHERE d.tenant_id = $1 AND d.phone_digits LIKE $4 || '%%'
              ORDER BY d.phone_digits USING ~<~ LIMIT $3)$p$, v_people_t) END)
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
            SELECT array_agg(x.d::search_people)
              FROM (SELECT d FROM %I d WHERE (d.tenant_id = $1) IS TRUE AND (%s) LIMIT $2) x
            $q$, v_people_t, array_to_string(v_literals, ' OR '))
           INTO v_more
          USING p_tenant, p_candidates, v_substring, v_digits, v_tsquery;
        v_found := v_found || v_more;
    END IF;

    -- 3. Fuzzy: trigram word similarity of at least p_word_similarity, or,
    --    for long queries, enough to allow about two typos (a typo changes up
    --    to three trigrams); fewer trigrams to find also make it cheaper.
    --    Not for an email address or phone number that was found exactly:
    --    other addresses that look alike are not what was asked for.
    IF (SELECT count(DISTINCT f.customer_id) FROM unnest(v_found) f) < p_limit
       AND NOT (CASE WHEN p_phone_digits IS NOT NULL OR strpos(p_query, '@') > 0
                     THEN EXISTS (SELECT 1 FROM unnest(v_found) f
                                   WHERE f.email = v_lower OR f.phone_digits = p_phone_digits
                                      OR v_lower = ANY (f.emails) OR p_phone_digits = ANY (f.phones))
                     ELSE false END) THEN
        PERFORM set_config('pg_trgm.word_similarity_threshold',
                           greatest(p_word_similarity, 1 - 6.0 / greatest(v_trigrams, 1))::text, true);
        EXECUTE format($q$
            SELECT array_agg(x.d::search_people)
              FROM (SELECT d FROM %I d WHERE (d.tenant_id = $1) IS TRUE AND $3 <%% %s LIMIT $2) x
            $q$, v_people_t, v_fuzzy_on)
           INTO v_more
          USING p_tenant, p_candidates, v_fuzzy;
        v_found := v_found || v_more;
    END IF;
    PERFORM set_config('enable_indexscan', 'on', true);

    -- 4. Notes and other interactions with every word. The GIN index would
    --    first collect every note with a common word (a third of them, for
    --    some), so the tenant's first notes (by key) are read and, when they
    --    hold enough matches, those are the candidates; otherwise the index
    --    finds them.
    IF v_tsquery IS NOT NULL THEN
        EXECUTE format($q$
            SELECT array_agg(x::search_interactions)
              FROM (SELECT p.tenant_id, p.interaction_id, p.customer_id, p.document
                      FROM (SELECT * FROM %I i WHERE i.tenant_id = $1
                             ORDER BY i.tenant_id, i.interaction_id LIMIT 2000) p
                     WHERE p.document @@ $2 LIMIT $3) x
            $q$, v_notes_t)
           INTO v_notes
          USING p_tenant, v_tsquery, p_candidates;
        IF coalesce(cardinality(v_notes), 0) < p_candidates THEN
            EXECUTE format($q$
                SELECT array_agg(x::search_interactions)
                  FROM (SELECT i.tenant_id, i.interaction_id, i.customer_id, i.document
                          FROM %I i WHERE (i.tenant_id = $1) IS TRUE AND i.document @@ $2 LIMIT $3) x
                $q$, v_notes_t)
               INTO v_notes
              USING p_tenant, v_tsquery, p_candidates;
        END IF;
    END IF;

    -- 5. The ranking.
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
              FROM unnest($12::search_interactions[]) n
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
          v_found,          -- $11
          v_notes;          -- $12
END
$fn$;


REVOKE ALL ON FUNCTION app_search_customers(uuid, text, text, real, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_search_customers(uuid, text, text, real, integer, integer) TO crm_app;
