//! The outbox of business events of every area (customers, contacts,
//! interactions, leads, deals, orders, cases, analytics runs, members and
//! API keys). Each is inserted in the same transaction as the change it
//! describes, so an event exists exactly when its change committed; the
//! same statement queues its webhook deliveries (a trigger, migration 0032),
//! and pull consumers read the feed ([`feed`]) in commit-safe order. Bulk
//! writes record their events with one statement per batch.

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

/// What happened. Each kind has a versioned payload whose JSON schema
/// [`super::event_schemas`] defines (and `docs/events.md` lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    CustomerCreated,
    CustomerUpdated,
    CustomerDeleted,
    CustomerRestored,
    CustomerMerged,
    ContactCreated,
    ContactUpdated,
    ContactDeleted,
    InteractionLogged,
    LeadCreated,
    LeadConverted,
    DealStageChanged,
    DealWon,
    DealLost,
    OrderCreated,
    OrderStatusChanged,
    CaseOpened,
    CaseStatusChanged,
    CaseRated,
    AnalyticsRunFinished,
    MemberAdded,
    MemberRemoved,
    ApiKeyCreated,
    ApiKeyRevoked,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 24] = [
        EventKind::CustomerCreated,
        EventKind::CustomerUpdated,
        EventKind::CustomerDeleted,
        EventKind::CustomerRestored,
        EventKind::CustomerMerged,
        EventKind::ContactCreated,
        EventKind::ContactUpdated,
        EventKind::ContactDeleted,
        EventKind::InteractionLogged,
        EventKind::LeadCreated,
        EventKind::LeadConverted,
        EventKind::DealStageChanged,
        EventKind::DealWon,
        EventKind::DealLost,
        EventKind::OrderCreated,
        EventKind::OrderStatusChanged,
        EventKind::CaseOpened,
        EventKind::CaseStatusChanged,
        EventKind::CaseRated,
        EventKind::AnalyticsRunFinished,
        EventKind::MemberAdded,
        EventKind::MemberRemoved,
        EventKind::ApiKeyCreated,
        EventKind::ApiKeyRevoked,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CustomerCreated => "CUSTOMER_CREATED",
            EventKind::CustomerUpdated => "CUSTOMER_UPDATED",
            EventKind::CustomerDeleted => "CUSTOMER_DELETED",
            EventKind::CustomerRestored => "CUSTOMER_RESTORED",
            EventKind::CustomerMerged => "CUSTOMER_MERGED",
            EventKind::ContactCreated => "CONTACT_CREATED",
            EventKind::ContactUpdated => "CONTACT_UPDATED",
            EventKind::ContactDeleted => "CONTACT_DELETED",
            EventKind::InteractionLogged => "INTERACTION_LOGGED",
            EventKind::LeadCreated => "LEAD_CREATED",
            EventKind::LeadConverted => "LEAD_CONVERTED",
            EventKind::DealStageChanged => "DEAL_STAGE_CHANGED",
            EventKind::DealWon => "DEAL_WON",
            EventKind::DealLost => "DEAL_LOST",
            EventKind::OrderCreated => "ORDER_CREATED",
            EventKind::OrderStatusChanged => "ORDER_STATUS_CHANGED",
            EventKind::CaseOpened => "CASE_OPENED",
            EventKind::CaseStatusChanged => "CASE_STATUS_CHANGED",
            EventKind::CaseRated => "CASE_RATED",
            EventKind::AnalyticsRunFinished => "ANALYTICS_RUN_FINISHED",
            EventKind::MemberAdded => "MEMBER_ADDED",
            EventKind::MemberRemoved => "MEMBER_REMOVED",
            EventKind::ApiKeyCreated => "API_KEY_CREATED",
            EventKind::ApiKeyRevoked => "API_KEY_REVOKED",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }

    /// The kind of record the event is about.
    pub fn aggregate_type(self) -> &'static str {
        use EventKind::*;
        match self {
            CustomerCreated | CustomerUpdated | CustomerDeleted | CustomerRestored
            | CustomerMerged => "CUSTOMER",
            ContactCreated | ContactUpdated | ContactDeleted => "CONTACT",
            InteractionLogged => "INTERACTION",
            LeadCreated | LeadConverted => "LEAD",
            DealStageChanged | DealWon | DealLost => "DEAL",
            OrderCreated | OrderStatusChanged => "ORDER",
            CaseOpened | CaseStatusChanged | CaseRated => "CASE",
            AnalyticsRunFinished => "ANALYTICS_RUN",
            MemberAdded | MemberRemoved => "MEMBER",
            ApiKeyCreated | ApiKeyRevoked => "API_KEY",
        }
    }

    /// The version of the payload's schema written now; events keep the
    /// version they were written with.
    pub fn payload_version(self) -> i16 {
        1
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
        "INSERT INTO domain_events (tenant_id, id, kind, aggregate_type, aggregate_id, payload, actor,
                                    payload_version)
         SELECT {tenant}, e.event_id, '{kind}', '{aggregate}', e.aggregate_id, e.payload, {actor}, {version}
           FROM {rows} e",
        kind = kind.as_str(),
        aggregate = kind.aggregate_type(),
        version = kind.payload_version(),
    )
}

