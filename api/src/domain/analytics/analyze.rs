//! Multi-dimensional analysis: measures (revenue, cost, margin, order and
//! customer counts, average order value; revenue in the order's currency)
//! grouped by any combination of dimensions (value tier, RFM segment,
//! product, category, owner, the owner's team and region, the customer's
//! team and region, sales channel, currency, period), in the base currency,
//! in one SQL query that computes and joins only what the request needs.
//!
//! The SQL is assembled only from the fixed fragments below; every input
//! (dates, ids, names) is a bound parameter.
//!
//! Facts are order lines: revenue is a line's net amount and cost its
//! quantity times the product's unit cost, both converted at the rate of the
//! order's UTC date (lines without a rate, or products without a cost, add
//! nothing). An analysis without product detail or cost reads each order's
//! stored revenue instead (`orders::revenue_base`: the same conversion, kept
//! with the order), one row per order. Dimensions are described by the columns every fact source
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
    /// Net line amounts in the order's own currency; needs the currency
    /// dimension, so that no group adds up different currencies.
    RevenueInOrderCurrency,
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
    /// The customer's own region.
    CustomerRegion,
    /// The customer's team (department).
    CustomerTeam,
    SalesChannel,
    /// The order's currency.
    Currency,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// How a dimension groups the facts.
enum Grouping {
    /// By a value, with a readable label (SQL over the joined facts).
    Value {
        key: &'static str,
        label: &'static str,
    },
    /// By the start of the order's period (`date_trunc` unit), labelled with
    /// a `to_char` format once per group.
    Period {
        unit: &'static str,
        format: &'static str,
    },
}

impl Dimension {
    fn grouping(self) -> Grouping {
        let value = |key, label| Grouping::Value { key, label };
        let period = |unit, format| Grouping::Period { unit, format };
        match self {
            Dimension::ValueTier => value("v.tier", "v.tier"),
            Dimension::RfmSegment => value("v.segment", "v.segment"),
            Dimension::Product => value("p.id::text", "p.name"),
            Dimension::ProductCategory => value("p.category", "p.category"),
            Dimension::Owner => value("c.owner_id::text", "coalesce(u.display_name, u.email)"),
            Dimension::Team => value("m.team_id::text", "tm.name"),
            Dimension::Region => value("m.region_id::text", "rg.name"),
            Dimension::CustomerRegion => value("c.region", "c.region"),
            Dimension::CustomerTeam => value("c.team_id::text", "ct.name"),
            Dimension::SalesChannel => value("o.channel", "o.channel"),
            Dimension::Currency => value("o.currency", "o.currency"),
            Dimension::Day => period("day", "YYYY-MM-DD"),
            Dimension::Week => period("week", "IYYY-\"W\"IW"),
            Dimension::Month => period("month", "YYYY-MM"),
            Dimension::Quarter => period("quarter", "YYYY-\"Q\"Q"),
            Dimension::Year => period("year", "YYYY"),
        }
    }
}

/// A table joined to the orders only when a dimension, filter or measure
/// reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Join {
    Lines,
    Products,
    Owner,
    OwnerName,
    OwnerTeam,
    OwnerRegion,
    CustomerTeam,
    Values,
}

impl Join {
    /// The join's SQL (after `orders o JOIN customers c`), in an order where
    /// each join comes after those it reads.
    const ALL: [(Join, &'static str); 8] = [
        (
            Join::Lines,
            "JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id",
        ),
        (
            Join::Products,
            "JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id",
        ),
        (
            Join::Owner,
            "LEFT JOIN memberships m ON m.tenant_id = c.tenant_id AND m.user_id = c.owner_id",
        ),
        (Join::OwnerName, "LEFT JOIN users u ON u.id = m.user_id"),
        (
            Join::OwnerTeam,
            "LEFT JOIN teams tm ON tm.tenant_id = m.tenant_id AND tm.id = m.team_id",
        ),
        (
            Join::OwnerRegion,
            "LEFT JOIN regions rg ON rg.tenant_id = m.tenant_id AND rg.id = m.region_id",
        ),
        (
            Join::CustomerTeam,
            "LEFT JOIN teams ct ON ct.tenant_id = c.tenant_id AND ct.id = c.team_id",
        ),
        (
            Join::Values,
            "LEFT JOIN customer_values v ON v.tenant_id = o.tenant_id AND v.customer_id = o.customer_id",
        ),
    ];

    /// This join and those it reads.
    fn with_prerequisites(self) -> &'static [Join] {
        match self {
            Join::Lines => &[Join::Lines],
            Join::Products => &[Join::Lines, Join::Products],
            Join::Owner => &[Join::Owner],
            Join::OwnerName => &[Join::Owner, Join::OwnerName],
            Join::OwnerTeam => &[Join::Owner, Join::OwnerTeam],
            Join::OwnerRegion => &[Join::Owner, Join::OwnerRegion],
            Join::CustomerTeam => &[Join::CustomerTeam],
            Join::Values => &[Join::Values],
        }
    }
}

