//! One stay of a deal in a stage: when it entered and left (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `deal_stage_history`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_stage_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub deal_id: Uuid,
    pub stage_id: Uuid,
    pub stage_name: String,
    pub from_stage_id: Option<Uuid>,
    pub entered_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
    pub moved_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
