//! Events of every area and their delivery to webhooks.

use sea_orm_migration::prelude::*;

/// Adds the webhook endpoints, deliveries and attempts, the delivery trigger and the event feed's columns.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000032_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0032_webhooks_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0032_webhooks_down.sql"))
            .await?;
        Ok(())
    }
}
