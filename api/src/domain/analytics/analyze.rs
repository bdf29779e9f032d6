//! Multi-dimensional analysis: measures (revenue, cost, margin, order and
//! customer counts, average order value) grouped by any combination of
//! dimensions (value tier, RFM segment, product, category, owner, team,
//! region, sales channel, period), in the base currency, in one SQL query.
//!
//! The SQL is assembled only from the fixed fragments below; every input
//! (dates, ids, names) is a bound parameter.
//!
//! Facts are order lines: revenue is a line's net amount and cost its
//! quantity times the product's unit cost, both converted at the rate of the
//! order's UTC date (lines without a rate, or products without a cost, add
//! nothing). Dimensions are described by the columns every fact source
//! shares (customer, owner, team, region, date, product); marketing or
//! service measures join later as further fact sources grouped by the same
//! dimension expressions and combined on the group keys.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::SqlBuilder;
use crate::domain::currencies;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most dimensions in one analysis.
pub const MAX_DIMENSIONS: usize = 4;
/// Most groups an analysis returns.
pub const MAX_GROUPS: usize = 10_000;

/// What can be measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    Revenue,
    Cost,
    Margin,
    OrderCount,
    CustomerCount,
    AverageOrderValue,
}

/// What measures can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    ValueTier,
    RfmSegment,
    Product,
    ProductCategory,
    Owner,
    Team,
    Region,
    SalesChannel,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Dimension {
    /// (group key, display label) as SQL over the joined facts.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Dimension::ValueTier => ("v.tier", "v.tier"),
            Dimension::RfmSegment => ("v.segment", "v.segment"),
            Dimension::Product => ("p.id::text", "p.name"),
            Dimension::ProductCategory => ("p.category", "p.category"),
            Dimension::Owner => ("c.owner_id::text", "coalesce(u.display_name, u.email)"),
            Dimension::Team => ("m.team_id::text", "tm.name"),
            Dimension::Region => ("m.region_id::text", "rg.name"),
            Dimension::SalesChannel => ("o.channel", "o.channel"),
            Dimension::Day => (
                "to_char(date_trunc('day', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
                "to_char(date_trunc('day', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
            ),
            Dimension::Week => (
                "to_char(date_trunc('week', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
                "to_char(date_trunc('week', o.ordered_at AT TIME ZONE 'UTC'), 'IYYY-\"W\"IW')",
            ),
            Dimension::Month => (
                "to_char(date_trunc('month', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
                "to_char(date_trunc('month', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM')",
            ),
            Dimension::Quarter => (
                "to_char(date_trunc('quarter', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
                "to_char(date_trunc('quarter', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-\"Q\"Q')",
            ),
            Dimension::Year => (
                "to_char(date_trunc('year', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
                "to_char(date_trunc('year', o.ordered_at AT TIME ZONE 'UTC'), 'YYYY')",
            ),
        }
    }
}

/// Which facts to analyse; every given condition must hold.
#[derive(Clone, Debug, Default)]
pub struct AnalysisFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub tiers: Option<Vec<&'static str>>,
    pub segments: Option<Vec<&'static str>>,
    pub product_ids: Option<Vec<Uuid>>,
    pub categories: Option<Vec<String>>,
    pub owner_ids: Option<Vec<Uuid>>,
    pub team_ids: Option<Vec<Uuid>>,
    pub region_ids: Option<Vec<Uuid>>,
    pub channels: Option<Vec<&'static str>>,
}

/// One group: its key per dimension (value and label) and its measures.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisRow {
    pub keys: Vec<(Option<String>, Option<String>)>,
    pub revenue: Decimal,
    pub cost: Decimal,
    pub order_count: i64,
    pub customer_count: i64,
}

impl AnalysisRow {
    /// Revenue less cost.
    pub fn margin(&self) -> Decimal {
        self.revenue - self.cost
    }
}

/// The groups of an analysis, in key order, and the grand total.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub currency: String,
    pub rows: Vec<AnalysisRow>,
    pub total: AnalysisRow,
}

fn check_list<T>(field: &str, list: &Option<Vec<T>>) -> Result<()> {
    match list {
        Some(l) if l.len() > crate::domain::filter::MAX_IN_VALUES => Err(Error::validation(
            field,
            format!(
                "a list may hold at most {} values",
                crate::domain::filter::MAX_IN_VALUES
            ),
        )),
        _ => Ok(()),
    }
}

