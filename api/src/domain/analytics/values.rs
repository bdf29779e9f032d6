//! Reading the stored customer value figures: per customer (for
//! `Customer.value`, in batches), as filter conditions and sort keys of the
//! customer list, and the tenant summary (tiers, segments, Pareto, models).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr};
use sea_orm::{DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::runs::{self, AnalyticsRun};
use crate::domain::filter::{EnumFilter, IntFilter, RangeFilter, TextFilter};
use crate::domain::pagination::{SortKind, SortValue};
use crate::error::Result;
use crate::tenancy::TenantTx;

/// One customer's stored figures.
#[derive(Clone, Debug, FromQueryResult, serde::Serialize, serde::Deserialize)]
pub struct CustomerValue {
    pub customer_id: Uuid,
    pub run_id: Uuid,
    pub computed_at: DateTime<Utc>,
    pub currency: String,
    pub first_purchase_at: DateTime<Utc>,
    pub last_purchase_at: DateTime<Utc>,
    pub order_count: i32,
    pub frequency: i32,
    pub recency_days: i32,
    pub tenure_days: i32,
    pub monetary_avg: Decimal,
    pub monetary_total: Decimal,
    pub r_score: i16,
    pub f_score: i16,
    pub m_score: i16,
    pub rfm_score: String,
    pub segment: String,
    pub tier: Option<String>,
    pub purchase_interval_days: Option<f64>,
    pub probability_alive: Option<f64>,
    pub expected_purchases_12m: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub clv_12m: Option<Decimal>,
    pub clv: Option<Decimal>,
    pub potential_value: Option<Decimal>,
    pub churn_risk: Option<f64>,
}

/// The stored figures of `customer_ids` (those that have any), in one query.
pub async fn of_customers(
    tx: &TenantTx,
    customer_ids: &[Uuid],
) -> Result<HashMap<Uuid, CustomerValue>> {
    let rows = CustomerValue::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT * FROM customer_values WHERE tenant_id = $1 AND customer_id = ANY($2)",
        [tx.tenant_id().into(), customer_ids.to_vec().into()],
    ))
    .all(&**tx)
    .await?;
    Ok(rows.into_iter().map(|v| (v.customer_id, v)).collect())
}

/// Conditions on a customer's stored figures; all given must hold (and a
/// customer without figures matches none, except `computed: false`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ValueMatch {
    /// True: customers with figures; false: customers without.
    pub computed: Option<bool>,
    pub tier: Option<EnumFilter>,
    pub segment: Option<EnumFilter>,
    pub rfm_score: Option<TextFilter>,
    pub recency_days: Option<IntFilter>,
    pub frequency: Option<IntFilter>,
    pub order_count: Option<IntFilter>,
    pub monetary_total: Option<RangeFilter<Decimal>>,
    pub monetary_avg: Option<RangeFilter<Decimal>>,
    pub clv_12m: Option<RangeFilter<Decimal>>,
    pub potential_value: Option<RangeFilter<Decimal>>,
    pub churn_risk: Option<RangeFilter<f64>>,
    pub probability_alive: Option<RangeFilter<f64>>,
    pub last_purchase_at: Option<crate::domain::filter::TimeFilter>,
}

fn v(column: &str) -> SimpleExpr {
    Expr::col((Alias::new("v"), Alias::new(column))).into()
}

impl ValueMatch {
    /// Checks list sizes; `field` is the filter's path.
    pub fn validate(&self, field: &str) -> Result<()> {
        for (f, name) in [(&self.tier, "tier"), (&self.segment, "segment")] {
            if let Some(f) = f {
                f.validate(&format!("{field}.{name}"))?;
            }
        }
        if let Some(f) = &self.rfm_score {
            f.validate(&format!("{field}.rfmScore"))?;
        }
        Ok(())
    }

