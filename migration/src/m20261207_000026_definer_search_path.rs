//! SECURITY DEFINER functions pin `pg_catalog, public, pg_temp` and name
//! tables by schema; the server role may not create temporary objects.

use sea_orm_migration::prelude::*;

/// Safe search paths for the definer functions of 0002 and 0013, and no
/// `TEMPORARY` privilege for `crm_app`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000026_definer_search_path"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(include_str!("sql/0026_definer_search_path_up.sql"))
            .await?;
        db.execute_unprepared(crate::DATABASE_PRIVILEGES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(include_str!("sql/0026_definer_search_path_down.sql"))
            .await?;
        Ok(())
    }
}
