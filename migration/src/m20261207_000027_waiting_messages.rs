//! A count of the messages waiting for delivery, across tenants, for `/readyz`.

use sea_orm_migration::prelude::*;

/// Adds `count_waiting_outbound_messages(cap)`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000027_waiting_messages"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0027_waiting_messages_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0027_waiting_messages_down.sql"))
            .await?;
        Ok(())
    }
}