    /// The condition on a `customers` row: its figures exist and match
    /// (an indexed semi-join on `customer_values`).
    pub fn condition(&self) -> SimpleExpr {
        use entity::customer::{Column, Entity as Customers};
        let mut inner = sea_orm::Condition::all()
            .add(
                Expr::col((Alias::new("v"), Alias::new("tenant_id")))
                    .equals((Customers, Column::TenantId)),
            )
            .add(
                Expr::col((Alias::new("v"), Alias::new("customer_id")))
                    .equals((Customers, Column::Id)),
            );
        if let Some(f) = &self.tier {
            inner = inner.add(f.condition(v("tier")));
        }
        if let Some(f) = &self.segment {
            inner = inner.add(f.condition(v("segment")));
        }
        if let Some(f) = &self.rfm_score {
            inner = inner.add(f.condition(v("rfm_score")));
        }
        for (f, column) in [
            (&self.recency_days, "recency_days"),
            (&self.frequency, "frequency"),
            (&self.order_count, "order_count"),
        ] {
            if let Some(f) = f {
                inner = inner.add(f.condition(v(column)));
            }
        }
        for (f, column) in [
            (&self.monetary_total, "monetary_total"),
            (&self.monetary_avg, "monetary_avg"),
            (&self.clv_12m, "clv_12m"),
            (&self.potential_value, "potential_value"),
        ] {
            if let Some(f) = f {
                inner = inner.add(f.condition(v(column)));
            }
        }
        for (f, column) in [
            (&self.churn_risk, "churn_risk"),
            (&self.probability_alive, "probability_alive"),
        ] {
            if let Some(f) = f {
                inner = inner.add(f.condition(v(column)));
            }
        }
        if let Some(f) = &self.last_purchase_at {
            inner = inner.add(f.condition(v("last_purchase_at")));
        }
        let exists = Expr::exists(
            Query::select()
                .expr(Expr::value(1))
                .from_as(Alias::new("customer_values"), Alias::new("v"))
                .cond_where(inner)
                .to_owned(),
        );
        if self.computed == Some(false) {
            exists.not()
        } else {
            exists
        }
    }
}

/// The alias of the figures joined to a customer list sorted by one of them.
const SORT_ALIAS: &str = "sort_value";

/// Joins each customer's figures (if any) to a `customers` select, so that
/// a sort by a figure reads them once per customer with a join rather than
/// one look-up per customer.
pub fn join_for_sort<E: sea_orm::EntityTrait>(
    mut select: sea_orm::Select<E>,
) -> sea_orm::Select<E> {
    use sea_orm::QueryTrait;
    select.query().join_as(
        sea_orm::JoinType::LeftJoin,
        Alias::new("customer_values"),
        Alias::new(SORT_ALIAS),
        Expr::cust(format!(
            "\"{SORT_ALIAS}\".tenant_id = \"customers\".tenant_id
             AND \"{SORT_ALIAS}\".customer_id = \"customers\".id"
        )),
    );
    select
}

/// A stored figure customers can be sorted by. Customers without figures
/// sort as if the figure were −1 (first ascending, last descending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueSortField {
    Clv12m,
    ChurnRisk,
    MonetaryTotal,
    ProbabilityAlive,
    RecencyDays,
    PotentialValue,
}

impl ValueSortField {
    /// Stable key name (part of cursors), stored column and key type.
    pub fn spec(self) -> (&'static str, &'static str, SortKind) {
        match self {
            ValueSortField::Clv12m => ("clv12m", "clv_12m", SortKind::Decimal),
            ValueSortField::ChurnRisk => ("churnRisk", "churn_risk", SortKind::Float),
            ValueSortField::MonetaryTotal => ("monetaryTotal", "monetary_total", SortKind::Decimal),
            ValueSortField::ProbabilityAlive => {
                ("probabilityAlive", "probability_alive", SortKind::Float)
            }
            ValueSortField::RecencyDays => ("recency", "recency_days", SortKind::Int),
            ValueSortField::PotentialValue => {
                ("potentialValue", "potential_value", SortKind::Decimal)
            }
        }
    }

    /// Every field, for looking one up by key name.
    pub const ALL: [ValueSortField; 6] = [
        ValueSortField::Clv12m,
        ValueSortField::ChurnRisk,
        ValueSortField::MonetaryTotal,
        ValueSortField::ProbabilityAlive,
        ValueSortField::RecencyDays,
        ValueSortField::PotentialValue,
    ];

