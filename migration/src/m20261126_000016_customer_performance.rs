//! Customer core performance: set-based search rows for inserted customers, indexes for common segment pages.

use sea_orm_migration::prelude::*;

/// Search rows per insert statement; segment page indexes.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000016_customer_performance"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0016_customer_performance_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0016_customer_performance_down.sql"))
            .await?;
        Ok(())
    }
}
