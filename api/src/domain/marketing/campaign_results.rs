//! What campaigns brought: members reached and responding, leads, orders
//! naming them, costs, and the revenue attributed to each under first-
//! touch, last-touch and linear attribution, all in the workspace's base
//! currency and over the customers the reader may see. A programme's
//! results include those of its campaigns, at any depth.
//!
//! A customer's touches are the campaigns that reached it (a member status
//! past `TARGETED` other than `BOUNCED`, from when it was first reached)
//! and the campaigns its orders name (at the order's time). An order's
//! revenue is credited to the touches within the attribution window
//! before it: all to the earliest (first touch), all to the latest (last
//! touch), or split equally (linear). Cancelled and refunded orders, and
//! orders in a currency without an exchange rate on their date, bring
//! nothing.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use uuid::Uuid;

use super::campaigns::MemberStatus;
use crate::domain::analytics::{in_base_currency, visible_customers, NOT_PURCHASES};
use crate::domain::currencies;
use crate::domain::sql::SqlBuilder;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Days before an order within which a touch is credited, unless asked otherwise.
pub const DEFAULT_WINDOW_DAYS: i32 = 90;
/// The longest attribution window.
pub const MAX_WINDOW_DAYS: i32 = 730;

/// How an order's revenue is shared among the campaigns that touched its
/// customer before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attribution {
    FirstTouch,
    LastTouch,
    Linear,
}

/// The revenue and customers credited to a campaign under one model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Credited {
    pub revenue: Decimal,
    /// Orders credited (in part, for linear).
    pub orders: i64,
    /// Customers with a credited order: the campaign's acquisitions.
    pub customers: i64,
}

/// What a campaign (with its sub-campaigns) brought.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignResults {
    pub members: i64,
    pub by_status: HashMap<MemberStatus, i64>,
    /// Members the campaign reached.
    pub reached: i64,
    pub leads: i64,
    pub converted_leads: i64,
    /// Orders naming the campaign.
    pub orders: i64,
    /// Their revenue.
    pub revenue: Decimal,
    pub planned_cost: Decimal,
    pub actual_cost: Decimal,
    /// Cost lines in a currency without an exchange rate on their date.
    pub costs_without_rate: i64,
    pub credited: HashMap<Attribution, Credited>,
}

impl CampaignResults {
    /// Members who responded or converted.
    pub fn responses(&self) -> i64 {
        [MemberStatus::Responded, MemberStatus::Converted]
            .iter()
            .map(|s| self.by_status.get(s).copied().unwrap_or(0))
            .sum()
    }

    /// (revenue − actual cost) / actual cost under `model`; none without cost.
    pub fn roi(&self, model: Attribution) -> Option<f64> {
        use rust_decimal::prelude::ToPrimitive;
        if self.actual_cost <= Decimal::ZERO {
            return None;
        }
        let revenue = self
            .credited
            .get(&model)
            .map(|c| c.revenue)
            .unwrap_or_default();
        ((revenue - self.actual_cost) / self.actual_cost).to_f64()
    }

    /// Actual cost per lead; none without leads.
    pub fn cost_per_lead(&self) -> Option<Decimal> {
        (self.leads > 0).then(|| self.actual_cost / Decimal::from(self.leads))
    }

    /// Actual cost per acquired customer under `model`; none without any.
    pub fn cost_per_acquisition(&self, model: Attribution) -> Option<Decimal> {
        let acquired = self.credited.get(&model).map(|c| c.customers).unwrap_or(0);
        (acquired > 0).then(|| self.actual_cost / Decimal::from(acquired))
    }

    fn add(&mut self, other: &CampaignResults) {
        self.members += other.members;
        for (status, n) in &other.by_status {
            *self.by_status.entry(*status).or_default() += n;
        }
        self.reached += other.reached;
        self.leads += other.leads;
        self.converted_leads += other.converted_leads;
        self.orders += other.orders;
        self.revenue += other.revenue;
        self.planned_cost += other.planned_cost;
        self.actual_cost += other.actual_cost;
        self.costs_without_rate += other.costs_without_rate;
    }
}

