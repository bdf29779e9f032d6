//! Schema migrations of the CRM.
//!
//! Migrations run as the owner role (`DATABASE_OWNER_URL`). They create the
//! tables, grant the server's non-owner login role (`crm_app`) exactly the
//! privileges it needs, and put every tenant-owned table under forced
//! row-level security. Each migration is plain SQL kept next to its module so
//! that the isolation rules can be read as written.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_identity;
mod m20261125_000003_contacts_interactions;
mod m20261125_000004_search;
mod m20261125_000005_history;
mod m20261125_000006_sales;
mod m20261125_000007_customer_rollups;
mod m20261125_000008_customer_visibility;
mod m20261125_000010_custom_fields;
mod m20261125_000011_pipelines_deals;
mod m20261125_000012_customer_records;
mod m20261125_000013_customer_value;
mod m20261125_000015_order_rollups;
mod m20261126_000016_customer_performance;
mod m20261126_000017_order_links;
mod m20261126_000018_order_import_speed;
mod m20261126_000019_redundant_tenant_keys;
mod m20261126_000020_cases;
mod m20261126_000021_history_write_speed;
mod m20261126_000022_search_partitions;
mod m20261126_000023_customer_sort_keys;
mod m20261126_000024_history_creations;
mod m20261126_000025_case_edit_events;
mod m20261207_000026_definer_search_path;
mod m20261207_000027_waiting_messages;
mod m20261207_000028_segments;
mod m20261207_000029_campaigns;
mod m20261208_000030_customer_view_statement;
mod m20261208_000031_order_revenue_base;
mod m20261208_000032_webhooks;
mod m20261208_000033_campaign_steps;

/// The role the server logs in as. Migrations grant privileges to it; it must
/// exist before migrating (the local services script and the Docker init
/// script create it).
pub const APP_ROLE: &str = "crm_app";

/// The server role's privileges on the database itself (no `TEMPORARY`).
/// Migration 0026 applies them; `CREATE DATABASE ... TEMPLATE` does not copy
/// a database's privileges, so a clone of a migrated database needs them run
/// again, as the database's owner.
pub const DATABASE_PRIVILEGES: &str = include_str!("sql/database_privileges.sql");

/// Runs every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_identity::Migration),
            Box::new(m20261125_000003_contacts_interactions::Migration),
            Box::new(m20261125_000004_search::Migration),
            Box::new(m20261125_000005_history::Migration),
            Box::new(m20261125_000006_sales::Migration),
            Box::new(m20261125_000007_customer_rollups::Migration),
            Box::new(m20261125_000008_customer_visibility::Migration),
            Box::new(m20261125_000010_custom_fields::Migration),
            Box::new(m20261125_000011_pipelines_deals::Migration),
            Box::new(m20261125_000012_customer_records::Migration),
            Box::new(m20261125_000013_customer_value::Migration),
            Box::new(m20261125_000015_order_rollups::Migration),
            Box::new(m20261126_000016_customer_performance::Migration),
            Box::new(m20261126_000017_order_links::Migration),
            Box::new(m20261126_000018_order_import_speed::Migration),
            Box::new(m20261126_000019_redundant_tenant_keys::Migration),
            Box::new(m20261126_000020_cases::Migration),
            Box::new(m20261126_000021_history_write_speed::Migration),
            Box::new(m20261126_000022_search_partitions::Migration),
            Box::new(m20261126_000023_customer_sort_keys::Migration),
            Box::new(m20261126_000024_history_creations::Migration),
            Box::new(m20261126_000025_case_edit_events::Migration),
            Box::new(m20261207_000026_definer_search_path::Migration),
            Box::new(m20261207_000027_waiting_messages::Migration),
            Box::new(m20261207_000028_segments::Migration),
            Box::new(m20261207_000029_campaigns::Migration),
            Box::new(m20261208_000030_customer_view_statement::Migration),
            Box::new(m20261208_000031_order_revenue_base::Migration),
            Box::new(m20261208_000032_webhooks::Migration),
            Box::new(m20261208_000033_campaign_steps::Migration),
        ]
    }
}
