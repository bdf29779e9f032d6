//! Campaign steps: scheduled emails, invitations and call lists, run by the worker.

use sea_orm_migration::prelude::*;

/// Adds campaign steps, their texts and deliveries, and the claim function.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000033_campaign_steps"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0033_campaign_steps_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0033_campaign_steps_down.sql"))
            .await?;
        Ok(())
    }
}