/// Each of `ids` with its sub-campaigns at any depth.
async fn with_descendants(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, HashSet<Uuid>>> {
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "WITH RECURSIVE down (root, id, depth) AS (
                 SELECT c.id, c.id, 0 FROM campaigns c WHERE c.tenant_id = $1 AND c.id = ANY($2)
                 UNION ALL
                 SELECT down.root, c.id, down.depth + 1 FROM campaigns c
                   JOIN down ON c.tenant_id = $1 AND c.parent_id = down.id
                  WHERE down.depth < 50)
             SELECT root, id FROM down",
            [tx.tenant_id().into(), ids.to_vec().into()],
        ))
        .await?;
    let mut groups: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for r in rows {
        groups
            .entry(r.try_get_by_index(0)?)
            .or_default()
            .insert(r.try_get_by_index(1)?);
    }
    Ok(groups)
}

/// The results of each of `ids`: of the campaign alone, or with its
/// sub-campaigns when `include_children`; touches count within
/// `window_days` before an order.
pub async fn results(
    tx: &TenantTx,
    ids: &[Uuid],
    include_children: bool,
    window_days: i32,
) -> Result<HashMap<Uuid, CampaignResults>> {
    if !(1..=MAX_WINDOW_DAYS).contains(&window_days) {
        return Err(Error::validation(
            "windowDays",
            format!("must be between 1 and {MAX_WINDOW_DAYS}"),
        ));
    }
    let groups: HashMap<Uuid, HashSet<Uuid>> = if include_children {
        with_descendants(tx, ids).await?
    } else {
        ids.iter().map(|id| (*id, HashSet::from([*id]))).collect()
    };
    let all: Vec<Uuid> = groups
        .values()
        .flatten()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let base = currencies::base_currency(tx).await?;
    let single = figures(tx, &all, &base).await?;
    let mut out = HashMap::new();
    for (root, members) in &groups {
        let mut total = CampaignResults::default();
        for id in members {
            if let Some(r) = single.get(id) {
                total.add(r);
            }
        }
        let group: Vec<Uuid> = members.iter().copied().collect();
        total.credited = credited(tx, &group, &base, window_days).await?;
        out.insert(*root, total);
    }
    Ok(out)
}