/// Runs the analysis over the orders of the customers the member may see;
/// the grand total of a grouped analysis costs a second aggregate, so it is
/// computed only `with_total` (else it is all zero).
pub async fn analyze(
    tx: &TenantTx,
    measures: &[Measure],
    dimensions: &[Dimension],
    filter: &AnalysisFilter,
    with_total: bool,
) -> Result<Analysis> {
    if measures.is_empty() {
        return Err(Error::validation("measures", "name at least one measure"));
    }
    if dimensions.len() > MAX_DIMENSIONS {
        return Err(Error::validation(
            "dimensions",
            format!("at most {MAX_DIMENSIONS} dimensions"),
        ));
    }
    if dimensions.iter().collect::<HashSet<_>>().len() != dimensions.len() {
        return Err(Error::validation(
            "dimensions",
            "a dimension is given twice",
        ));
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if to <= from {
            return Err(Error::validation("filter.to", "must be after `from`"));
        }
    }
    check_list("filter.productId", &filter.product_ids)?;
    check_list("filter.category", &filter.categories)?;
    check_list("filter.ownerId", &filter.owner_ids)?;
    check_list("filter.teamId", &filter.team_ids)?;
    check_list("filter.regionId", &filter.region_ids)?;

    let base = currencies::base_currency(tx).await?;
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let base_p = sql.bind(base.clone());
    let minor = sql.bind(currencies::minor_units(&base) as i32);
    let revenue = super::in_base_currency(
        "l.net_amount",
        "o.currency",
        "o.ordered_at",
        &base_p,
        &minor,
    );
    let cost = super::in_base_currency(
        "l.quantity * p.unit_cost",
        "p.unit_cost_currency",
        "o.ordered_at",
        &base_p,
        &minor,
    );
    let mut conditions = vec![
        format!("o.tenant_id = {tenant}"),
        format!("o.status NOT IN {}", super::NOT_PURCHASES),
        "c.deleted_at IS NULL".to_owned(),
    ];
    conditions.push(super::visible_customers(tx, &mut sql, &tenant));
    if let Some(from) = filter.from {
        conditions.push(format!("o.ordered_at >= {}", sql.bind(from)));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("o.ordered_at < {}", sql.bind(to)));
    }
    let text_list =
        |v: &Vec<&'static str>| -> Vec<String> { v.iter().map(|s| s.to_string()).collect() };
    if let Some(v) = &filter.tiers {
        conditions.push(format!("v.tier = ANY({})", sql.bind(text_list(v))));
    }
    if let Some(v) = &filter.segments {
        conditions.push(format!("v.segment = ANY({})", sql.bind(text_list(v))));
    }
    if let Some(v) = &filter.channels {
        conditions.push(format!("o.channel = ANY({})", sql.bind(text_list(v))));
    }
    if let Some(v) = &filter.categories {
        conditions.push(format!("p.category = ANY({})", sql.bind(v.clone())));
    }
    for (list, column) in [
        (&filter.product_ids, "p.id"),
        (&filter.owner_ids, "c.owner_id"),
        (&filter.team_ids, "m.team_id"),
        (&filter.region_ids, "m.region_id"),
    ] {
        if let Some(v) = list {
            conditions.push(format!("{column} = ANY({})", sql.bind(v.clone())));
        }
    }

    let mut select = Vec::new();
    let mut group = Vec::new();
    for (i, d) in dimensions.iter().enumerate() {
        let (key, label) = d.sql();
        select.push(format!("{key} AS k{i}, max({label}) AS l{i}"));
        group.push(format!("k{i}"));
    }
    let grouping = if group.is_empty() {
        String::new()
    } else {
        format!(
            "GROUP BY {0} ORDER BY {1}",
            group.join(", "),
            group
                .iter()
                .map(|g| format!("{g} NULLS LAST"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let limit = MAX_GROUPS + 1;
    sql.push(&format!(
        "SELECT {dims}
                coalesce(sum({revenue}), 0) AS revenue,
                coalesce(sum({cost}), 0) AS cost,
                count(DISTINCT o.id) AS order_count,
                count(DISTINCT o.customer_id) AS customer_count
           FROM orders o
           JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
           JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
           JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
           LEFT JOIN memberships m ON m.tenant_id = c.tenant_id AND m.user_id = c.owner_id
           LEFT JOIN users u ON u.id = m.user_id
           LEFT JOIN teams tm ON tm.tenant_id = m.tenant_id AND tm.id = m.team_id
           LEFT JOIN regions rg ON rg.tenant_id = m.tenant_id AND rg.id = m.region_id
           LEFT JOIN customer_values v ON v.tenant_id = o.tenant_id AND v.customer_id = o.customer_id
          WHERE {conditions}
          {grouping}
          LIMIT {limit}",
        dims = select
            .iter()
            .map(|s| format!("{s},"))
            .collect::<Vec<_>>()
            .join(" "),
        conditions = conditions.join(" AND "),
    ));
    let rows = tx.query_all(sql.statement()).await?;
    if rows.len() > MAX_GROUPS {
        return Err(Error::validation(
            "dimensions",
            format!("more than {MAX_GROUPS} groups: narrow the filter or use fewer dimensions"),
        ));
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut keys = Vec::with_capacity(dimensions.len());
        for i in 0..dimensions.len() {
            keys.push((
                row.try_get::<Option<String>>("", &format!("k{i}"))?,
                row.try_get::<Option<String>>("", &format!("l{i}"))?,
            ));
        }
        out.push(AnalysisRow {
            keys,
            revenue: row.try_get("", "revenue")?,
            cost: row.try_get("", "cost")?,
            order_count: row.try_get("", "order_count")?,
            customer_count: row.try_get("", "customer_count")?,
        });
    }
    // Grand total: counts are distinct over all groups, so they are not sums.
    let zero = AnalysisRow {
        keys: Vec::new(),
        revenue: Decimal::ZERO,
        cost: Decimal::ZERO,
        order_count: 0,
        customer_count: 0,
    };
    let total = if dimensions.is_empty() {
        out.first().cloned().unwrap_or(zero)
    } else if with_total {
        Box::pin(analyze(tx, measures, &[], filter, true))
            .await?
            .total
    } else {
        zero
    };
    Ok(Analysis {
        currency: base,
        rows: if dimensions.is_empty() {
            Vec::new()
        } else {
            out
        },
        total,
    })
}
