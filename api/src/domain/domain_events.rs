//! The outbox of business events: deal stage changes, deals won and lost,
//! orders created, cases opened and their status changes. Each is inserted in the same transaction as the change it
//! describes, so an event exists exactly when its change committed; delivery
//! (webhooks, subscriptions) reads them later. Bulk writes record their
//! events with one statement per batch.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Select,
    Statement,
};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::domain_event::{self, Column, Entity as DomainEvents};

use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::Result;
use crate::tenancy::TenantTx;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    DealStageChanged,
    DealWon,
    DealLost,
    OrderCreated,
    CaseOpened,
    CaseStatusChanged,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 6] = [
        EventKind::DealStageChanged,
        EventKind::DealWon,
        EventKind::DealLost,
        EventKind::OrderCreated,
        EventKind::CaseOpened,
        EventKind::CaseStatusChanged,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::DealStageChanged => "DEAL_STAGE_CHANGED",
            EventKind::DealWon => "DEAL_WON",
            EventKind::DealLost => "DEAL_LOST",
            EventKind::OrderCreated => "ORDER_CREATED",
            EventKind::CaseOpened => "CASE_OPENED",
            EventKind::CaseStatusChanged => "CASE_STATUS_CHANGED",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }

    /// The kind of record the event is about.
    pub fn aggregate_type(self) -> &'static str {
        match self {
            EventKind::OrderCreated => "ORDER",
            EventKind::CaseOpened | EventKind::CaseStatusChanged => "CASE",
            _ => "DEAL",
        }
    }
}

/// Records one event in `tx`.
pub async fn record(
    tx: &TenantTx,
    kind: EventKind,
    aggregate_id: Uuid,
    payload: JsonValue,
) -> Result<()> {
    record_many(tx, kind, &[(aggregate_id, payload)]).await
}

/// SQL recording one event of `kind` per row of `rows`, a relation of the
/// same statement with columns `event_id`, `aggregate_id` and `payload`
/// (jsonb), for bulk writes that build their payloads in SQL. `tenant` and
/// `actor` are placeholders bound by the caller.
pub fn insert_sql(kind: EventKind, rows: &str, tenant: &str, actor: &str) -> String {
    format!(
        "INSERT INTO domain_events (tenant_id, id, kind, aggregate_type, aggregate_id, payload, actor)
         SELECT {tenant}, e.event_id, '{kind}', '{aggregate}', e.aggregate_id, e.payload, {actor}
           FROM {rows} e",
        kind = kind.as_str(),
        aggregate = kind.aggregate_type(),
    )
}

/// Records events of one kind with a single `INSERT … SELECT FROM unnest`.
pub async fn record_many(
    tx: &TenantTx,
    kind: EventKind,
    events: &[(Uuid, JsonValue)],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
    let aggregates: Vec<Uuid> = events.iter().map(|(id, _)| *id).collect();
    let payloads: Vec<String> = events.iter().map(|(_, p)| p.to_string()).collect();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO domain_events (tenant_id, id, kind, aggregate_type, aggregate_id, payload, actor)
         SELECT $1, e.id, $2, $3, e.aggregate_id, e.payload::jsonb, $4
           FROM unnest($5::uuid[], $6::uuid[], $7::text[]) AS e (id, aggregate_id, payload)",
        [
            tx.tenant_id().into(),
            kind.as_str().into(),
            kind.aggregate_type().into(),
            tx.scope().user_id.into(),
            ids.into(),
            aggregates.into(),
            payloads.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Which events to list.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub kinds: Option<Vec<EventKind>>,
    pub aggregate_id: Option<Uuid>,
    pub occurred_after: Option<DateTime<Utc>>,
}

fn events(tx: &TenantTx, filter: &EventFilter) -> Select<DomainEvents> {
    let mut select = DomainEvents::find().filter(Column::TenantId.eq(tx.tenant_id()));
    if let Some(kinds) = &filter.kinds {
        select = select.filter(Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(id) = filter.aggregate_id {
        select = select.filter(Column::AggregateId.eq(id));
    }
    if let Some(at) = filter.occurred_after {
        select = select.filter(Column::OccurredAt.gt(at));
    }
    select
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "occurredAt",
            expr: Expr::col((DomainEvents, Column::OccurredAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((DomainEvents, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// One page of events, newest first.
pub async fn list(
    tx: &TenantTx,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Page<domain_event::Model>> {
    fetch_page(tx, events(tx, filter), &sort_keys(), page, |row| {
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// How many events match.
pub async fn count(tx: &TenantTx, filter: &EventFilter) -> Result<u64> {
    Ok(events(tx, filter).count(&**tx).await?)
}
