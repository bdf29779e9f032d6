DROP INDEX IF EXISTS memberships_team_idx;
ALTER TABLE tenants DROP COLUMN IF EXISTS customer_visibility;
