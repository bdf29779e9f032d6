DROP FUNCTION IF EXISTS due_customer_value_tenants(integer);
DROP FUNCTION IF EXISTS queued_analytics_runs(integer, interval);
DROP TABLE IF EXISTS customer_values;
DROP TABLE IF EXISTS analytics_runs;
DROP TABLE IF EXISTS customer_value_settings;