/// Records events of one kind with a single `INSERT … SELECT FROM unnest`.
pub async fn record_many(
    tx: &TenantTx,
    kind: EventKind,
    events: &[(Uuid, JsonValue)],
) -> Result<()> {
    record_many_on(&**tx, tx.tenant_id(), tx.scope().user_id, kind, events).await
}

/// [`record_many`] on a transaction of the global tables (members, API
/// keys) that has already bound `app.tenant_id` to `tenant_id` (row-level
/// security refuses the insert otherwise).
pub async fn record_many_on(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    actor: Option<Uuid>,
    kind: EventKind,
    events: &[(Uuid, JsonValue)],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    debug_assert!(
        events
            .iter()
            .all(|(_, p)| super::event_schemas::conforms(kind, p).is_ok()),
        "a {} payload does not match its schema: {:?}",
        kind.as_str(),
        events
            .iter()
            .find_map(|(_, p)| super::event_schemas::conforms(kind, p).err())
    );
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
    let aggregates: Vec<Uuid> = events.iter().map(|(id, _)| *id).collect();
    let payloads: Vec<String> = events.iter().map(|(_, p)| p.to_string()).collect();
    conn.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO domain_events (tenant_id, id, kind, aggregate_type, aggregate_id, payload, actor,
                                    payload_version)
         SELECT $1, e.id, $2, $3, e.aggregate_id, e.payload::jsonb, $4, $8
           FROM unnest($5::uuid[], $6::uuid[], $7::text[]) AS e (id, aggregate_id, payload)",
        [
            tenant_id.into(),
            kind.as_str().into(),
            kind.aggregate_type().into(),
            actor.into(),
            ids.into(),
            aggregates.into(),
            payloads.into(),
            kind.payload_version().into(),
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

/// A place in the event feed: just after this event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedPosition {
    /// The writing transaction's id.
    pub txid: i64,
    /// The event's id.
    pub id: Uuid,
}

impl FeedPosition {
    /// The position just after `event`.
    pub fn of(event: &domain_event::Model) -> Self {
        FeedPosition {
            txid: event.txid,
            id: event.id,
        }
    }

    /// The opaque cursor clients keep.
    pub fn encode(self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("feed:{}:{}", self.txid, self.id))
    }

    /// Reads a cursor made by [`FeedPosition::encode`]; `None` when it is not one.
    pub fn decode(cursor: &str) -> Option<Self> {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let mut parts = text.strip_prefix("feed:")?.splitn(2, ':');
        Some(FeedPosition {
            txid: parts.next()?.parse().ok()?,
            id: parts.next()?.parse().ok()?,
        })
    }
}

/// Only events of transactions below the feed's horizon (migration 0032):
/// every transaction of this database that may still commit events has a
/// larger id, so a consumer that keeps the position of the last event it
/// read never misses one that commits later. A long transaction delays the
/// feed's newest events; it never reorders them.
fn settled() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust("domain_events.txid < event_feed_horizon()")
}

/// Up to `limit` events after `after` (from the start without it), of
/// `kinds` (all without them), in commit-safe feed order; and whether more
/// follow now.
pub async fn feed(
    tx: &TenantTx,
    after: Option<FeedPosition>,
    kinds: Option<&[EventKind]>,
    limit: u64,
) -> Result<(Vec<domain_event::Model>, bool)> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut select = DomainEvents::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(settled());
    if let Some(kinds) = kinds {
        select = select.filter(Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
    }
    if let Some(after) = after {
        select = select.filter(Expr::cust_with_values(
            "(domain_events.txid, domain_events.id) > ($1, $2)",
            [sea_orm::Value::from(after.txid), after.id.into()],
        ));
    }
    let mut rows = select
        .order_by_asc(Column::Txid)
        .order_by_asc(Column::Id)
        .limit(limit + 1)
        .all(&**tx)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Deletes events older than `before` of every tenant, in batches, with
/// their webhook deliveries; returns how many went.
pub async fn prune(db: &sea_orm::DatabaseConnection, before: DateTime<Utc>) -> Result<u64> {
    const BATCH: i32 = 10_000;
    let mut total = 0u64;
    loop {
        let row = db
            .query_one(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT prune_domain_events($1, $2) AS gone",
                [before.into(), BATCH.into()],
            ))
            .await?;
        let gone: i64 = match row {
            Some(row) => row.try_get("", "gone")?,
            None => 0,
        };
        total += gone as u64;
        if gone < i64::from(BATCH) {
            return Ok(total);
        }
    }
}
