DROP INDEX IF EXISTS interactions_case_idx;
ALTER TABLE interactions DROP COLUMN IF EXISTS case_id;
DROP TABLE IF EXISTS case_events;
DROP TABLE IF EXISTS cases;
DROP TABLE IF EXISTS case_counters;
DROP TABLE IF EXISTS case_service_levels;
