//! Outgoing messages (invitations, ...): written in the same transaction as
//! the change that causes them, delivered later by the worker.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Set,
    Statement,
};
use uuid::Uuid;

use entity::outbound_message::{self, Column, Entity as Messages};

use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 6;
/// How long a claimed message is left to one worker.
const LEASE: &str = "2 minutes";

/// How one delivery attempt went.
#[derive(Debug)]
pub enum Delivery {
    Sent,
    Printed,
    Failed(String),
}

/// Queues a message in the transaction's tenant.
pub async fn enqueue(
    tx: &TenantTx,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = chrono::Utc::now();
    Messages::insert(outbound_message::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(id),
        kind: Set(kind.to_owned()),
        recipient: Set(recipient.to_owned()),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        status: Set("pending".into()),
        attempts: Set(0),
        last_error: Set(None),
        next_attempt_at: Set(now),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(&**tx)
    .await?;
    Ok(id)
}

/// Claims due messages of every tenant (through the narrow database function
/// that may see across tenants), leasing them to this worker.
pub async fn claim_due(db: &DatabaseConnection, max: i32) -> Result<Vec<outbound_message::Model>> {
    Ok(Messages::find()
        .from_raw_sql(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("SELECT * FROM claim_outbound_messages($1, interval '{LEASE}')"),
            [max.into()],
        ))
        .all(db)
        .await?)
}

/// Most messages `/readyz` counts; beyond it, it says "at least".
pub const WAITING_COUNT_CAP: i32 = 10_000;

/// Messages of every tenant waiting for delivery, counted up to
/// [`WAITING_COUNT_CAP`] (through the narrow database function).
pub async fn count_waiting(db: &DatabaseConnection) -> Result<i64> {
    let row = db
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count_waiting_outbound_messages($1) AS waiting",
            [WAITING_COUNT_CAP.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get("", "waiting")?,
        None => 0,
    })
}

/// Records the outcome of an attempt, in the message's tenant. Failures are
/// retried with exponential back-off until [`MAX_ATTEMPTS`].
pub async fn record_delivery(
    db: &DatabaseConnection,
    message: &outbound_message::Model,
    delivery: Delivery,
) -> Result<()> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(message.tenant_id)).await?;
    let update = Messages::update_many()
        .filter(Column::TenantId.eq(message.tenant_id))
        .filter(Column::Id.eq(message.id));
    let update = match delivery {
        Delivery::Sent | Delivery::Printed => update
            .col_expr(
                Column::Status,
                Expr::value(if matches!(delivery, Delivery::Sent) {
                    "sent"
                } else {
                    "printed"
                }),
            )
            .col_expr(Column::SentAt, Expr::current_timestamp().into())
            .col_expr(Column::LastError, Expr::value(Option::<String>::None)),
        Delivery::Failed(error) => {
            tracing::warn!(message_id = %message.id, attempts = message.attempts, error = %error, "message delivery failed");
            let backoff =
                chrono::Duration::seconds(30 * 2i64.pow(message.attempts.clamp(0, 10) as u32));
            let status = if message.attempts >= MAX_ATTEMPTS {
                "failed"
            } else {
                "pending"
            };
            update
                .col_expr(Column::Status, Expr::value(status))
                .col_expr(
                    Column::LastError,
                    Expr::value(error.chars().take(500).collect::<String>()),
                )
                .col_expr(
                    Column::NextAttemptAt,
                    Expr::value(chrono::Utc::now() + backoff),
                )
        }
    };
    update.exec(&*tx).await?;
    tx.commit().await
}

/// Invitation links carry a secret; admins see them with the secret masked.
pub fn redact(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("crm_inv_") {
        out.push_str(&rest[..start]);
        out.push_str("crm_inv_…");
        let after = &rest[start + "crm_inv_".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// One page of the tenant's outgoing messages, newest first.
pub async fn list(tx: &TenantTx, page: &PageRequest) -> Result<Page<outbound_message::Model>> {
    let select = Messages::find().filter(Column::TenantId.eq(tx.tenant_id()));
    let keys = [
        SortKey {
            name: "createdAt",
            expr: Expr::col((Messages, Column::CreatedAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Messages, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ];
    fetch_page(tx, select, &keys, page, |row| {
        vec![SortValue::Time(row.created_at), SortValue::Uuid(row.id)]
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_secrets_are_masked() {
        let body = "Join: https://crm.example/accept?token=crm_inv_abc-DEF_123 now";
        assert_eq!(
            redact(body),
            "Join: https://crm.example/accept?token=crm_inv_… now"
        );
    }
}
