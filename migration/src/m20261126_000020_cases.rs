//! Service cases: cases, their history, service levels, and interactions about a case.

use sea_orm_migration::prelude::*;

/// Adds `cases`, `case_events`, `case_service_levels`, `case_counters` and `interactions.case_id`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000020_cases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0020_cases_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0020_cases_down.sql"))
            .await?;
        Ok(())
    }
}
