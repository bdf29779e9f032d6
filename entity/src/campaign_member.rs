//! A customer a campaign targets, and how far the campaign got with it (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `campaign_members`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer_id: Uuid,
    pub status: String,
    pub source_segment_id: Option<Uuid>,
    pub added_at: DateTimeUtc,
    pub status_at: DateTimeUtc,
    pub touched_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
