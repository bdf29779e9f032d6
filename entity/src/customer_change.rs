//! One changed field of a customer (tenant-owned, append-only).

use sea_orm::entity::prelude::*;

/// One entry of `customer_change_entries` (the view over `customer_changes`
/// that lists a creation row's fields as entries of their own): `field`
/// went from `old_value` to `new_value` (JSON as the API shows it; `None`
/// for no value). Writes go to `customer_changes` in SQL.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_change_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub change_set_id: Uuid,
    pub action: String,
    pub field: String,
    pub old_value: Option<Json>,
    pub new_value: Option<Json>,
    pub version: i32,
    pub changed_at: DateTimeUtc,
    pub changed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
