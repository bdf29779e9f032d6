//! A sales opportunity with a customer, in one stage of a pipeline (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `deals`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    pub name: String,
    pub customer_id: Uuid,
    pub pipeline_id: Uuid,
    pub stage_id: Uuid,
    pub owner_id: Option<Uuid>,
    pub amount: Decimal,
    pub currency: String,
    pub amount_base: Decimal,
    pub expected_close_date: Option<Date>,
    pub status: String,
    pub close_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub stage_entered_at: DateTimeUtc,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
