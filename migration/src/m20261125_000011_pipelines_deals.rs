//! Pipelines, deals, leads and the domain-event outbox.

use sea_orm_migration::prelude::*;

/// Pipelines, deals, leads and domain events.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000011_pipelines_deals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0011_pipelines_deals_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0011_pipelines_deals_down.sql"))
            .await?;
        Ok(())
    }
}
