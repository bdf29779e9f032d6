//! A scheduled step of a campaign: an email, an event invitation or a call
//! list (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `campaign_steps`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub version: i32,
    pub kind: String,
    pub scheduled_at: DateTimeUtc,
    pub status: String,
    pub sent_count: i32,
    pub skipped_count: i32,
    pub attempts: i32,
    pub leased_until: Option<DateTimeUtc>,
    pub error: Option<String>,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
