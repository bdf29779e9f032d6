//! Search tables partitioned by workspace.

use sea_orm_migration::prelude::*;

/// Hash-partitions `search_people` and `search_interactions` by tenant.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000022_search_partitions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0022_search_partitions_up.sql"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0022_search_partitions_down.sql"))
            .await?;
        Ok(())
    }
}
