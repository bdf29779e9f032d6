//! The sort key of "last interaction" as a stored column.

use sea_orm_migration::prelude::*;

/// Adds `customers.last_interaction_key` and indexes it instead of the expression.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000023_customer_sort_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0023_customer_sort_keys_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0023_customer_sort_keys_down.sql"))
            .await?;
        Ok(())
    }
}
