//! Deliveries of events to endpoints and their attempts (the delivery
//! log). Deliveries are queued by the database as events are written
//! (migration 0032); workers on every node claim due ones across tenants
//! with `FOR UPDATE SKIP LOCKED` ([`claim`]), each attempt by exactly one
//! node, and record outcomes in one statement per batch ([`record`]).
//! Members redeliver one event or replay every event from a feed cursor
//! or a time.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, Statement,
};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::webhook_attempt::{self, Entity as Attempts};
use entity::webhook_delivery::{self, Entity as Deliveries};

use super::endpoints;
use crate::domain::domain_events::FeedPosition;
use crate::domain::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt got a 2xx answer.
    Succeeded,
    /// Every attempt of its series failed: a dead letter.
    Dead,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "PENDING",
            DeliveryStatus::Succeeded => "SUCCEEDED",
            DeliveryStatus::Dead => "DEAD",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "PENDING" => Ok(DeliveryStatus::Pending),
            "SUCCEEDED" => Ok(DeliveryStatus::Succeeded),
            "DEAD" => Ok(DeliveryStatus::Dead),
            other => Err(Error::unknown_stored("webhook delivery status", other)),
        }
    }
}

/// One attempt a worker claimed: the delivery, the endpoint's address and
/// keys, and the event.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Claimed {
    pub tenant_id: Uuid,
    pub delivery_id: Uuid,
    /// This attempt's number (1 for the first).
    pub attempt: i32,
    /// The number of the first attempt of the current series.
    pub series_first_attempt: i32,
    pub series_started_at: DateTime<Utc>,
    pub endpoint_id: Uuid,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub event_id: Uuid,
    pub kind: String,
    pub payload_version: i16,
    pub aggregate_type: String,
    pub aggregate_id: Uuid,
    pub actor: Option<Uuid>,
    pub payload: JsonValue,
    pub occurred_at: DateTime<Utc>,
}

impl Claimed {
    /// The stored keys that sign this attempt: the current one, and the
    /// previous one while its overlap lasts.
    pub fn signing_keys(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut keys = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until) {
            if until > now {
                keys.push(previous);
            }
        }
        keys
    }

    /// The request body: the event around its payload.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "id": self.event_id,
            "type": self.kind,
            "version": self.payload_version,
            "timestamp": self.occurred_at,
            "aggregateType": self.aggregate_type,
            "aggregateId": self.aggregate_id,
            "actor": self.actor,
            "data": self.payload,
        }))
        .expect("an event is JSON")
    }

    /// How many attempts of its series failed before this one.
    pub fn retries_before(&self) -> usize {
        (self.attempt - self.series_first_attempt).max(0) as usize
    }
}

/// Claims up to `max` due attempts of any tenant; none of them is due
/// again before `lease` has passed.
pub async fn claim(
    db: &DatabaseConnection,
    max: usize,
    lease: std::time::Duration,
) -> Result<Vec<Claimed>> {
    Ok(Claimed::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT * FROM claim_webhook_deliveries($1, make_interval(secs => $2))",
        [(max as i32).into(), lease.as_secs_f64().into()],
    ))
    .all(db)
    .await?)
}

/// What became of an attempt.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub tenant_id: Uuid,
    pub delivery_id: Uuid,
    pub endpoint_id: Uuid,
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub succeeded: bool,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// The start of the answer's body.
    pub response_body: Option<String>,
    /// Why there was no acceptable answer.
    pub error: Option<String>,
    /// The delivery's next state; `Pending` with the time of its retry.
    pub next: (DeliveryStatus, Option<DateTime<Utc>>),
}

/// A delivery that just became a dead letter.
#[derive(Clone, Debug, FromQueryResult)]
pub struct DeadLetter {
    pub tenant_id: Uuid,
    pub endpoint_id: Uuid,
    pub delivery_id: Uuid,
    pub series_started_at: DateTime<Utc>,
}

/// Records outcomes of claimed attempts in one statement; returns the
/// deliveries that became dead letters.
pub async fn record(db: &DatabaseConnection, outcomes: &[Outcome]) -> Result<Vec<DeadLetter>> {
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let tenants: Vec<Uuid> = outcomes.iter().map(|o| o.tenant_id).collect();
    let deliveries: Vec<Uuid> = outcomes.iter().map(|o| o.delivery_id).collect();
    let endpoints: Vec<Uuid> = outcomes.iter().map(|o| o.endpoint_id).collect();
    let attempts: Vec<i32> = outcomes.iter().map(|o| o.attempt).collect();
    let at: Vec<DateTime<Utc>> = outcomes.iter().map(|o| o.attempted_at).collect();
    let succeeded: Vec<bool> = outcomes.iter().map(|o| o.succeeded).collect();
    // The arrays hold no nulls: 0, '' and the attempt's time stand for none.
    let codes: Vec<i32> = outcomes
        .iter()
        .map(|o| o.status_code.unwrap_or(0))
        .collect();
    let latencies: Vec<i32> = outcomes.iter().map(|o| o.latency_ms).collect();
    let bodies: Vec<String> = outcomes
        .iter()
        .map(|o| o.response_body.clone().unwrap_or_default())
        .collect();
    let errors: Vec<String> = outcomes
        .iter()
        .map(|o| o.error.clone().unwrap_or_default())
        .collect();
    let statuses: Vec<String> = outcomes
        .iter()
        .map(|o| o.next.0.as_str().to_owned())
        .collect();
    let next: Vec<DateTime<Utc>> = outcomes
        .iter()
        .map(|o| o.next.1.unwrap_or(o.attempted_at))
        .collect();
    Ok(
        DeadLetter::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT * FROM record_webhook_attempts($1::uuid[], $2::uuid[], $3::uuid[], $4::int4[],
                    $5::timestamptz[], $6::bool[], $7::int4[], $8::int4[], $9::text[], $10::text[],
                    $11::text[], $12::timestamptz[])",
            [
                tenants.into(),
                deliveries.into(),
                endpoints.into(),
                attempts.into(),
                at.into(),
                succeeded.into(),
                codes.into(),
                latencies.into(),
                bodies.into(),
                errors.into(),
                statuses.into(),
                next.into(),
            ],
        ))
        .all(db)
        .await?,
    )
}

