//! Sales records: products and price lists, orders with their lines, and
//! dated exchange rates.

use sea_orm_migration::prelude::*;

/// Products, price lists, orders, order lines and exchange rates.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000006_sales"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0006_sales_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0006_sales_down.sql"))
            .await?;
        Ok(())
    }
}