    /// The sort expression on a `customers` select joined with
    /// [`join_for_sort`]: the stored figure or −1.
    pub fn expr(self) -> SimpleExpr {
        let (_, column, _) = self.spec();
        // Fixed column names only; nothing from the request reaches this text.
        Expr::cust(format!("COALESCE(\"{SORT_ALIAS}\".{column}, -1)"))
    }

    /// The key value of a customer with figures `value` (or none).
    pub fn value_of(self, value: Option<&CustomerValue>) -> SortValue {
        let decimal = |d: Option<Decimal>| SortValue::Decimal(d.unwrap_or(Decimal::NEGATIVE_ONE));
        let float = |f: Option<f64>| SortValue::Float(f.unwrap_or(-1.0));
        match self {
            ValueSortField::Clv12m => decimal(value.and_then(|v| v.clv_12m)),
            ValueSortField::MonetaryTotal => decimal(value.map(|v| v.monetary_total)),
            ValueSortField::PotentialValue => decimal(value.and_then(|v| v.potential_value)),
            ValueSortField::ChurnRisk => float(value.and_then(|v| v.churn_risk)),
            ValueSortField::ProbabilityAlive => float(value.and_then(|v| v.probability_alive)),
            ValueSortField::RecencyDays => {
                SortValue::Int(value.map_or(-1, |v| i64::from(v.recency_days)))
            }
        }
    }
}

/// Customers and revenue of one tier or segment.
#[derive(Clone, Debug, FromQueryResult)]
pub struct GroupFigures {
    pub name: Option<String>,
    pub customers: i64,
    pub revenue: Decimal,
    pub clv_12m: Option<Decimal>,
}

/// The tenant's customer value summary.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The run whose results are stored (none before the first success).
    pub run: Option<AnalyticsRun>,
    pub tiers: Vec<GroupFigures>,
    pub segments: Vec<GroupFigures>,
}

/// Tiers or segments over the customers the member may see (a sales rep
/// restricted to their own or their team's customers counts only those).
async fn groups(tx: &TenantTx, column: &str) -> Result<Vec<GroupFigures>> {
    let mut sql = super::SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let visible = super::visible_customers(tx, &mut sql, &tenant);
    sql.push(&format!(
        "SELECT v.{column} AS name, count(*) AS customers, sum(v.monetary_total) AS revenue,
                sum(v.clv_12m) AS clv_12m
           FROM customer_values v
           JOIN customers c ON c.tenant_id = v.tenant_id AND c.id = v.customer_id
                           AND c.deleted_at IS NULL
          WHERE v.tenant_id = {tenant} AND {visible}
          GROUP BY v.{column} ORDER BY v.{column}"
    ));
    Ok(GroupFigures::find_by_statement(sql.statement())
        .all(&**tx)
        .await?)
}

/// The summary of the stored results.
pub async fn summary(tx: &TenantTx) -> Result<Summary> {
    Ok(Summary {
        run: runs::latest_succeeded(tx).await?,
        tiers: groups(tx, "tier").await?,
        segments: groups(tx, "segment").await?,
    })
}

/// Customers (and their revenue) with one recency and frequency score,
/// 1..5 each: a cell of the RFM grid.
#[derive(Clone, Debug, FromQueryResult)]
pub struct RfmCell {
    pub r_score: i16,
    pub f_score: i16,
    pub customers: i64,
    pub revenue: Decimal,
}

/// The RFM grid over the customers the member may see: only the cells that
/// hold customers, by recency then frequency score.
pub async fn rfm_grid(tx: &TenantTx) -> Result<Vec<RfmCell>> {
    let mut sql = super::SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let visible = super::visible_customers(tx, &mut sql, &tenant);
    sql.push(&format!(
        "SELECT v.r_score, v.f_score, count(*) AS customers,
                coalesce(sum(v.monetary_total), 0) AS revenue
           FROM customer_values v
           JOIN customers c ON c.tenant_id = v.tenant_id AND c.id = v.customer_id
                           AND c.deleted_at IS NULL
          WHERE v.tenant_id = {tenant} AND {visible}
          GROUP BY v.r_score, v.f_score ORDER BY v.r_score, v.f_score"
    ));
    Ok(RfmCell::find_by_statement(sql.statement())
        .all(&**tx)
        .await?)
}

