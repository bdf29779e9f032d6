//! A business event in the transactional outbox (tenant-owned, append-only).

use sea_orm::entity::prelude::*;

/// One row of `domain_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub aggregate_type: String,
    pub aggregate_id: Uuid,
    pub payload: Json,
    pub actor: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
    /// Version of the payload's schema for its kind.
    pub payload_version: i16,
    /// The writing transaction's id: the pull feed's order.
    pub txid: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
