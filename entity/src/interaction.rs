//! One contact with a customer: call, email, meeting, note, task, … (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `interactions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "interactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub kind: String,
    pub direction: String,
    pub channel: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub subject: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub duration_seconds: Option<i32>,
    pub due_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub logged_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub deal_id: Option<Uuid>,
    #[serde(default)]
    pub case_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
