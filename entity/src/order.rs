//! A purchase by a customer: the head of an order (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `orders`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    pub customer_id: Uuid,
    pub external_id: Option<String>,
    pub ordered_at: DateTimeUtc,
    pub currency: String,
    pub channel: String,
    pub status: String,
    pub total_amount: Decimal,
    /// The deal this order closes, if any.
    pub deal_id: Option<Uuid>,
    /// The marketing campaign that brought the order, if any.
    pub campaign: Option<String>,
    /// The campaign of the `campaign` code (set by the database).
    #[serde(default)]
    pub campaign_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
