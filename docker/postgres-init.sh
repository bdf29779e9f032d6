#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data volume (it is mounted into
# /docker-entrypoint-initdb.d). Creates the same roles and database as scripts/services.sh:
#   crm_owner  LOGIN CREATEDB, owns the database crm (migrations run as this role)
#   crm_app    LOGIN, no other attribute; CONNECT on crm, no TEMP (the API runs as this role)
# Passwords come from CRM_OWNER_PASSWORD / CRM_APP_PASSWORD (compose passes them in).
# To re-run it, remove the volume: docker compose -f docker/compose.yaml down -v
set -Eeo pipefail # (no -u: the entrypoint may source this file)

: "${CRM_OWNER_PASSWORD:=crm_owner_dev}"
: "${CRM_APP_PASSWORD:=crm_app_dev}"

psql -v ON_ERROR_STOP=1 --no-psqlrc -q \
	--username "${POSTGRES_USER:-postgres}" --dbname postgres \
	--set owner_pw="$CRM_OWNER_PASSWORD" --set app_pw="$CRM_APP_PASSWORD" <<'EOSQL'
SELECT 'CREATE ROLE crm_owner' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_owner') \gexec
SELECT 'CREATE ROLE crm_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') \gexec
ALTER ROLE crm_owner WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
ALTER ROLE crm_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
SELECT 'CREATE DATABASE crm OWNER crm_owner TEMPLATE template0 ENCODING ''UTF8'''
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'crm') \gexec
ALTER DATABASE crm OWNER TO crm_owner;
GRANT CONNECT ON DATABASE crm TO crm_app;
-- No temporary objects for the server role (migration 0026 does the same).
REVOKE TEMPORARY ON DATABASE crm FROM PUBLIC, crm_app;
EOSQL