/// A value figure whose distribution can be asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistributedFigure {
    Clv12m,
    Clv,
    MonetaryTotal,
    ChurnRisk,
    ProbabilityAlive,
}

impl DistributedFigure {
    fn column(self) -> &'static str {
        match self {
            DistributedFigure::Clv12m => "v.clv_12m",
            DistributedFigure::Clv => "v.clv",
            DistributedFigure::MonetaryTotal => "v.monetary_total",
            DistributedFigure::ChurnRisk => "v.churn_risk",
            DistributedFigure::ProbabilityAlive => "v.probability_alive",
        }
    }

    /// Shares (0..1) are bucketed over 0..1; money from its least to its
    /// greatest value.
    fn is_share(self) -> bool {
        matches!(
            self,
            DistributedFigure::ChurnRisk | DistributedFigure::ProbabilityAlive
        )
    }
}

/// One bucket of a distribution: customers whose figure is at least
/// `lower` and below `upper` (the last bucket includes its upper bound).
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub lower: f64,
    pub upper: f64,
    pub customers: i64,
}

/// The most buckets a distribution may have.
pub const MAX_BUCKETS: u32 = 100;

/// How `figure` is distributed over the customers the member may see, in
/// `buckets` equal-width buckets (every bucket listed, empty ones too;
/// none when no customer has the figure).
pub async fn distribution(
    tx: &TenantTx,
    figure: DistributedFigure,
    buckets: u32,
) -> Result<Vec<Bucket>> {
    if !(1..=MAX_BUCKETS).contains(&buckets) {
        return Err(crate::error::Error::validation(
            "buckets",
            format!("must be between 1 and {MAX_BUCKETS}"),
        ));
    }
    let mut sql = super::SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let visible = super::visible_customers(tx, &mut sql, &tenant);
    let n = sql.bind(buckets as i32);
    let x = format!("{}::float8", figure.column());
    let range = if figure.is_share() {
        "SELECT 0::float8 AS lo, 1::float8 AS hi, count(*) AS known FROM figures".to_owned()
    } else {
        "SELECT min(x) AS lo, max(x) AS hi, count(*) AS known FROM figures".to_owned()
    };
    sql.push(&format!(
        "WITH figures AS (
             SELECT {x} AS x
               FROM customer_values v
               JOIN customers c ON c.tenant_id = v.tenant_id AND c.id = v.customer_id
                               AND c.deleted_at IS NULL
              WHERE v.tenant_id = {tenant} AND {visible} AND {x} IS NOT NULL
         ), range AS ({range})
         SELECT r.lo, r.hi, r.known,
                CASE WHEN r.hi > r.lo
                     THEN least(greatest(width_bucket(f.x, r.lo, r.hi, {n}), 1), {n})
                     ELSE 1 END AS bucket,
                count(f.x) AS customers
           FROM range r LEFT JOIN figures f ON true
          GROUP BY r.lo, r.hi, r.known, bucket"
    ));
    #[derive(FromQueryResult)]
    struct Row {
        lo: Option<f64>,
        hi: Option<f64>,
        known: i64,
        bucket: Option<i32>,
        customers: i64,
    }
    let rows = Row::find_by_statement(sql.statement()).all(&**tx).await?;
    let Some((lo, hi)) = rows
        .first()
        .filter(|r| r.known > 0)
        .and_then(|r| Some((r.lo?, r.hi?)))
    else {
        return Ok(Vec::new());
    };
    let (count, width) = if hi > lo {
        (buckets, (hi - lo) / f64::from(buckets))
    } else {
        (1, 0.0)
    };
    let mut out: Vec<Bucket> = (0..count)
        .map(|i| Bucket {
            lower: lo + width * f64::from(i),
            upper: if i + 1 == count {
                hi
            } else {
                lo + width * f64::from(i + 1)
            },
            customers: 0,
        })
        .collect();
    for row in rows {
        if let Some(bucket) = row.bucket {
            let index = (bucket.max(1) as usize - 1).min(out.len() - 1);
            out[index].customers += row.customers;
        }
    }
    Ok(out)
}
