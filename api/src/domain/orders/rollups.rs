//! Order rollups on customers: order count, total in the tenant's base
//! currency and last order time, kept in the same transaction as the writes
//! they summarise so that they can be filtered and sorted like any field.
//!
//! Cancelled and refunded orders do not count. Each order is converted at the
//! rate in force on its (UTC) date and rounded to the base currency's minor
//! units, as `Order.totalInBaseCurrency` is; an order without a rate in force
//! counts but adds nothing to the total until a rate is set (setting one
//! refreshes the customers it concerns).
//!
//! New orders are added as increments, which stay right when concurrent
//! transactions add orders to the same customer. Every other change (status,
//! merge, exchange rate) recounts the customers from their orders after
//! locking them, so a concurrent increment lands before or after the recount,
//! never inside it. Customers are always locked in id order, so concurrent
//! writers cannot deadlock on them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::OrderStatus;
use crate::domain::currencies;
use crate::error::Result;
use crate::tenancy::TenantTx;

/// An order as the rollups see it.
#[derive(Clone, Debug)]
pub struct PlacedOrder {
    pub customer_id: Uuid,
    pub ordered_at: DateTime<Utc>,
    pub currency: String,
    pub total: Decimal,
    pub status: OrderStatus,
}

/// Whether an order with `status` counts in the rollups.
pub fn counts(status: OrderStatus) -> bool {
    !matches!(status, OrderStatus::Cancelled | OrderStatus::Refunded)
}

/// The base-currency value of `o.total_amount`/`o.currency` on `o.ordered_at`
/// (SQL over an `o` row with columns `currency`, `total`, `ordered_at`;
/// `$base` and `$minor` are the base currency and its minor units).
fn converted(base: &str, minor: &str) -> String {
    format!(
        "CASE WHEN o.currency = {base} THEN o.total
              ELSE round(o.total * (SELECT e.rate FROM exchange_rates e
                                     WHERE e.tenant_id = $1 AND e.currency = o.currency
                                       AND e.valid_from <= (o.ordered_at AT TIME ZONE 'UTC')::date
                                     ORDER BY e.valid_from DESC LIMIT 1), {minor}) END"
    )
}

/// Locks the customers' rows in id order. `FOR NO KEY UPDATE` (what the
/// rollup update itself takes) and not `FOR UPDATE`: the latter would
/// conflict with the key-share locks that inserting orders takes on their
/// customers (the foreign key), so two imports whose orders share customers
/// would deadlock.
async fn lock(tx: &TenantTx, customer_ids: &mut Vec<Uuid>) -> Result<()> {
    customer_ids.sort_unstable();
    customer_ids.dedup();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT 1 FROM customers WHERE tenant_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE",
        [tx.tenant_id().into(), customer_ids.clone().into()],
    ))
    .await?;
    Ok(())
}

/// Adds newly written orders to their customers' rollups (and marks
/// their customers' views as changed).
pub async fn add(tx: &TenantTx, orders: &[PlacedOrder]) -> Result<()> {
    // Every new order shows in its customer's 360 view, counted or not.
    let placed_for: Vec<Uuid> = orders.iter().map(|o| o.customer_id).collect();
    tx.touch_customers(&placed_for);
    let counted: Vec<&PlacedOrder> = orders.iter().filter(|o| counts(o.status)).collect();
    if counted.is_empty() {
        return Ok(());
    }
    let base = currencies::base_currency(tx).await?;
    let mut customer_ids: Vec<Uuid> = counted.iter().map(|o| o.customer_id).collect();
    lock(tx, &mut customer_ids).await?;
    let sql = format!(
        "WITH o AS (SELECT * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::numeric[])
                             AS o(customer_id, ordered_at, currency, total)),
              d AS (SELECT o.customer_id, count(*) AS n, coalesce(sum({value}), 0) AS total,
                           max(o.ordered_at) AS last
                      FROM o GROUP BY o.customer_id)
         UPDATE customers c
            SET order_count = c.order_count + d.n,
                order_total = c.order_total + d.total,
                last_order_at = GREATEST(c.last_order_at, d.last)
           FROM d
          WHERE c.tenant_id = $1 AND c.id = d.customer_id",
        value = converted("$6", "$7"),
    );
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [
            tx.tenant_id().into(),
            counted
                .iter()
                .map(|o| o.customer_id)
                .collect::<Vec<_>>()
                .into(),
            counted
                .iter()
                .map(|o| o.ordered_at)
                .collect::<Vec<_>>()
                .into(),
            counted
                .iter()
                .map(|o| o.currency.clone())
                .collect::<Vec<_>>()
                .into(),
            counted.iter().map(|o| o.total).collect::<Vec<_>>().into(),
            base.clone().into(),
            (currencies::minor_units(&base) as i32).into(),
        ],
    ))
    .await?;
    for id in customer_ids {
        tx.touch_customer(id);
    }
    Ok(())
}

/// Recounts the customers' rollups from their orders.
pub async fn recount(tx: &TenantTx, customer_ids: &[Uuid]) -> Result<()> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    let mut customer_ids = customer_ids.to_vec();
    lock(tx, &mut customer_ids).await?;
    let base = currencies::base_currency(tx).await?;
    let sql = format!(
        "UPDATE customers c
            SET order_count = s.n, order_total = s.total, last_order_at = s.last
           FROM unnest($2::uuid[]) AS u(id)
           CROSS JOIN LATERAL (
                 SELECT count(*) AS n, coalesce(sum({value}), 0) AS total, max(o.ordered_at) AS last
                   FROM (SELECT currency, total_amount AS total, ordered_at FROM orders
                          WHERE tenant_id = $1 AND customer_id = u.id
                            AND status NOT IN ('CANCELLED', 'REFUNDED')) o) s
          WHERE c.tenant_id = $1 AND c.id = u.id",
        value = converted("$3", "$4"),
    );
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [
            tx.tenant_id().into(),
            customer_ids.clone().into(),
            base.clone().into(),
            (currencies::minor_units(&base) as i32).into(),
        ],
    ))
    .await?;
    for id in customer_ids {
        tx.touch_customer(id);
    }
    Ok(())
}

/// Recounts the customers with orders in `currency` placed on or after
/// `from`, whose totals a rate valid from `from` changes.
pub async fn recount_for_rate(tx: &TenantTx, currency: &str, from: NaiveDate) -> Result<()> {
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT DISTINCT customer_id FROM orders
              WHERE tenant_id = $1 AND currency = $2 AND ordered_at >= ($3::date)::timestamp AT TIME ZONE 'UTC'",
            [tx.tenant_id().into(), currency.into(), from.into()],
        ))
        .await?;
    let ids = rows
        .iter()
        .map(|row| row.try_get::<Uuid>("", "customer_id"))
        .collect::<Result<Vec<_>, _>>()?;
    recount(tx, &ids).await
}
