//! Orders keep their revenue in the base currency, for analyses that need no line detail.

use sea_orm_migration::prelude::*;

/// Adds `orders.revenue_base` and fills it for existing orders.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000031_order_revenue_base"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0031_order_revenue_base_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0031_order_revenue_base_down.sql"))
            .await?;
        Ok(())
    }
}
