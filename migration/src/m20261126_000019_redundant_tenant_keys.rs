//! Redundant tenant keys: orders and customer history reach their tenant through their customer.

use sea_orm_migration::prelude::*;

/// Drops the second foreign keys to tenants of orders and customer history.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000019_redundant_tenant_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0019_redundant_tenant_keys_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0019_redundant_tenant_keys_down.sql"))
            .await?;
        Ok(())
    }
}
