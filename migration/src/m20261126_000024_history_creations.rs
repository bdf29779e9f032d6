//! A new customer's field history as one row, read through a view that lists its fields.

use sea_orm_migration::prelude::*;

/// Adds the view `customer_change_entries` over `customer_changes`, whose creation rows may hold every field.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000024_history_creations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0024_history_creations_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0024_history_creations_down.sql"))
            .await?;
        Ok(())
    }
}
