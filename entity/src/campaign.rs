//! A marketing campaign: planned, budgeted, run towards an audience and evaluated (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `campaigns`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub objective: Option<String>,
    pub status: String,
    pub parent_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub region_id: Option<Uuid>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub currency: Option<String>,
    pub budget: Option<Decimal>,
    pub expected_revenue: Option<Decimal>,
    pub expected_responses: Option<i32>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
