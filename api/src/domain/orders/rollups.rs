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

/// SQL of a relation `d(customer, n, total, last)`: the rollup increments
/// of the orders in `$2..$5` (`customer` keys of type `key_type`, order
/// times, currencies, totals), one row per customer. `$1` is the tenant,
/// `base` and `minor` the placeholders of the base currency and its minor
/// units. The one definition of how orders add up, for [`add`] and for the
/// customers an import creates with their first orders.
pub fn increments_sql(key_type: &str, base: &str, minor: &str) -> String {
    format!(
        "o AS (SELECT * FROM unnest($2::{key_type}[], $3::timestamptz[], $4::text[], $5::numeric[])
                         AS o(customer, ordered_at, currency, total)),
         d AS (SELECT o.customer, count(*) AS n, coalesce(sum({value}), 0) AS total,
                      max(o.ordered_at) AS last
                 FROM o GROUP BY o.customer)",
        value = converted(base, minor),
    )
}

/// The parameters `$2..$5` of [`increments_sql`] for `orders` (those that
/// count), keyed by `key`.
pub fn increments_values<K: Clone + Into<sea_orm::Value>>(
    orders: &[(K, &PlacedOrder)],
) -> [sea_orm::Value; 4]
where
    Vec<K>: Into<sea_orm::Value>,
{
    let counted: Vec<&(K, &PlacedOrder)> =
        orders.iter().filter(|(_, o)| counts(o.status)).collect();
    [
        counted
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<Vec<K>>()
            .into(),
        counted
            .iter()
            .map(|(_, o)| o.ordered_at)
            .collect::<Vec<_>>()
            .into(),
        counted
            .iter()
            .map(|(_, o)| o.currency.clone())
            .collect::<Vec<_>>()
            .into(),
        counted
            .iter()
            .map(|(_, o)| o.total)
            .collect::<Vec<_>>()
            .into(),
    ]
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
        "WITH {increments}
         UPDATE customers c
            SET order_count = c.order_count + d.n,
                order_total = c.order_total + d.total,
                last_order_at = GREATEST(c.last_order_at, d.last)
           FROM d
          WHERE c.tenant_id = $1 AND c.id = d.customer",
        increments = increments_sql("uuid", "$6", "$7"),
    );
    let keyed: Vec<(Uuid, &PlacedOrder)> = counted.iter().map(|o| (o.customer_id, *o)).collect();
    let mut values = vec![tx.tenant_id().into()];
    values.extend(increments_values(&keyed));
    values.push(base.clone().into());
    values.push((currencies::minor_units(&base) as i32).into());
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
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