/// Members, leads, orders and costs of each campaign on its own.
async fn figures(
    tx: &TenantTx,
    ids: &[Uuid],
    base: &str,
) -> Result<HashMap<Uuid, CampaignResults>> {
    let mut out: HashMap<Uuid, CampaignResults> = HashMap::new();
    let minor = currencies::minor_units(base) as i32;

    // Members by status, of live customers the reader may see.
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let campaigns = sql.bind(ids.to_vec());
    let visible = visible_customers(tx, &mut sql, &tenant);
    sql.push(&format!(
        "SELECT m.campaign_id, m.status, count(*) AS n, count(m.touched_at) AS reached
           FROM campaign_members m
           JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id AND c.deleted_at IS NULL
          WHERE m.tenant_id = {tenant} AND m.campaign_id = ANY({campaigns}) AND {visible}
          GROUP BY m.campaign_id, m.status"
    ));
    for r in tx.query_all(sql.statement()).await? {
        let id: Uuid = r.try_get("", "campaign_id")?;
        let status = MemberStatus::parse(&r.try_get::<String>("", "status")?)?;
        let n: i64 = r.try_get("", "n")?;
        let entry = out.entry(id).or_default();
        entry.members += n;
        entry.reached += r.try_get::<i64>("", "reached")?;
        *entry.by_status.entry(status).or_default() += n;
    }

    // Leads naming the campaign (leads the reader may see).
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let campaigns = sql.bind(ids.to_vec());
    let visible =
        crate::domain::visibility::sql_condition(tx.scope().customers, "l", &tenant, &mut sql);
    sql.push(&format!(
        "SELECT l.campaign_id, count(*) AS n, count(*) FILTER (WHERE l.status = 'CONVERTED') AS converted
           FROM leads l
          WHERE l.tenant_id = {tenant} AND l.campaign_id = ANY({campaigns}) AND {visible}
          GROUP BY l.campaign_id"
    ));
    for r in tx.query_all(sql.statement()).await? {
        let entry = out.entry(r.try_get("", "campaign_id")?).or_default();
        entry.leads = r.try_get("", "n")?;
        entry.converted_leads = r.try_get("", "converted")?;
    }

    // Orders naming the campaign.
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let campaigns = sql.bind(ids.to_vec());
    let base_p = sql.bind(base.to_owned());
    let minor_p = sql.bind(minor);
    let visible = visible_customers(tx, &mut sql, &tenant);
    let amount = in_base_currency(
        "o.total_amount",
        "o.currency",
        "o.ordered_at",
        &base_p,
        &minor_p,
    );
    sql.push(&format!(
        "SELECT o.campaign_id, count(*) AS n, coalesce(sum({amount}), 0) AS revenue
           FROM orders o
           JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
          WHERE o.tenant_id = {tenant} AND o.campaign_id = ANY({campaigns})
            AND o.status NOT IN {NOT_PURCHASES} AND {visible}
          GROUP BY o.campaign_id"
    ));
    for r in tx.query_all(sql.statement()).await? {
        let entry = out.entry(r.try_get("", "campaign_id")?).or_default();
        entry.orders = r.try_get("", "n")?;
        entry.revenue = r.try_get("", "revenue")?;
    }

    // Costs, at the rates of the days they were incurred.
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let campaigns = sql.bind(ids.to_vec());
    let base_p = sql.bind(base.to_owned());
    let minor_p = sql.bind(minor);
    // `in_base_currency` reads the rates of the tenant of `o`.
    let amount = in_base_currency(
        "o.amount",
        "o.currency",
        "(o.incurred_on::text || ' 12:00:00+00')::timestamptz",
        &base_p,
        &minor_p,
    );
    sql.push(&format!(
        "SELECT o.campaign_id,
                coalesce(sum({amount}) FILTER (WHERE o.kind = 'PLANNED'), 0) AS planned,
                coalesce(sum({amount}) FILTER (WHERE o.kind = 'ACTUAL'), 0) AS actual,
                count(*) FILTER (WHERE {amount} IS NULL) AS unpriced
           FROM campaign_costs o
          WHERE o.tenant_id = {tenant} AND o.campaign_id = ANY({campaigns})
          GROUP BY o.campaign_id"
    ));
    for r in tx.query_all(sql.statement()).await? {
        let entry = out.entry(r.try_get("", "campaign_id")?).or_default();
        entry.planned_cost = r.try_get("", "planned")?;
        entry.actual_cost = r.try_get("", "actual")?;
        entry.costs_without_rate = r.try_get("", "unpriced")?;
    }
    Ok(out)
}