fn attempt_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "attemptedAt",
            expr: Expr::col((Attempts, webhook_attempt::Column::AttemptedAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Attempts, webhook_attempt::Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

fn attempts_of(tx: &TenantTx, endpoint_id: Uuid) -> sea_orm::Select<Attempts> {
    Attempts::find()
        .filter(webhook_attempt::Column::TenantId.eq(tx.tenant_id()))
        .filter(webhook_attempt::Column::EndpointId.eq(endpoint_id))
}

/// One page of an endpoint's delivery log, newest attempt first.
pub async fn log(
    tx: &TenantTx,
    endpoint_id: Uuid,
    page: &PageRequest,
) -> Result<Page<webhook_attempt::Model>> {
    fetch_page(
        tx,
        attempts_of(tx, endpoint_id),
        &attempt_keys(),
        page,
        |row| vec![SortValue::Time(row.attempted_at), SortValue::Uuid(row.id)],
    )
    .await
}

/// How many attempts an endpoint's log holds.
pub async fn log_count(tx: &TenantTx, endpoint_id: Uuid) -> Result<u64> {
    Ok(attempts_of(tx, endpoint_id).count(&**tx).await?)
}

/// The delivery of `event_id` to `endpoint_id`, if there is one.
pub async fn find(
    tx: &TenantTx,
    endpoint_id: Uuid,
    event_id: Uuid,
) -> Result<Option<webhook_delivery::Model>> {
    Ok(Deliveries::find()
        .filter(webhook_delivery::Column::TenantId.eq(tx.tenant_id()))
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id))
        .filter(webhook_delivery::Column::EventId.eq(event_id))
        .one(&**tx)
        .await?)
}

/// The deliveries with these ids (for the delivery log's attempts).
pub async fn by_ids(tx: &TenantTx, ids: &[Uuid]) -> Result<Vec<webhook_delivery::Model>> {
    Ok(Deliveries::find()
        .filter(webhook_delivery::Column::TenantId.eq(tx.tenant_id()))
        .filter(webhook_delivery::Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?)
}

/// Where a replay starts.
#[derive(Clone, Copy, Debug)]
pub enum ReplayFrom {
    /// After this place in the event feed.
    Cursor(FeedPosition),
    /// Events that occurred at or after this time.
    Time(DateTime<Utc>),
}

/// SQL that queues (or queues again, as a new series) the deliveries to
/// endpoint `$2` of the events chosen by `condition` among the kinds it
/// subscribes to; returns how many.
async fn queue(
    tx: &TenantTx,
    endpoint_id: Uuid,
    condition: &str,
    values: Vec<sea_orm::Value>,
) -> Result<u64> {
    let mut all: Vec<sea_orm::Value> = vec![tx.tenant_id().into(), endpoint_id.into()];
    all.extend(values);
    let result = tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
                 SELECT e.tenant_id, w.id, e.id
                   FROM domain_events e
                   JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.id = $2
                  WHERE e.tenant_id = $1 AND e.kind = ANY (w.event_kinds) AND {condition}
                 ON CONFLICT (tenant_id, endpoint_id, event_id) DO UPDATE
                    SET status = 'PENDING', next_attempt_at = now(), series_started_at = now(),
                        series_first_attempt = webhook_deliveries.attempts + 1, updated_at = now()"
            ),
            all,
        ))
        .await?;
    Ok(result.rows_affected())
}

/// Sends `event_id` to the endpoint again now, as a new series of
/// attempts (whatever the delivery's state); the event must be of a kind
/// the endpoint subscribes to. Returns the delivery.
pub async fn redeliver(
    tx: &TenantTx,
    endpoint_id: Uuid,
    event_id: Uuid,
) -> Result<webhook_delivery::Model> {
    endpoints::find(tx, endpoint_id).await?;
    let queued = queue(tx, endpoint_id, "e.id = $3", vec![event_id.into()]).await?;
    if queued == 0 {
        return Err(Error::NotFound(
            "event of a type the endpoint subscribes to",
        ));
    }
    find(tx, endpoint_id, event_id)
        .await?
        .ok_or(Error::NotFound("webhook delivery"))
}

/// Queues every kept event after `from` of the kinds the endpoint
/// subscribes to (again, as a new series, where it was delivered before);
/// returns how many.
pub async fn replay(tx: &TenantTx, endpoint_id: Uuid, from: ReplayFrom) -> Result<u64> {
    endpoints::find(tx, endpoint_id).await?;
    match from {
        ReplayFrom::Cursor(position) => {
            queue(
                tx,
                endpoint_id,
                "(e.txid, e.id) > ($3, $4)",
                vec![position.txid.into(), position.id.into()],
            )
            .await
        }
        ReplayFrom::Time(at) => {
            queue(tx, endpoint_id, "e.occurred_at >= $3", vec![at.into()]).await
        }
    }
}
