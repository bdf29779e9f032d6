//! Analytics runs: queued by `recomputeCustomerValue` or the schedule,
//! claimed by exactly one server node, and recorded with their progress,
//! outcome, model parameters and fit diagnostics.
//!
//! One queued-or-running run per tenant is enforced by a unique partial
//! index, so asking again while one is active returns that run; claiming
//! moves a run from QUEUED to RUNNING in one conditional UPDATE, so two nodes
//! never run the same one.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::domain::pagination::{self, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// What started a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// `recomputeCustomerValue`.
    Manual,
    /// The tenant's schedule.
    Schedule,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "MANUAL",
            Trigger::Schedule => "SCHEDULE",
        }
    }
}

/// One run, as stored.
#[derive(Clone, Debug, FromQueryResult)]
pub struct AnalyticsRun {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub trigger: String,
    pub status: String,
    pub progress: f64,
    pub stage: Option<String>,
    pub requested_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub as_of: Option<DateTime<Utc>>,
    pub base_currency: Option<String>,
    pub tier_a_share: Option<Decimal>,
    pub tier_b_share: Option<Decimal>,
    pub horizon_months: Option<i32>,
    pub annual_discount_rate: Option<Decimal>,
    pub customers_scored: Option<i32>,
    pub orders_used: Option<i64>,
    pub orders_without_rate: Option<i64>,
    pub total_revenue: Option<Decimal>,
    pub bgnbd_r: Option<f64>,
    pub bgnbd_alpha: Option<f64>,
    pub bgnbd_a: Option<f64>,
    pub bgnbd_b: Option<f64>,
    pub bgnbd_log_likelihood: Option<f64>,
    pub bgnbd_iterations: Option<i32>,
    pub bgnbd_converged: Option<bool>,
    pub gamma_gamma_p: Option<f64>,
    pub gamma_gamma_q: Option<f64>,
    pub gamma_gamma_v: Option<f64>,
    pub gamma_gamma_log_likelihood: Option<f64>,
    pub gamma_gamma_iterations: Option<i32>,
    pub gamma_gamma_converged: Option<bool>,
    pub gamma_gamma_customers: Option<i32>,
    pub fit_error: Option<String>,
    pub pareto_curve: Option<serde_json::Value>,
    pub top_20_revenue_share: Option<f64>,
    pub customers_for_80_share: Option<f64>,
    pub customers_for_80_count: Option<i32>,
    pub read_ms: Option<i32>,
    pub fit_ms: Option<i32>,
    pub write_ms: Option<i32>,
}

/// Queues a customer value run, or returns the tenant's queued or running
/// one (one at a time per tenant). The flag says whether a new run was queued.
pub async fn request(tx: &TenantTx, trigger: Trigger) -> Result<(AnalyticsRun, bool)> {
    let inserted = AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO analytics_runs (tenant_id, id, trigger, status, requested_by)
         VALUES ($1, $2, $3, 'QUEUED', $4)
         ON CONFLICT (tenant_id, kind) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING
         RETURNING *",
        [
            tx.tenant_id().into(),
            Uuid::now_v7().into(),
            trigger.as_str().into(),
            tx.scope().user_id.into(),
        ],
    ))
    .one(&**tx)
    .await?;
    if let Some(run) = inserted {
        return Ok((run, true));
    }
    let active = AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT * FROM analytics_runs WHERE tenant_id = $1 AND status IN ('QUEUED', 'RUNNING')",
        [tx.tenant_id().into()],
    ))
    .one(&**tx)
    .await?
    .ok_or_else(|| {
        crate::error::Error::conflict("a recompute has just finished; ask again", None)
    })?;
    Ok((active, false))
}

/// The run with `id`, if it is the tenant's.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<AnalyticsRun>> {
    Ok(
        AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT * FROM analytics_runs WHERE tenant_id = $1 AND id = $2",
            [tx.tenant_id().into(), id.into()],
        ))
        .one(&**tx)
        .await?,
    )
}

/// The latest run that succeeded: the one whose results are stored.
pub async fn latest_succeeded(tx: &TenantTx) -> Result<Option<AnalyticsRun>> {
    Ok(
        AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT * FROM analytics_runs WHERE tenant_id = $1 AND status = 'SUCCEEDED'
          ORDER BY finished_at DESC LIMIT 1",
            [tx.tenant_id().into()],
        ))
        .one(&**tx)
        .await?,
    )
}

