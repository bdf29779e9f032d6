//! The subject and body of a campaign step in one language (tenant-owned).

use sea_orm::entity::prelude::*;

/// One row of `campaign_step_texts`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_step_texts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub step_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub language: String,
    pub subject: String,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
