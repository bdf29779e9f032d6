DROP INDEX IF EXISTS contacts_email_idx;
DROP INDEX IF EXISTS customers_interaction_count_idx;
DROP INDEX IF EXISTS customers_last_interaction_idx;
ALTER TABLE customers
    DROP COLUMN IF EXISTS contact_count,
    DROP COLUMN IF EXISTS interaction_count,
    DROP COLUMN IF EXISTS open_task_count,
    DROP COLUMN IF EXISTS last_interaction_at;