fn list_keys() -> [SortKey; 2] {
    use sea_orm::sea_query::{Alias, Expr};
    [
        SortKey {
            name: "createdAt",
            expr: Expr::col(Alias::new("created_at")).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col(Alias::new("id")).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// One page of the tenant's runs, newest first.
pub async fn list(tx: &TenantTx, page: &PageRequest) -> Result<Page<AnalyticsRun>> {
    let keys = list_keys();
    let cursor = page
        .cursor
        .as_deref()
        .map(|c| pagination::cursor_values(&keys, page.cursor_field, c))
        .transpose()?;
    // Newest first forward; oldest first when walking backward.
    let (cmp, order) = if page.backward {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let mut values: Vec<sea_orm::Value> = vec![tx.tenant_id().into()];
    let mut condition = String::new();
    if let Some(cursor) = &cursor {
        if let [SortValue::Time(at), SortValue::Uuid(id)] = cursor.as_slice() {
            values.push((*at).into());
            values.push((*id).into());
            condition = format!(" AND (created_at, id) {cmp} ($2, $3)");
        }
    }
    let limit = page.limit as i64 + 1;
    values.push(limit.into());
    let sql = format!(
        "SELECT * FROM analytics_runs WHERE tenant_id = $1{condition}
          ORDER BY created_at {order}, id {order} LIMIT ${}",
        values.len()
    );
    let mut rows = AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .all(&**tx)
    .await?;
    let more = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    if page.backward {
        rows.reverse();
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            (
                pagination::cursor(
                    &keys,
                    vec![SortValue::Time(r.created_at), SortValue::Uuid(r.id)],
                ),
                r,
            )
        })
        .collect();
    let behind = cursor.is_some();
    Ok(Page {
        rows,
        has_next_page: if page.backward { behind } else { more },
        has_previous_page: if page.backward { more } else { behind },
    })
}

/// How many runs the tenant has had.
pub async fn count(tx: &TenantTx) -> Result<u64> {
    let row = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM analytics_runs WHERE tenant_id = $1",
            [tx.tenant_id().into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64)
}

/// Moves the run from QUEUED to RUNNING; `None` when another node got it
/// first (or it is no longer queued).
pub async fn claim(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<AnalyticsRun>> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    let run = AnalyticsRun::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_runs
            SET status = 'RUNNING', started_at = now(), heartbeat_at = now(),
                stage = 'starting', progress = 0
          WHERE tenant_id = $1 AND id = $2 AND status = 'QUEUED'
          RETURNING *",
        [tenant_id.into(), id.into()],
    ))
    .one(&*tx)
    .await?;
    tx.commit().await?;
    Ok(run)
}

/// Records progress (0..=1) and the current stage; doubles as the heartbeat.
pub async fn report_progress(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    id: Uuid,
    progress: f64,
    stage: &str,
) -> Result<()> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_runs SET progress = $3, stage = $4, heartbeat_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'RUNNING'",
        [
            tenant_id.into(),
            id.into(),
            progress.clamp(0.0, 1.0).into(),
            stage.into(),
        ],
    ))
    .await?;
    tx.commit().await
}

/// Hands a running run back to the queue (its node is shutting down), so
/// the worker of any node starts it again from the beginning.
pub async fn requeue(db: &DatabaseConnection, tenant_id: Uuid, id: Uuid) -> Result<()> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_runs
            SET status = 'QUEUED', started_at = NULL, heartbeat_at = NULL, stage = NULL, progress = 0
          WHERE tenant_id = $1 AND id = $2 AND status = 'RUNNING'",
        [tenant_id.into(), id.into()],
    ))
    .await?;
    tx.commit().await
}

/// Marks the run failed with a message safe to show.
pub async fn fail(db: &DatabaseConnection, tenant_id: Uuid, id: Uuid, message: &str) -> Result<()> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    let failed = tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE analytics_runs SET status = 'FAILED', finished_at = now(), error = $3, stage = NULL
              WHERE tenant_id = $1 AND id = $2 AND status = 'RUNNING'",
            [tenant_id.into(), id.into(), message.into()],
        ))
        .await?;
    if failed.rows_affected() > 0 {
        record_finished(&tx, id, "FAILED").await?;
    }
    tx.commit().await
}

/// Records the `ANALYTICS_RUN_FINISHED` event of a run that just ended
/// with `status`, in the transaction that ended it.
pub async fn record_finished(tx: &TenantTx, run_id: Uuid, status: &str) -> Result<()> {
    crate::domain::domain_events::record(
        tx,
        crate::domain::domain_events::EventKind::AnalyticsRunFinished,
        run_id,
        serde_json::json!({ "runId": run_id, "status": status, "finishedAt": chrono::Utc::now() }),
    )
    .await
}

/// Queued runs of any tenant, oldest first, after failing runs whose node
/// stopped sending heartbeats for `lease`. For the background worker.
pub async fn queued(
    db: &DatabaseConnection,
    max: i32,
    lease: std::time::Duration,
) -> Result<Vec<(Uuid, Uuid)>> {
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT tenant_id, id FROM queued_analytics_runs($1, make_interval(secs => $2))",
            [max.into(), lease.as_secs_f64().into()],
        ))
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("", "tenant_id")?, r.try_get("", "id")?)))
        .collect()
}

/// Tenants whose scheduled recompute is due. For the background worker.
pub async fn due_tenants(db: &DatabaseConnection, max: i32) -> Result<Vec<Uuid>> {
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT t AS tenant_id FROM due_customer_value_tenants($1) AS t",
            [max.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|r| Ok(r.try_get("", "tenant_id")?))
        .collect()
}

/// Queues a scheduled run for `tenant_id` (nothing when one is active).
pub async fn queue_scheduled(db: &DatabaseConnection, tenant_id: Uuid) -> Result<Option<Uuid>> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    let (run, created) = request(&tx, Trigger::Schedule).await?;
    tx.commit().await?;
    Ok(created.then_some(run.id))
}
