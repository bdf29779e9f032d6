//! A person at a customer (tenant-owned, RLS-protected).

use sea_orm::entity::prelude::*;

/// One row of `contacts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub version: i32,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_channel: Option<String>,
    pub language: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Label of the primary email (`WORK`, `HOME`, `MOBILE`, `OTHER`).
    pub email_label: String,
    /// Further emails: a JSON array of `{"value", "label"}`.
    pub other_emails: Json,
    /// Label of the primary phone.
    pub phone_label: String,
    /// Further phones: a JSON array of `{"value", "label"}`.
    pub other_phones: Json,
    /// Workspace-defined fields (definitions with object `CONTACT`).
    pub custom_fields: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
