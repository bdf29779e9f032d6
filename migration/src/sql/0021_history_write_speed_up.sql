-- Field history writes: one index fewer. Creating a customer records one
-- history row per field given (about eight), so a 100,000-row import writes
-- some 800,000 rows; each index on them costs about 6 s per 100,000
-- customers (measured). A customer's history filtered by one field is read
-- through customer_changes_customer_idx (the customer's changes, newest
-- first, filtered by field): a customer's history is short.
DROP INDEX IF EXISTS customer_changes_field_idx;
