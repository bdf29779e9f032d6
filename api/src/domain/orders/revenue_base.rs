//! Each order's revenue in the base currency (`orders.revenue_base`): its
//! lines' net amounts, each converted at the rate in force on the order's UTC
//! date and rounded as analyses convert a line
//! ([`crate::domain::analytics::in_base_currency`]); NULL while no rate is in
//! force. Orders and their lines never change after they are written, so
//! the figure is stored once with the order and again only when a rate it
//! depends on is set; analyses without product detail then read orders
//! instead of converting every line.
//!
//! A write of orders and a rate set in the same currency at once must not
//! leave an order converted without the new rate: both take a transaction
//! lock per tenant and currency (orders shared, rates exclusive) before
//! converting, so the later of the two sees what the earlier committed.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::domain::analytics::{in_base_currency, SqlBuilder};
use crate::domain::currencies;
use crate::error::Result;
use crate::tenancy::TenantTx;

/// The transaction lock of a tenant's conversions in one currency (SQL
/// over `$1`, the tenant, and `o.currency`).
const LOCK_KEY: &str = "hashtextextended('order revenue ' || $1::text || ' ' || o.currency, 0)";

/// Stores the revenue of the orders just written with their lines.
pub async fn store(tx: &TenantTx, order_ids: &[Uuid]) -> Result<()> {
    if order_ids.is_empty() {
        return Ok(());
    }
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "SELECT pg_advisory_xact_lock_shared({LOCK_KEY})
               FROM (SELECT DISTINCT currency FROM orders WHERE tenant_id = $1 AND id = ANY($2)) o"
        ),
        [tx.tenant_id().into(), order_ids.to_vec().into()],
    ))
    .await?;
    refresh(tx, |sql| {
        format!("o.id = ANY({})", sql.bind(order_ids.to_vec()))
    })
    .await
}

/// Restores the revenue of the orders in `currency` placed on or after
/// `from`, which a rate valid from `from` changes.
pub async fn store_for_rate(tx: &TenantTx, currency: &str, from: NaiveDate) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("SELECT pg_advisory_xact_lock({LOCK_KEY}) FROM (SELECT $1::uuid AS t, $2::text AS currency) o"),
        [tx.tenant_id().into(), currency.into()],
    ))
    .await?;
    refresh(tx, |sql| {
        format!(
            "o.currency = {} AND o.ordered_at >= ({}::date)::timestamp AT TIME ZONE 'UTC'",
            sql.bind(currency.to_owned()),
            sql.bind(from)
        )
    })
    .await
}

/// Recomputes `revenue_base` of the tenant's orders matching `which` (a
/// condition over `orders o`, binding its inputs).
async fn refresh(tx: &TenantTx, which: impl FnOnce(&mut SqlBuilder) -> String) -> Result<()> {
    let base = currencies::base_currency(tx).await?;
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let base_p = sql.bind(base.clone());
    let minor = sql.bind(currencies::minor_units(&base) as i32);
    let line = in_base_currency(
        "l.net_amount",
        "o.currency",
        "o.ordered_at",
        &base_p,
        &minor,
    );
    let which = which(&mut sql);
    sql.push(&format!(
        "UPDATE orders o
            SET revenue_base = (SELECT sum({line}) FROM order_lines l
                                 WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id)
          WHERE o.tenant_id = {tenant} AND {which}"
    ));
    tx.execute(sql.statement()).await?;
    Ok(())
}
