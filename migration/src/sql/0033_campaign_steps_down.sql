DROP FUNCTION IF EXISTS claim_campaign_steps(integer, interval);
DROP POLICY IF EXISTS step_worker ON campaigns;
DROP TABLE IF EXISTS campaign_step_deliveries;
DROP TABLE IF EXISTS campaign_step_texts;
DROP TABLE IF EXISTS campaign_steps;
