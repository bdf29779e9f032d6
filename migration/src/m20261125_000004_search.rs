//! Customer search (derived search tables, trigram and full-text indexes,
//! ranked search and duplicate detection functions) and customer merges.

use sea_orm_migration::prelude::*;

/// Search and merges.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000004_search"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0004_search_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0004_search_down.sql"))
            .await?;
        Ok(())
    }
}
