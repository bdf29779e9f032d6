DROP FUNCTION IF EXISTS claim_outbound_messages(integer, interval);
DROP TABLE IF EXISTS rotated_refresh_tokens;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS outbound_messages;
DROP TABLE IF EXISTS invitations;
ALTER TABLE memberships DROP COLUMN IF EXISTS team_id, DROP COLUMN IF EXISTS region_id;
DROP TABLE IF EXISTS regions;
DROP TABLE IF EXISTS teams;
