//! Order links: the deal an order closes and the campaign that brought it.

use sea_orm_migration::prelude::*;

/// Adds `orders.deal_id` and `orders.campaign`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000017_order_links"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0017_order_links_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0017_order_links_down.sql"))
            .await?;
        Ok(())
    }
}
