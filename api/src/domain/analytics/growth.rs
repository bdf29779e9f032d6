//! Growth in three directions for a period, with the same figures for the
//! period of equal length just before it: *wider* (new and won-back
//! customers), *longer* (retention, churn, relationship length) and
//! *deeper* (products per customer, cross-sell rate, revenue per customer).
//! Computed in one SQL statement per period from the orders themselves, so
//! they need no recompute and cover any period.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::FromQueryResult;

use super::SqlBuilder;
use crate::domain::currencies;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest period asked about.
const MAX_PERIOD_DAYS: i64 = 3660;

/// The figures of one period, over the customers the member may see.
#[derive(Clone, Debug, PartialEq)]
pub struct GrowthFigures {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Customers who bought in the period.
    pub active_customers: i64,
    /// Customers whose first purchase ever falls in the period.
    pub new_customers: i64,
    /// Customers who bought in the period after buying nothing for at least
    /// the lapse before it (but having bought earlier).
    pub won_back_customers: i64,
    /// Of the customers who bought in the period before, the share who
    /// bought again in this one (`None` when nobody bought before).
    pub retention_rate: Option<f64>,
    /// 1 − retention rate.
    pub churn_rate: Option<f64>,
    /// Mean days from a buying customer's first purchase ever to their last
    /// purchase in the period.
    pub average_relationship_days: Option<f64>,
    /// Mean number of distinct products a buying customer bought.
    pub products_per_customer: Option<f64>,
    /// Of the buying customers who had bought before the period, the share
    /// who bought a product they had never bought before.
    pub cross_sell_rate: Option<f64>,
    /// Revenue in the base currency.
    pub revenue: Decimal,
    pub revenue_per_customer: Option<Decimal>,
    pub currency: String,
}

/// A period's figures and the previous period's.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    pub current: GrowthFigures,
    pub previous: GrowthFigures,
}

#[derive(Debug, FromQueryResult)]
struct Row {
    active_customers: i64,
    new_customers: i64,
    won_back: i64,
    previous_active: i64,
    retained: i64,
    avg_relationship_days: Option<f64>,
    products: i64,
    returning: i64,
    cross_sold: i64,
    revenue: Option<Decimal>,
}

/// The growth figures of [from, to) and of the period before it. Customers
/// count as lost after `lapse_days` without a purchase.
pub async fn growth(
    tx: &TenantTx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    lapse_days: i32,
) -> Result<Growth> {
    if to <= from {
        return Err(Error::validation("to", "must be after `from`"));
    }
    if to - from > Duration::days(MAX_PERIOD_DAYS) {
        return Err(Error::validation(
            "to",
            format!("the period may span at most {MAX_PERIOD_DAYS} days"),
        ));
    }
    if !(1..=3650).contains(&lapse_days) {
        return Err(Error::validation("lapseDays", "must be between 1 and 3650"));
    }
    let base = currencies::base_currency(tx).await?;
    let length = to - from;
    let previous_from = from - length;
    Ok(Growth {
        current: period(tx, &base, from, to, lapse_days).await?,
        previous: period(tx, &base, previous_from, from, lapse_days).await?,
    })
}

async fn period(
    tx: &TenantTx,
    base: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    lapse_days: i32,
) -> Result<GrowthFigures> {
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let base_p = sql.bind(base.to_owned());
    let minor = sql.bind(currencies::minor_units(base) as i32);
    let start = sql.bind(from);
    let end = sql.bind(to);
    let previous_start = sql.bind(from - (to - from));
    let lapse = sql.bind(lapse_days);
    let visible = super::visible_customers(tx, &mut sql, &tenant);
    let amount = super::in_base_currency(
        "o.total_amount",
        "o.currency",
        "o.ordered_at",
        &base_p,
        &minor,
    );
    sql.push(&format!(
        "WITH purchases AS (
             SELECT o.customer_id, o.id, o.ordered_at, {amount} AS amount
               FROM orders o
               JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
                               AND c.deleted_at IS NULL
              WHERE o.tenant_id = {tenant} AND o.status NOT IN {statuses}
                AND o.ordered_at < {end} AND {visible}
         ), per_customer AS (
             SELECT customer_id,
                    min(ordered_at) AS first_at,
                    max(ordered_at) AS last_at,
                    bool_or(ordered_at >= {start}) AS active,
                    bool_or(ordered_at >= {previous_start} AND ordered_at < {start}) AS active_before,
                    max(ordered_at) FILTER (WHERE ordered_at < {start}) AS last_before,
                    sum(amount) FILTER (WHERE ordered_at >= {start}) AS revenue
               FROM purchases GROUP BY customer_id
         ), products AS (
             SELECT p.customer_id, l.product_id, min(p.ordered_at) AS first_bought,
                    bool_or(p.ordered_at >= {start}) AS in_period
               FROM purchases p
               JOIN order_lines l ON l.tenant_id = {tenant} AND l.order_id = p.id
              GROUP BY p.customer_id, l.product_id
         ), depth AS (
             SELECT customer_id,
                    count(*) FILTER (WHERE in_period) AS in_period,
                    count(*) FILTER (WHERE first_bought >= {start}) AS new_products
               FROM products GROUP BY customer_id
         )
         SELECT count(*) FILTER (WHERE pc.active) AS active_customers,
                count(*) FILTER (WHERE pc.active AND pc.first_at >= {start}) AS new_customers,
                count(*) FILTER (WHERE pc.active AND pc.last_before
                                       < {start} - make_interval(days => {lapse})) AS won_back,
                count(*) FILTER (WHERE pc.active_before) AS previous_active,
                count(*) FILTER (WHERE pc.active_before AND pc.active) AS retained,
                (avg(extract(epoch FROM pc.last_at - pc.first_at) / 86400)
                    FILTER (WHERE pc.active))::float8 AS avg_relationship_days,
                coalesce(sum(d.in_period) FILTER (WHERE pc.active), 0)::int8 AS products,
                count(*) FILTER (WHERE pc.active AND pc.first_at < {start}) AS returning,
                count(*) FILTER (WHERE pc.active AND pc.first_at < {start}
                                       AND d.new_products > 0) AS cross_sold,
                sum(pc.revenue) FILTER (WHERE pc.active) AS revenue
           FROM per_customer pc LEFT JOIN depth d ON d.customer_id = pc.customer_id",
        statuses = super::NOT_PURCHASES,
    ));
    let row = Row::find_by_statement(sql.statement())
        .one(&**tx)
        .await?
        .ok_or_else(|| Error::internal(std::io::Error::other("growth query returned no row")))?;
    let ratio = |n: i64, d: i64| (d > 0).then(|| n as f64 / d as f64);
    let retention = ratio(row.retained, row.previous_active);
    let revenue = row.revenue.unwrap_or_default();
    Ok(GrowthFigures {
        from,
        to,
        active_customers: row.active_customers,
        new_customers: row.new_customers,
        won_back_customers: row.won_back,
        retention_rate: retention,
        churn_rate: retention.map(|r| 1.0 - r),
        average_relationship_days: row.avg_relationship_days,
        products_per_customer: ratio(row.products, row.active_customers),
        cross_sell_rate: ratio(row.cross_sold, row.returning),
        revenue,
        revenue_per_customer: (row.active_customers > 0)
            .then(|| currencies::round(revenue / Decimal::from(row.active_customers), base)),
        currency: base.to_owned(),
    })
}
