//! Order import speed: customers order rollups are updated in place.

use sea_orm_migration::prelude::*;

/// Drops the order rollup indexes; leaves room on customer pages.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000018_order_import_speed"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0018_order_import_speed_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0018_order_import_speed_down.sql"))
            .await?;
        Ok(())
    }
}
