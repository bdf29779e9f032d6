DROP TABLE IF EXISTS customer_merges;

DROP FUNCTION IF EXISTS app_customer_duplicates(uuid, uuid, text, text, text, real, integer);
DROP FUNCTION IF EXISTS app_search_customers(uuid, text, text, real, integer, integer);
DROP FUNCTION IF EXISTS search_rebuild(uuid);

DROP TRIGGER IF EXISTS search_sync ON interactions;
DROP TRIGGER IF EXISTS search_sync ON contacts;
DROP TRIGGER IF EXISTS search_sync ON customers;
DROP FUNCTION IF EXISTS search_sync_interaction();
DROP FUNCTION IF EXISTS search_sync_contact();
DROP FUNCTION IF EXISTS search_sync_customer();
DROP FUNCTION IF EXISTS search_customer_is_live(uuid, uuid);
DROP FUNCTION IF EXISTS search_index_children(uuid, uuid);
DROP TABLE IF EXISTS search_interactions;
DROP TABLE IF EXISTS search_people;
DROP FUNCTION IF EXISTS search_interaction_document(text, text);
DROP FUNCTION IF EXISTS search_contact_document(text, text, text, text);
DROP FUNCTION IF EXISTS search_customer_document(text, text, text, text, text);
DROP FUNCTION IF EXISTS search_label(text, text, text);
DROP FUNCTION IF EXISTS search_digits(text);

-- Without CASCADE: if a later object still uses them, this fails instead of dropping it.
DROP EXTENSION IF EXISTS btree_gin;
DROP EXTENSION IF EXISTS pg_trgm;
