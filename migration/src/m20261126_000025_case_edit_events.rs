//! Case history records edits of a case's subject, description, kind, channel and contact.

use sea_orm_migration::prelude::*;

/// Widens `case_events.kind` with the edit kinds.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000025_case_edit_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0025_case_edit_events_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0025_case_edit_events_down.sql"))
            .await?;
        Ok(())
    }
}
