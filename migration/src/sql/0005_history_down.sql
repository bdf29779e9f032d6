DROP TABLE IF EXISTS customer_changes;
