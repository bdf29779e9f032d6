-- Which customers sales reps see: all of the tenant's, their team's, or
-- only their own. Enforced in the SQL of every customer query.
ALTER TABLE tenants
    ADD COLUMN customer_visibility text NOT NULL DEFAULT 'ALL'
        CHECK (customer_visibility IN ('ALL', 'TEAM', 'OWN'));
CREATE INDEX memberships_team_idx ON memberships (tenant_id, team_id);
