//! Customer and contact records: several emails and phones, postal address, acquisition, team; custom fields on contacts.

use sea_orm_migration::prelude::*;

/// Richer customer and contact records.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000012_customer_records"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0012_customer_records_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0012_customer_records_down.sql"))
            .await?;
        Ok(())
    }
}
