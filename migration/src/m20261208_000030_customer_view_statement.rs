//! The customer 360 view built by one statement in one round trip.

use sea_orm_migration::prelude::*;

/// Adds `customer_view_json`, which binds the tenant for its statement and returns the whole view as JSON.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000030_customer_view_statement"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0030_customer_view_statement_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0030_customer_view_statement_down.sql"))
            .await?;
        Ok(())
    }
}
