DROP TRIGGER IF EXISTS orders_campaign ON orders;
DROP TRIGGER IF EXISTS leads_campaign ON leads;
DROP FUNCTION IF EXISTS campaign_of_code();
ALTER TABLE orders DROP COLUMN IF EXISTS campaign_id;
ALTER TABLE leads DROP COLUMN IF EXISTS campaign_id;
DROP TABLE IF EXISTS campaign_members;
DROP TABLE IF EXISTS campaign_audiences;
DROP TABLE IF EXISTS campaign_costs;
DROP TABLE IF EXISTS campaigns;
