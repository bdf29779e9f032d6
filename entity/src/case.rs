//! A service case: an inquiry, complaint, suggestion, request or problem of
//! a customer, handled against service levels (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `cases`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: i64,
    pub version: i32,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub kind: String,
    pub status: String,
    pub priority: String,
    pub channel: String,
    pub owner_id: Option<Uuid>,
    pub first_response_due_at: DateTimeUtc,
    pub resolution_due_at: DateTimeUtc,
    pub first_responded_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution: Option<String>,
    pub satisfaction_score: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub satisfaction_comment: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
