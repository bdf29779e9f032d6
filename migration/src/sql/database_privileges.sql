-- Database-level privileges of the server role, for the database this runs
-- in. crm_app connects but creates no temporary tables, views or functions
-- (a temporary object could shadow a name a function resolves through
-- pg_temp; the server needs none). Every role gets TEMPORARY through PUBLIC
-- by default, and the set-up scripts used to grant it to crm_app too.
--
-- `CREATE DATABASE ... TEMPLATE` does not copy these privileges, so whoever
-- clones a migrated database runs this again on the copy
-- (`migration::DATABASE_PRIVILEGES`; the test harness does).
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM crm_app', current_database());
END
$$;
