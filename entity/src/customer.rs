//! A customer of a tenant: a company or a person (tenant-owned, RLS-protected).

use sea_orm::entity::prelude::*;

/// One customer. `deleted_at` marks a soft delete.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    pub kind: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub external_id: Option<String>,
    pub lifecycle_stage: String,
    pub owner_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub custom_fields: Json,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    pub contact_count: i32,
    pub interaction_count: i32,
    pub open_task_count: i32,
    pub last_interaction_at: Option<DateTimeUtc>,
    pub order_count: i32,
    /// In the tenant's base currency.
    pub order_total: Decimal,
    pub last_order_at: Option<DateTimeUtc>,
    pub open_deal_count: i32,
    pub open_deal_amount: Decimal,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