impl Dimension {
    /// What the dimension reads beyond orders and customers.
    fn join(self) -> Option<Join> {
        match self {
            Dimension::ValueTier | Dimension::RfmSegment => Some(Join::Values),
            Dimension::Product | Dimension::ProductCategory => Some(Join::Products),
            Dimension::Owner => Some(Join::OwnerName),
            Dimension::Team => Some(Join::OwnerTeam),
            Dimension::Region => Some(Join::OwnerRegion),
            Dimension::CustomerTeam => Some(Join::CustomerTeam),
            Dimension::CustomerRegion
            | Dimension::SalesChannel
            | Dimension::Currency
            | Dimension::Day
            | Dimension::Week
            | Dimension::Month
            | Dimension::Quarter
            | Dimension::Year => None,
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
    /// Revenue in the group's currency (zero unless the currency dimension
    /// is grouped by and the measure asked for).
    pub revenue_in_order_currency: Decimal,
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

    if measures.contains(&Measure::RevenueInOrderCurrency)
        && !dimensions.contains(&Dimension::Currency)
    {
        return Err(Error::validation(
            "measures",
            "revenue in the order's currency needs the CURRENCY dimension",
        ));
    }

    let base = currencies::base_currency(tx).await?;
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let base_p = sql.bind(base.clone());
    let minor = sql.bind(currencies::minor_units(&base) as i32);
    let wants = |m: &[Measure]| measures.iter().any(|x| m.contains(x));
    let with_revenue = wants(&[
        Measure::Revenue,
        Measure::Margin,
        Measure::AverageOrderValue,
    ]);
    let with_cost = wants(&[Measure::Cost, Measure::Margin]);
    let with_orders = wants(&[Measure::OrderCount, Measure::AverageOrderValue]);
    let with_customers = wants(&[Measure::CustomerCount]);
    let with_order_currency = wants(&[Measure::RevenueInOrderCurrency]);

    let mut joins: HashSet<Join> = dimensions.iter().filter_map(|d| d.join()).collect();
    if with_cost {
        joins.insert(Join::Products);
    }

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
    for (list, column, join) in [
        (&filter.tiers, "v.tier", Some(Join::Values)),
        (&filter.segments, "v.segment", Some(Join::Values)),
        (&filter.channels, "o.channel", None),
    ] {
        if let Some(v) = list {
            conditions.push(format!("{column} = ANY({})", sql.bind(text_list(v))));
            joins.extend(join);
        }
    }
    if let Some(v) = &filter.categories {
        conditions.push(format!("p.category = ANY({})", sql.bind(v.clone())));
        joins.insert(Join::Products);
    }
    for (list, column, join) in [
        (&filter.product_ids, "l.product_id", Some(Join::Lines)),
        (&filter.owner_ids, "c.owner_id", None),
        (&filter.team_ids, "m.team_id", Some(Join::Owner)),
        (&filter.region_ids, "m.region_id", Some(Join::Owner)),
    ] {
        if let Some(v) = list {
            conditions.push(format!("{column} = ANY({})", sql.bind(v.clone())));
            joins.extend(join);
        }
    }
    let joins: HashSet<Join> = joins
        .into_iter()
        .flat_map(|j| j.with_prerequisites().iter().copied())
        .collect();
    let per_line = joins.contains(&Join::Lines);

    let mut select = Vec::new();
    let mut group = Vec::new();
    for (i, d) in dimensions.iter().enumerate() {
        match d.grouping() {
            // Periods are grouped by their start; key (the first day) and
            // label are formatted once per group, not once per row.
            Grouping::Period { unit, format } => {
                let start = format!("date_trunc('{unit}', o.ordered_at AT TIME ZONE 'UTC')");
                select.push(format!(
                    "to_char({start}, 'YYYY-MM-DD') AS k{i}, to_char({start}, '{format}') AS l{i}"
                ));
                group.push(start);
            }
            Grouping::Value { key, label } => {
                select.push(format!("{key} AS k{i}, max({label}) AS l{i}"));
                group.push(key.to_owned());
            }
        }
    }
    let measure = |wanted: bool, sql: String| if wanted { sql } else { "0".to_owned() };
    // Without line detail, each order's stored revenue (its lines converted
    // the same way, `orders::revenue_base`) and total stand for its lines.
    let revenue = measure(
        with_revenue,
        if per_line {
            format!(
                "coalesce(sum({}), 0)",
                super::in_base_currency(
                    "l.net_amount",
                    "o.currency",
                    "o.ordered_at",
                    &base_p,
                    &minor
                )
            )
        } else {
            "coalesce(sum(o.revenue_base), 0)".to_owned()
        },
    );
    let cost = measure(
        with_cost,
        format!(
            "coalesce(sum({}), 0)",
            super::in_base_currency(
                "l.quantity * p.unit_cost",
                "p.unit_cost_currency",
                "o.ordered_at",
                &base_p,
                &minor,
            )
        ),
    );
    let in_order_currency = measure(
        with_order_currency,
        if per_line {
            "coalesce(sum(l.net_amount), 0)".to_owned()
        } else {
            "coalesce(sum(o.total_amount), 0)".to_owned()
        },
    );
    // Each order is one row unless its lines are joined.
    let order_count = measure(
        with_orders,
        if per_line {
            "count(DISTINCT o.id)".to_owned()
        } else {
            "count(*)".to_owned()
        },
    );
    let customer_count = measure(with_customers, "count(DISTINCT o.customer_id)".to_owned());
    let grouping = if group.is_empty() {
        String::new()
    } else {
        format!(
            "GROUP BY {0} ORDER BY {1}",
            group.join(", "),
            (0..group.len())
                .map(|i| format!("k{i} NULLS LAST"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let limit = MAX_GROUPS + 1;
    sql.push(&format!(
        "SELECT {dims}
                {revenue}::numeric AS revenue,
                {cost}::numeric AS cost,
                {in_order_currency}::numeric AS revenue_in_order_currency,
                {order_count}::bigint AS order_count,
                {customer_count}::bigint AS customer_count
           FROM orders o
           JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
           {joins}
          WHERE {conditions}
          {grouping}
          LIMIT {limit}",
        dims = select
            .iter()
            .map(|s| format!("{s},"))
            .collect::<Vec<_>>()
            .join(" "),
        joins = Join::ALL
            .iter()
            .filter(|(j, _)| joins.contains(j))
            .map(|(_, sql)| *sql)
            .collect::<Vec<_>>()
            .join("\n           "),
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
            revenue_in_order_currency: row.try_get("", "revenue_in_order_currency")?,
            cost: row.try_get("", "cost")?,
            order_count: row.try_get("", "order_count")?,
            customer_count: row.try_get("", "customer_count")?,
        });
    }
    // Grand total: counts are distinct over all groups, so they are not sums.
    let zero = AnalysisRow {
        keys: Vec::new(),
        revenue: Decimal::ZERO,
        revenue_in_order_currency: Decimal::ZERO,
        cost: Decimal::ZERO,
        order_count: 0,
        customer_count: 0,
    };
    let total = if dimensions.is_empty() {
        out.first().cloned().unwrap_or(zero)
    } else if with_total
        && measures
            .iter()
            .any(|m| *m != Measure::RevenueInOrderCurrency)
    {
        // Amounts in different currencies have no grand total.
        let in_base: Vec<Measure> = measures
            .iter()
            .copied()
            .filter(|m| *m != Measure::RevenueInOrderCurrency)
            .collect();
        Box::pin(analyze(tx, &in_base, &[], filter, true))
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
