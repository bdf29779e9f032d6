DROP INDEX IF EXISTS customers_region_stage_last_interaction_idx;
DROP INDEX IF EXISTS customers_region_stage_name_idx;
DROP TRIGGER IF EXISTS search_sync_inserted ON customers;
DROP FUNCTION IF EXISTS search_sync_inserted_customers();
DROP TRIGGER IF EXISTS search_sync ON customers;
CREATE TRIGGER search_sync
    AFTER INSERT OR UPDATE OF name, email, phone, other_emails, other_phones, industry, region, deleted_at
    ON customers FOR EACH ROW EXECUTE FUNCTION search_sync_customer();
