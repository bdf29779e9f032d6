//! Tenants, users, memberships, sessions and customers, with tenant isolation.

use sea_orm_migration::prelude::*;

/// The foundation schema: global identity tables and the first tenant-owned table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_foundation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0001_foundation_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0001_foundation_down.sql"))
            .await?;
        Ok(())
    }
}
