//! A saved group of customers for marketing: dynamic (a filter) or static (a list) (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `segments`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "segments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    pub name: String,
    pub description: Option<String>,
    pub kind: String,
    pub definition: Option<Json>,
    pub condition: Option<Json>,
    pub owner_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub refreshed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