/// The revenue credited to the campaigns `group` (together) under each
/// attribution model.
async fn credited(
    tx: &TenantTx,
    group: &[Uuid],
    base: &str,
    window_days: i32,
) -> Result<HashMap<Attribution, Credited>> {
    #[derive(FromQueryResult)]
    struct Row {
        first_revenue: Option<Decimal>,
        first_orders: i64,
        first_customers: i64,
        last_revenue: Option<Decimal>,
        last_orders: i64,
        last_customers: i64,
        linear_revenue: Option<Decimal>,
        linear_orders: i64,
        linear_customers: i64,
    }
    let minor = currencies::minor_units(base) as i32;
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let campaigns = sql.bind(group.to_vec());
    let base_p = sql.bind(base.to_owned());
    let minor_p = sql.bind(minor);
    let window = sql.bind(window_days);
    let visible = visible_customers(tx, &mut sql, &tenant);
    let amount = in_base_currency(
        "o.total_amount",
        "o.currency",
        "o.ordered_at",
        &base_p,
        &minor_p,
    );
    sql.push(&format!(
        "WITH touched AS (
             SELECT DISTINCT customer_id FROM campaign_members
              WHERE tenant_id = {tenant} AND campaign_id = ANY({campaigns}) AND touched_at IS NOT NULL
             UNION
             SELECT DISTINCT customer_id FROM orders
              WHERE tenant_id = {tenant} AND campaign_id = ANY({campaigns})
         ),
         touches AS (
             SELECT m.customer_id, m.campaign_id, m.touched_at AS at
               FROM campaign_members m JOIN touched t ON t.customer_id = m.customer_id
              WHERE m.tenant_id = {tenant} AND m.touched_at IS NOT NULL
             UNION ALL
             SELECT o.customer_id, o.campaign_id, o.ordered_at
               FROM orders o JOIN touched t ON t.customer_id = o.customer_id
              WHERE o.tenant_id = {tenant} AND o.campaign_id IS NOT NULL
         ),
         sales AS (
             SELECT o.id, o.customer_id, o.ordered_at, {amount} AS revenue
               FROM orders o
               JOIN touched t ON t.customer_id = o.customer_id
               JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
              WHERE o.tenant_id = {tenant} AND o.status NOT IN {NOT_PURCHASES} AND {visible}
         ),
         credits AS (
             SELECT s.id, s.customer_id, s.revenue, t.campaign_id,
                    row_number() OVER (PARTITION BY s.id ORDER BY t.at, t.campaign_id) AS from_first,
                    row_number() OVER (PARTITION BY s.id ORDER BY t.at DESC, t.campaign_id DESC) AS from_last,
                    count(*) OVER (PARTITION BY s.id) AS touches
               FROM sales s
               JOIN touches t ON t.customer_id = s.customer_id
                             AND t.at <= s.ordered_at
                             AND t.at > s.ordered_at - make_interval(days => {window})
              WHERE s.revenue IS NOT NULL
         ),
         ours AS (SELECT * FROM credits WHERE campaign_id = ANY({campaigns}))
         SELECT sum(revenue) FILTER (WHERE from_first = 1) AS first_revenue,
                count(DISTINCT id) FILTER (WHERE from_first = 1) AS first_orders,
                count(DISTINCT customer_id) FILTER (WHERE from_first = 1) AS first_customers,
                sum(revenue) FILTER (WHERE from_last = 1) AS last_revenue,
                count(DISTINCT id) FILTER (WHERE from_last = 1) AS last_orders,
                count(DISTINCT customer_id) FILTER (WHERE from_last = 1) AS last_customers,
                sum(revenue / touches) AS linear_revenue,
                count(DISTINCT id) AS linear_orders,
                count(DISTINCT customer_id) AS linear_customers
           FROM ours"
    ));
    let row = Row::find_by_statement(sql.statement())
        .one(&**tx)
        .await?
        .ok_or_else(|| Error::internal(sea_orm::DbErr::RecordNotFound("attribution".into())))?;
    let round = |d: Option<Decimal>| currencies::round(d.unwrap_or_default(), base);
    Ok(HashMap::from([
        (
            Attribution::FirstTouch,
            Credited {
                revenue: round(row.first_revenue),
                orders: row.first_orders,
                customers: row.first_customers,
            },
        ),
        (
            Attribution::LastTouch,
            Credited {
                revenue: round(row.last_revenue),
                orders: row.last_orders,
                customers: row.last_customers,
            },
        ),
        (
            Attribution::Linear,
            Credited {
                revenue: round(row.linear_revenue),
                orders: row.linear_orders,
                customers: row.linear_customers,
            },
        ),
    ]))
}
