//! Marketing campaigns: budgets, costs, audiences and members; orders and leads reference them.

use sea_orm_migration::prelude::*;

/// Adds `campaigns`, `campaign_costs`, `campaign_audiences`, `campaign_members` and the campaign references of orders and leads.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000029_campaigns"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0029_campaigns_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0029_campaigns_down.sql"))
            .await?;
        Ok(())
    }
}
