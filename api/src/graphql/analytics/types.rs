//! Customer value types of the API.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::loaders::CustomerValueLoader;
use crate::auth::Permission;
use crate::domain::analytics::analyze as domain_analyze;
use crate::domain::analytics::growth as domain_growth;
use crate::domain::analytics::runs::AnalyticsRun as RunRow;
use crate::domain::analytics::settings::{SettingsChanges, ValueSettings};
use crate::domain::analytics::values::{self, GroupFigures};
use crate::domain::currencies;
use crate::domain::filter::{EnumFilter, RangeFilter};
use crate::graphql::common::{to_id, DateTimeFilter, IntFilter, Money, PageInfo, StringFilter};
use crate::graphql::context::authorize;

fn money(amount: Decimal, currency: &str) -> Money {
    Money {
        amount: currencies::display(amount, currency),
        currency: currency.to_owned(),
    }
}

/// Value tier by cumulative share of revenue (A: the customers bringing the
/// first 80 % by default, B: the next 15 %, C: the rest).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueTier {
    A,
    B,
    C,
}

impl ValueTier {
    fn parse(stored: &str) -> Option<Self> {
        match stored {
            "A" => Some(ValueTier::A),
            "B" => Some(ValueTier::B),
            "C" => Some(ValueTier::C),
            _ => None,
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueTier::A => "A",
            ValueTier::B => "B",
            ValueTier::C => "C",
        }
    }
}

/// Named RFM segment (README, "RFM segments", has the mapping from scores).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RfmSegment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CannotLoseThem,
    Hibernating,
    Lost,
}

impl RfmSegment {
    const ALL: [RfmSegment; 11] = [
        RfmSegment::Champions,
        RfmSegment::Loyal,
        RfmSegment::PotentialLoyalist,
        RfmSegment::New,
        RfmSegment::Promising,
        RfmSegment::NeedAttention,
        RfmSegment::AboutToSleep,
        RfmSegment::AtRisk,
        RfmSegment::CannotLoseThem,
        RfmSegment::Hibernating,
        RfmSegment::Lost,
    ];

    /// The stored name (the enum value).
    pub fn as_str(self) -> &'static str {
        match self {
            RfmSegment::Champions => "CHAMPIONS",
            RfmSegment::Loyal => "LOYAL",
            RfmSegment::PotentialLoyalist => "POTENTIAL_LOYALIST",
            RfmSegment::New => "NEW",
            RfmSegment::Promising => "PROMISING",
            RfmSegment::NeedAttention => "NEED_ATTENTION",
            RfmSegment::AboutToSleep => "ABOUT_TO_SLEEP",
            RfmSegment::AtRisk => "AT_RISK",
            RfmSegment::CannotLoseThem => "CANNOT_LOSE_THEM",
            RfmSegment::Hibernating => "HIBERNATING",
            RfmSegment::Lost => "LOST",
        }
    }

    fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }
}

/// A customer's value figures from the latest successful analytics run.
/// Money is in the workspace's base currency at that time.
pub struct CustomerValue(pub values::CustomerValue);

#[Object]
impl CustomerValue {
    /// Days since the last purchase.
    async fn recency(&self) -> Option<i32> {
        Some(self.0.recency_days)
    }
    /// Repeat purchases: days with an order after the first such day.
    async fn frequency(&self) -> Option<i32> {
        Some(self.0.frequency)
    }
    /// Orders counted (cancelled and refunded orders are not purchases).
    async fn order_count(&self) -> i32 {
        self.0.order_count
    }
    /// Average order value.
    async fn monetary(&self) -> Option<Money> {
        Some(money(self.0.monetary_avg, &self.0.currency))
    }
    /// Total spend: the customer's realised value.
    async fn monetary_total(&self) -> Money {
        money(self.0.monetary_total, &self.0.currency)
    }
    async fn first_purchase_at(&self) -> DateTime<Utc> {
        self.0.first_purchase_at
    }
    async fn last_purchase_at(&self) -> DateTime<Utc> {
        self.0.last_purchase_at
    }
    /// Days since the first purchase.
    async fn tenure_days(&self) -> i32 {
        self.0.tenure_days
    }
    /// Recency quintile within the workspace, 1..5 (5: most recent).
    async fn recency_score(&self) -> i32 {
        i32::from(self.0.r_score)
    }
    /// Frequency (order count) quintile, 1..5 (5: most orders).
    async fn frequency_score(&self) -> i32 {
        i32::from(self.0.f_score)
    }
    /// Monetary (total spend) quintile, 1..5 (5: highest spend).
    async fn monetary_score(&self) -> i32 {
        i32::from(self.0.m_score)
    }
    /// R, F and M scores as three digits, such as `"545"`.
    async fn rfm_score(&self) -> Option<&str> {
        Some(&self.0.rfm_score)
    }
    /// The named segment of the RFM scores.
    async fn segment(&self) -> Option<RfmSegment> {
        RfmSegment::parse(&self.0.segment)
    }
    /// Null when the workspace's revenue total is zero.
    async fn tier(&self) -> Option<ValueTier> {
        self.0.tier.as_deref().and_then(ValueTier::parse)
    }
    /// Mean days between purchases (null before a repeat purchase).
    async fn purchase_interval_days(&self) -> Option<f64> {
        self.0.purchase_interval_days
    }
    /// BG/NBD probability that the customer is still active.
    async fn probability_alive(&self) -> Option<f64> {
        self.0.probability_alive
    }
    /// Purchases (purchase days) expected in the next 12 months.
    #[graphql(name = "expectedPurchases12m")]
    async fn expected_purchases_12m(&self) -> Option<f64> {
        self.0.expected_purchases_12m
    }
    /// Purchases expected over the workspace's prediction horizon.
    async fn expected_purchases(&self) -> Option<f64> {
        self.0.expected_purchases
    }
    /// Discounted customer lifetime value of the next 12 months.
    #[graphql(name = "clv12m")]
    async fn clv_12m(&self) -> Option<Money> {
        self.0.clv_12m.map(|v| money(v, &self.0.currency))
    }
    /// Discounted lifetime value over the prediction horizon.
    async fn clv(&self) -> Option<Money> {
        self.0.clv.map(|v| money(v, &self.0.currency))
    }
    /// Value not yet realised: spend expected over the prediction horizon,
    /// undiscounted.
    async fn potential_value(&self) -> Option<Money> {
        self.0.potential_value.map(|v| money(v, &self.0.currency))
    }
    /// 0..1: how likely the customer has stopped buying, from the
    /// probability alive and how overdue they are against their usual
    /// purchase interval.
    async fn churn_risk(&self) -> Option<f64> {
        self.0.churn_risk
    }
    async fn computed_at(&self) -> DateTime<Utc> {
        self.0.computed_at
    }
    /// The run that computed these figures.
    async fn run_id(&self) -> ID {
        to_id(self.0.run_id)
    }
}

/// `Customer.value`: the customer's stored figures, through the loader.
pub async fn value_of(ctx: &Context<'_>, customer_id: uuid::Uuid) -> Result<Option<CustomerValue>> {
    authorize(ctx, Permission::OrdersRead)?;
    if let Some(view) = crate::graphql::customers::relations::ViewsOfRequest::get(ctx, customer_id)
    {
        return Ok(view.value.clone().map(CustomerValue));
    }
    let loader = ctx.data_unchecked::<DataLoader<CustomerValueLoader>>();
    Ok(loader.load_one(customer_id).await?.map(CustomerValue))
}

/// Where a run stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AnalyticsRunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// What started a run.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AnalyticsRunTrigger {
    /// `recomputeCustomerValue`.
    Manual,
    /// The workspace's schedule.
    Schedule,
}

/// BG/NBD parameters (time in days) and how the fit went.
#[derive(SimpleObject, Clone, Debug)]
pub struct BgNbdModel {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
    pub iterations: i32,
    pub converged: bool,
}

/// Gamma-Gamma parameters (money in the base currency) and how the fit went.
#[derive(SimpleObject, Clone, Debug)]
pub struct GammaGammaModel {
    pub p: f64,
    pub q: f64,
    pub v: f64,
    pub log_likelihood: f64,
    pub iterations: i32,
    pub converged: bool,
    /// Customers with repeat purchases the model was fitted on.
    pub customers_used: i32,
}

/// The models of a run.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerValueModels {
    pub bg_nbd: Option<BgNbdModel>,
    pub gamma_gamma: Option<GammaGammaModel>,
    /// Why a model could not be fitted (RFM and tiers are still computed).
    pub fit_error: Option<String>,
}

/// One point of the Pareto curve.
#[derive(SimpleObject, Clone, Debug)]
pub struct ParetoPoint {
    /// Share of customers, highest revenue first (0..1).
    pub customer_share: f64,
    /// Their share of revenue (0..1).
    pub revenue_share: f64,
}

/// Revenue concentration: the 80/20 view.
#[derive(SimpleObject, Clone, Debug)]
pub struct ParetoSummary {
    /// Share of revenue brought by the top 20 % of customers.
    pub top_20_revenue_share: f64,
    /// Smallest share of customers bringing 80 % of revenue.
    pub customers_for_80_share: f64,
    /// That many customers.
    pub customers_for_80_count: i32,
    /// The curve at every percent of customers (101 points).
    pub curve: Vec<ParetoPoint>,
}

/// A customer value computation.
pub struct AnalyticsRun(pub RunRow);

impl AnalyticsRun {
    fn model_figures(&self) -> CustomerValueModels {
        let r = &self.0;
        let bg_nbd = match (r.bgnbd_r, r.bgnbd_alpha, r.bgnbd_a, r.bgnbd_b) {
            (Some(rr), Some(alpha), Some(a), Some(b)) => Some(BgNbdModel {
                r: rr,
                alpha,
                a,
                b,
                log_likelihood: r.bgnbd_log_likelihood.unwrap_or(f64::NAN),
                iterations: r.bgnbd_iterations.unwrap_or(0),
                converged: r.bgnbd_converged.unwrap_or(false),
            }),
            _ => None,
        };
        let gamma_gamma = match (r.gamma_gamma_p, r.gamma_gamma_q, r.gamma_gamma_v) {
            (Some(p), Some(q), Some(v)) => Some(GammaGammaModel {
                p,
                q,
                v,
                log_likelihood: r.gamma_gamma_log_likelihood.unwrap_or(f64::NAN),
                iterations: r.gamma_gamma_iterations.unwrap_or(0),
                converged: r.gamma_gamma_converged.unwrap_or(false),
                customers_used: r.gamma_gamma_customers.unwrap_or(0),
            }),
            _ => None,
        };
        CustomerValueModels {
            bg_nbd,
            gamma_gamma,
            fit_error: r.fit_error.clone(),
        }
    }

    fn pareto_figures(&self) -> Option<ParetoSummary> {
        let r = &self.0;
        let curve = r
            .pareto_curve
            .as_ref()?
            .as_array()?
            .iter()
            .filter_map(|p| {
                Some(ParetoPoint {
                    customer_share: p.get(0)?.as_f64()?,
                    revenue_share: p.get(1)?.as_f64()?,
                })
            })
            .collect();
        Some(ParetoSummary {
            top_20_revenue_share: r.top_20_revenue_share?,
            customers_for_80_share: r.customers_for_80_share?,
            customers_for_80_count: r.customers_for_80_count?,
            curve,
        })
    }
}

#[Object]
impl AnalyticsRun {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn status(&self) -> AnalyticsRunStatus {
        match self.0.status.as_str() {
            "QUEUED" => AnalyticsRunStatus::Queued,
            "RUNNING" => AnalyticsRunStatus::Running,
            "SUCCEEDED" => AnalyticsRunStatus::Succeeded,
            _ => AnalyticsRunStatus::Failed,
        }
    }
    async fn trigger(&self) -> AnalyticsRunTrigger {
        if self.0.trigger == "SCHEDULE" {
            AnalyticsRunTrigger::Schedule
        } else {
            AnalyticsRunTrigger::Manual
        }
    }
    /// 0..1.
    async fn progress(&self) -> f64 {
        self.0.progress
    }
    /// What a running run is doing.
    async fn stage(&self) -> Option<&str> {
        self.0.stage.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Why a failed run failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// When purchase history was read: the analysis date.
    async fn as_of(&self) -> Option<DateTime<Utc>> {
        self.0.as_of
    }
    /// Customers with at least one purchase, scored.
    async fn customers_scored(&self) -> Option<i32> {
        self.0.customers_scored
    }
    async fn orders_used(&self) -> Option<i64> {
        self.0.orders_used
    }
    /// Orders left out because no exchange rate was in force on their date.
    async fn orders_without_rate(&self) -> Option<i64> {
        self.0.orders_without_rate
    }
    async fn total_revenue(&self) -> Option<Money> {
        match (self.0.total_revenue, &self.0.base_currency) {
            (Some(t), Some(c)) => Some(money(t, c)),
            _ => None,
        }
    }
    /// Settings the run used.
    async fn tier_a_share(&self) -> Option<Decimal> {
        self.0.tier_a_share.map(|d| d.normalize())
    }
    async fn tier_b_share(&self) -> Option<Decimal> {
        self.0.tier_b_share.map(|d| d.normalize())
    }
    async fn horizon_months(&self) -> Option<i32> {
        self.0.horizon_months
    }
    async fn annual_discount_rate(&self) -> Option<Decimal> {
        self.0.annual_discount_rate.map(|d| d.normalize())
    }
    /// Model parameters and fit diagnostics (succeeded runs).
    async fn models(&self) -> Option<CustomerValueModels> {
        (self.0.status == "SUCCEEDED").then(|| self.model_figures())
    }
    async fn pareto(&self) -> Option<ParetoSummary> {
        self.pareto_figures()
    }
    /// Milliseconds spent reading history, fitting and scoring, writing.
    async fn read_ms(&self) -> Option<i32> {
        self.0.read_ms
    }
    async fn fit_ms(&self) -> Option<i32> {
        self.0.fit_ms
    }
    async fn write_ms(&self) -> Option<i32> {
        self.0.write_ms
    }
}

/// One run in a page, with its cursor.
#[derive(SimpleObject)]
pub struct AnalyticsRunEdge {
    pub cursor: String,
    pub node: AnalyticsRun,
}

/// A page of runs, newest first.
#[derive(SimpleObject)]
pub struct AnalyticsRunConnection {
    pub edges: Vec<AnalyticsRunEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// Customers and revenue of one tier.
#[derive(SimpleObject, Clone, Debug)]
pub struct TierSummary {
    pub tier: ValueTier,
    pub customers: i64,
    pub revenue: Money,
    /// Share of all scored customers (0..1).
    pub customer_share: f64,
    /// Share of revenue (0..1).
    pub revenue_share: f64,
    /// Sum of the tier's 12-month CLV.
    pub clv12m: Option<Money>,
}

/// Customers and revenue of one RFM segment.
#[derive(SimpleObject, Clone, Debug)]
pub struct SegmentSummary {
    pub segment: RfmSegment,
    pub customers: i64,
    pub revenue: Money,
    pub customer_share: f64,
    pub revenue_share: f64,
    pub clv12m: Option<Money>,
}

/// The workspace's customer value: tiers, segments, Pareto, models, the
/// RFM grid and the distributions of the value figures.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerValueSummary {
    /// When the stored figures were computed; null before the first run.
    pub as_of: Option<DateTime<Utc>>,
    /// The run that computed them.
    pub run: Option<AnalyticsRun>,
    pub customer_count: i64,
    pub total_revenue: Option<Money>,
    pub tiers: Vec<TierSummary>,
    pub segments: Vec<SegmentSummary>,
    pub pareto: Option<ParetoSummary>,
    pub models: Option<CustomerValueModels>,
    /// The base currency of the stored figures.
    #[graphql(skip)]
    pub currency: String,
}

/// Customers with one recency and one frequency score: a cell of the RFM grid.
#[derive(SimpleObject)]
pub struct RfmCell {
    /// 1..5 (5: most recent).
    pub recency_score: i32,
    /// 1..5 (5: most frequent).
    pub frequency_score: i32,
    pub customers: i64,
    /// Their total spend, in the base currency.
    pub revenue: Money,
}

/// A value figure whose distribution can be asked for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ValueFigure {
    /// Customer lifetime value over the next 12 months.
    #[graphql(name = "CLV_12M")]
    Clv12m,
    /// Customer lifetime value over the configured horizon.
    Clv,
    /// Total spend so far.
    MonetaryTotal,
    /// Churn risk, 0..1.
    ChurnRisk,
    /// Probability of being alive, 0..1.
    ProbabilityAlive,
}

impl From<ValueFigure> for values::DistributedFigure {
    fn from(figure: ValueFigure) -> Self {
        match figure {
            ValueFigure::Clv12m => values::DistributedFigure::Clv12m,
            ValueFigure::Clv => values::DistributedFigure::Clv,
            ValueFigure::MonetaryTotal => values::DistributedFigure::MonetaryTotal,
            ValueFigure::ChurnRisk => values::DistributedFigure::ChurnRisk,
            ValueFigure::ProbabilityAlive => values::DistributedFigure::ProbabilityAlive,
        }
    }
}

/// Customers whose figure is at least `lower` and below `upper` (the last
/// bucket includes its upper bound). Money figures are in the base currency.
#[derive(SimpleObject)]
pub struct ValueBucket {
    pub lower: f64,
    pub upper: f64,
    pub customers: i64,
}

#[async_graphql::ComplexObject]
impl CustomerValueSummary {
    /// The RFM grid: customers per recency and frequency score, only the
    /// cells that hold customers (the member's visible customers).
    async fn rfm_grid(&self, ctx: &Context<'_>) -> Result<Vec<RfmCell>> {
        let tx = crate::graphql::context::read_tx(ctx).await?;
        Ok(values::rfm_grid(&tx)
            .await?
            .into_iter()
            .map(|cell| RfmCell {
                recency_score: i32::from(cell.r_score),
                frequency_score: i32::from(cell.f_score),
                customers: cell.customers,
                revenue: money(cell.revenue, &self.currency),
            })
            .collect())
    }

    /// How a value figure is distributed over the member's visible
    /// customers, in `buckets` (1..100, default 20) equal-width buckets;
    /// empty when no customer has the figure.
    async fn distribution(
        &self,
        ctx: &Context<'_>,
        figure: ValueFigure,
        #[graphql(default = 20)] buckets: i32,
    ) -> Result<Vec<ValueBucket>> {
        let buckets = u32::try_from(buckets).unwrap_or(0);
        let tx = crate::graphql::context::read_tx(ctx).await?;
        Ok(values::distribution(&tx, figure.into(), buckets)
            .await?
            .into_iter()
            .map(|b| ValueBucket {
                lower: b.lower,
                upper: b.upper,
                customers: b.customers,
            })
            .collect())
    }
}

impl CustomerValueSummary {
    /// Builds the summary from the domain's figures.
    pub fn new(summary: values::Summary) -> Self {
        let currency = summary
            .run
            .as_ref()
            .and_then(|r| r.base_currency.clone())
            .unwrap_or_default();
        let customers: i64 = summary.tiers.iter().map(|g| g.customers).sum();
        let revenue: Decimal = summary.tiers.iter().map(|g| g.revenue).sum();
        let share = |part: f64, whole: f64| if whole > 0.0 { part / whole } else { 0.0 };
        use rust_decimal::prelude::ToPrimitive;
        let shares = |g: &GroupFigures| {
            (
                share(g.customers as f64, customers as f64),
                share(
                    g.revenue.to_f64().unwrap_or(0.0),
                    revenue.to_f64().unwrap_or(0.0),
                ),
            )
        };
        let tiers = summary
            .tiers
            .iter()
            .filter_map(|g| {
                let tier = ValueTier::parse(g.name.as_deref()?)?;
                let (customer_share, revenue_share) = shares(g);
                Some(TierSummary {
                    tier,
                    customers: g.customers,
                    revenue: money(g.revenue, &currency),
                    customer_share,
                    revenue_share,
                    clv12m: g.clv_12m.map(|v| money(v, &currency)),
                })
            })
            .collect();
        let segments = summary
            .segments
            .iter()
            .filter_map(|g| {
                let segment = RfmSegment::parse(g.name.as_deref()?)?;
                let (customer_share, revenue_share) = shares(g);
                Some(SegmentSummary {
                    segment,
                    customers: g.customers,
                    revenue: money(g.revenue, &currency),
                    customer_share,
                    revenue_share,
                    clv12m: g.clv_12m.map(|v| money(v, &currency)),
                })
            })
            .collect();
        let run = summary.run.map(AnalyticsRun);
        CustomerValueSummary {
            as_of: run.as_ref().and_then(|r| r.0.as_of),
            pareto: run.as_ref().and_then(AnalyticsRun::pareto_figures),
            models: run.as_ref().map(AnalyticsRun::model_figures),
            total_revenue: run.as_ref().map(|_| money(revenue, &currency)),
            customer_count: customers,
            tiers,
            segments,
            run,
            currency,
        }
    }
}

/// How customer value is computed in the workspace.
#[derive(SimpleObject)]
pub struct CustomerValueSettings {
    /// Share of revenue covered by tier A (0.8 by default).
    pub tier_a_share: Decimal,
    /// Share covered by tier B (0.15 by default); C gets the rest.
    pub tier_b_share: Decimal,
    /// Months of the prediction horizon (12 by default).
    pub horizon_months: i32,
    /// Yearly discount rate of future value (0.1 = 10 %, the default).
    pub annual_discount_rate: Decimal,
    /// Whether scheduled recomputes run (on by default).
    pub schedule_enabled: bool,
    /// Hours between scheduled recomputes (24 by default).
    pub schedule_interval_hours: i32,
    pub version: i32,
}

impl From<ValueSettings> for CustomerValueSettings {
    fn from(s: ValueSettings) -> Self {
        CustomerValueSettings {
            tier_a_share: s.tier_a_share.normalize(),
            tier_b_share: s.tier_b_share.normalize(),
            horizon_months: s.horizon_months,
            annual_discount_rate: s.annual_discount_rate.normalize(),
            schedule_enabled: s.schedule_enabled,
            schedule_interval_hours: s.schedule_interval_hours,
            version: s.version,
        }
    }
}

/// Changes to the settings; only the fields given change.
#[derive(InputObject)]
pub struct UpdateCustomerValueSettingsInput {
    pub tier_a_share: Option<Decimal>,
    pub tier_b_share: Option<Decimal>,
    pub horizon_months: Option<i32>,
    pub annual_discount_rate: Option<Decimal>,
    pub schedule_enabled: Option<bool>,
    pub schedule_interval_hours: Option<i32>,
}

impl From<UpdateCustomerValueSettingsInput> for SettingsChanges {
    fn from(i: UpdateCustomerValueSettingsInput) -> Self {
        SettingsChanges {
            tier_a_share: i.tier_a_share,
            tier_b_share: i.tier_b_share,
            horizon_months: i.horizon_months,
            annual_discount_rate: i.annual_discount_rate,
            schedule_enabled: i.schedule_enabled,
            schedule_interval_hours: i.schedule_interval_hours,
        }
    }
}

/// The settings after a change.
#[derive(SimpleObject)]
pub struct CustomerValueSettingsPayload {
    pub settings: CustomerValueSettings,
}

pub use crate::graphql::common::DecimalFilter;

/// Conditions on a floating-point figure (probabilities, risks).
#[derive(InputObject, Clone, Debug, Default)]
pub struct FloatFilter {
    pub gt: Option<f64>,
    pub gte: Option<f64>,
    pub lt: Option<f64>,
    pub lte: Option<f64>,
    pub is_null: Option<bool>,
}

impl From<FloatFilter> for RangeFilter<f64> {
    fn from(f: FloatFilter) -> Self {
        RangeFilter {
            eq: None,
            gt: f.gt,
            gte: f.gte,
            lt: f.lt,
            lte: f.lte,
            is_null: f.is_null,
        }
    }
}

/// Conditions on value tiers.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ValueTierFilter {
    pub eq: Option<ValueTier>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<ValueTier>>,
}

/// Conditions on RFM segments.
#[derive(InputObject, Clone, Debug, Default)]
pub struct RfmSegmentFilter {
    pub eq: Option<RfmSegment>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<RfmSegment>>,
}

/// Conditions on a customer's stored value figures (`Customer.value`); all
/// given must hold. Customers without figures match only `computed: false`.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CustomerValueFilter {
    /// True: customers with figures; false: customers without.
    pub computed: Option<bool>,
    pub tier: Option<ValueTierFilter>,
    pub segment: Option<RfmSegmentFilter>,
    pub rfm_score: Option<StringFilter>,
    /// Days since the last purchase.
    pub recency: Option<IntFilter>,
    pub frequency: Option<IntFilter>,
    pub order_count: Option<IntFilter>,
    pub monetary: Option<DecimalFilter>,
    pub monetary_total: Option<DecimalFilter>,
    #[graphql(name = "clv12m")]
    pub clv_12m: Option<DecimalFilter>,
    pub potential_value: Option<DecimalFilter>,
    pub churn_risk: Option<FloatFilter>,
    pub probability_alive: Option<FloatFilter>,
    pub last_purchase_at: Option<DateTimeFilter>,
}

impl From<CustomerValueFilter> for values::ValueMatch {
    fn from(f: CustomerValueFilter) -> Self {
        values::ValueMatch {
            computed: f.computed,
            tier: f.tier.map(|t| EnumFilter {
                eq: t.eq.map(ValueTier::as_str),
                ne: None,
                in_list: t
                    .in_list
                    .map(|l| l.into_iter().map(ValueTier::as_str).collect()),
            }),
            segment: f.segment.map(|t| EnumFilter {
                eq: t.eq.map(RfmSegment::as_str),
                ne: None,
                in_list: t
                    .in_list
                    .map(|l| l.into_iter().map(RfmSegment::as_str).collect()),
            }),
            rfm_score: f.rfm_score.map(Into::into),
            recency_days: f.recency.map(Into::into),
            frequency: f.frequency.map(Into::into),
            order_count: f.order_count.map(Into::into),
            monetary_total: f.monetary_total.map(Into::into),
            monetary_avg: f.monetary.map(Into::into),
            clv_12m: f.clv_12m.map(Into::into),
            potential_value: f.potential_value.map(Into::into),
            churn_risk: f.churn_risk.map(Into::into),
            probability_alive: f.probability_alive.map(Into::into),
            last_purchase_at: f.last_purchase_at.map(Into::into),
        }
    }
}

/// A figure of a period with the previous period's and the change.
#[derive(SimpleObject, Clone, Debug)]
pub struct GrowthMetric {
    pub current: Option<f64>,
    pub previous: Option<f64>,
    /// current − previous.
    pub change: Option<f64>,
    /// (current − previous) / previous.
    pub relative_change: Option<f64>,
}

impl GrowthMetric {
    fn of(current: Option<f64>, previous: Option<f64>) -> Self {
        let change = current.zip(previous).map(|(c, p)| c - p);
        GrowthMetric {
            current,
            previous,
            change,
            relative_change: change
                .zip(previous)
                .and_then(|(d, p)| (p != 0.0).then(|| d / p)),
        }
    }
}

/// An amount of money of a period with the previous period's and the change.
#[derive(SimpleObject, Clone, Debug)]
pub struct GrowthMoneyMetric {
    pub current: Option<Money>,
    pub previous: Option<Money>,
    pub change: Option<Money>,
    pub relative_change: Option<f64>,
}

impl GrowthMoneyMetric {
    fn of(current: Option<Decimal>, previous: Option<Decimal>, currency: &str) -> Self {
        use rust_decimal::prelude::ToPrimitive;
        let change = current.zip(previous).map(|(c, p)| c - p);
        GrowthMoneyMetric {
            current: current.map(|v| money(v, currency)),
            previous: previous.map(|v| money(v, currency)),
            change: change.map(|v| money(v, currency)),
            relative_change: change
                .zip(previous)
                .and_then(|(d, p)| (!p.is_zero()).then(|| (d / p).to_f64()).flatten()),
        }
    }
}

/// More relationships: new and won-back customers.
#[derive(SimpleObject)]
pub struct WiderGrowth {
    pub active_customers: GrowthMetric,
    pub new_customers: GrowthMetric,
    /// Customers buying again after at least `lapseDays` without a purchase.
    pub won_back_customers: GrowthMetric,
}

/// Longer relationships: retention, churn and relationship length.
#[derive(SimpleObject)]
pub struct LongerGrowth {
    /// Share of the previous period's buyers who bought again.
    pub retention_rate: GrowthMetric,
    pub churn_rate: GrowthMetric,
    /// Mean days from first purchase to the last one in the period.
    pub average_relationship_days: GrowthMetric,
}

/// Richer relationships: products per customer, cross-selling, revenue.
#[derive(SimpleObject)]
pub struct DeeperGrowth {
    pub products_per_customer: GrowthMetric,
    /// Share of returning buyers who bought a product new to them.
    pub cross_sell_rate: GrowthMetric,
    pub revenue: GrowthMoneyMetric,
    pub revenue_per_customer: GrowthMoneyMetric,
}

/// Growth of a period against the previous period of the same length.
#[derive(SimpleObject)]
pub struct CustomerGrowth {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub previous_from: DateTime<Utc>,
    pub previous_to: DateTime<Utc>,
    pub wider: WiderGrowth,
    pub longer: LongerGrowth,
    pub deeper: DeeperGrowth,
}

impl From<domain_growth::Growth> for CustomerGrowth {
    fn from(g: domain_growth::Growth) -> Self {
        let (c, p) = (&g.current, &g.previous);
        let count = |f: fn(&domain_growth::GrowthFigures) -> i64| {
            GrowthMetric::of(Some(f(c) as f64), Some(f(p) as f64))
        };
        let rate =
            |f: fn(&domain_growth::GrowthFigures) -> Option<f64>| GrowthMetric::of(f(c), f(p));
        CustomerGrowth {
            from: c.from,
            to: c.to,
            previous_from: p.from,
            previous_to: p.to,
            wider: WiderGrowth {
                active_customers: count(|f| f.active_customers),
                new_customers: count(|f| f.new_customers),
                won_back_customers: count(|f| f.won_back_customers),
            },
            longer: LongerGrowth {
                retention_rate: rate(|f| f.retention_rate),
                churn_rate: rate(|f| f.churn_rate),
                average_relationship_days: rate(|f| f.average_relationship_days),
            },
            deeper: DeeperGrowth {
                products_per_customer: rate(|f| f.products_per_customer),
                cross_sell_rate: rate(|f| f.cross_sell_rate),
                revenue: GrowthMoneyMetric::of(Some(c.revenue), Some(p.revenue), &c.currency),
                revenue_per_customer: GrowthMoneyMetric::of(
                    c.revenue_per_customer,
                    p.revenue_per_customer,
                    &c.currency,
                ),
            },
        }
    }
}

async fn product_by_id(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> Result<Option<crate::graphql::sales::types::Product>> {
    let loader = ctx.data_unchecked::<DataLoader<crate::graphql::sales::loaders::ProductLoader>>();
    Ok(loader
        .load_one(id)
        .await?
        .map(crate::graphql::sales::types::Product))
}

/// A product recommended to a customer, with the association rule behind it.
pub struct CrossSellRecommendation(pub crate::domain::analytics::cross_sell::Recommendation);

#[Object]
impl CrossSellRecommendation {
    async fn product(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::sales::types::Product>> {
        product_by_id(ctx, self.0.product_id).await
    }
    /// The product the customer has that the rule starts from.
    async fn because_of(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::sales::types::Product>> {
        product_by_id(ctx, self.0.because_of_product_id).await
    }
    /// Share of buying customers who bought both products.
    async fn support(&self) -> f64 {
        self.0.support
    }
    /// Share of the first product's buyers who also bought this one.
    async fn confidence(&self) -> f64 {
        self.0.confidence
    }
    /// Confidence over this product's overall share of buyers (> 1: bought
    /// together more often than by chance).
    async fn lift(&self) -> f64 {
        self.0.lift
    }
    /// Customers who bought both.
    async fn customers_with_both(&self) -> i64 {
        self.0.customers_with_both
    }
}

/// A measure of `analyze`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AnalysisMeasure {
    /// Net line amounts in the base currency.
    Revenue,
    /// Quantity × product unit cost in the base currency (products without a cost add nothing).
    Cost,
    /// Revenue − cost.
    Margin,
    OrderCount,
    CustomerCount,
    /// Revenue / order count.
    AverageOrderValue,
    /// Net line amounts in the order's own currency; needs the `CURRENCY`
    /// dimension (no grand total: currencies do not add up).
    RevenueInOrderCurrency,
}

/// A dimension of `analyze`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AnalysisDimension {
    ValueTier,
    RfmSegment,
    Product,
    ProductCategory,
    /// The customer's owner.
    Owner,
    /// The owner's team.
    Team,
    /// The owner's region.
    Region,
    /// The customer's own region.
    CustomerRegion,
    /// The customer's team (department).
    CustomerTeam,
    SalesChannel,
    /// The order's currency.
    Currency,
    Day,
    /// ISO weeks, starting Monday.
    Week,
    Month,
    Quarter,
    Year,
}

impl From<AnalysisMeasure> for domain_analyze::Measure {
    fn from(m: AnalysisMeasure) -> Self {
        use domain_analyze::Measure as M;
        match m {
            AnalysisMeasure::Revenue => M::Revenue,
            AnalysisMeasure::Cost => M::Cost,
            AnalysisMeasure::Margin => M::Margin,
            AnalysisMeasure::OrderCount => M::OrderCount,
            AnalysisMeasure::CustomerCount => M::CustomerCount,
            AnalysisMeasure::AverageOrderValue => M::AverageOrderValue,
            AnalysisMeasure::RevenueInOrderCurrency => M::RevenueInOrderCurrency,
        }
    }
}

impl From<AnalysisDimension> for domain_analyze::Dimension {
    fn from(d: AnalysisDimension) -> Self {
        use domain_analyze::Dimension as D;
        match d {
            AnalysisDimension::ValueTier => D::ValueTier,
            AnalysisDimension::RfmSegment => D::RfmSegment,
            AnalysisDimension::Product => D::Product,
            AnalysisDimension::ProductCategory => D::ProductCategory,
            AnalysisDimension::Owner => D::Owner,
            AnalysisDimension::Team => D::Team,
            AnalysisDimension::Region => D::Region,
            AnalysisDimension::CustomerRegion => D::CustomerRegion,
            AnalysisDimension::CustomerTeam => D::CustomerTeam,
            AnalysisDimension::SalesChannel => D::SalesChannel,
            AnalysisDimension::Currency => D::Currency,
            AnalysisDimension::Day => D::Day,
            AnalysisDimension::Week => D::Week,
            AnalysisDimension::Month => D::Month,
            AnalysisDimension::Quarter => D::Quarter,
            AnalysisDimension::Year => D::Year,
        }
    }
}

/// Which orders `analyze` covers; every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AnalysisFilter {
    /// Orders at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Orders before this time.
    pub to: Option<DateTime<Utc>>,
    pub value_tier: Option<Vec<ValueTier>>,
    pub rfm_segment: Option<Vec<RfmSegment>>,
    pub product_id: Option<Vec<ID>>,
    pub product_category: Option<Vec<String>>,
    pub owner_id: Option<Vec<ID>>,
    pub team_id: Option<Vec<ID>>,
    pub region_id: Option<Vec<ID>>,
    pub sales_channel: Option<Vec<crate::graphql::sales::types::SalesChannel>>,
}

impl AnalysisFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> crate::error::Result<domain_analyze::AnalysisFilter> {
        let ids = |field: &str, list: Option<Vec<ID>>| {
            list.map(|l| {
                l.iter()
                    .map(|id| crate::graphql::common::parse_id(field, id))
                    .collect::<crate::error::Result<Vec<_>>>()
            })
            .transpose()
        };
        Ok(domain_analyze::AnalysisFilter {
            from: self.from,
            to: self.to,
            tiers: self
                .value_tier
                .map(|l| l.into_iter().map(ValueTier::as_str).collect()),
            segments: self
                .rfm_segment
                .map(|l| l.into_iter().map(RfmSegment::as_str).collect()),
            product_ids: ids("filter.productId", self.product_id)?,
            categories: self.product_category,
            owner_ids: ids("filter.ownerId", self.owner_id)?,
            team_ids: ids("filter.teamId", self.team_id)?,
            region_ids: ids("filter.regionId", self.region_id)?,
            channels: self.sales_channel.map(|l| {
                l.into_iter()
                    .map(|c| crate::domain::orders::SalesChannel::from(c).as_str())
                    .collect()
            }),
        })
    }
}

/// One group's value of a dimension.
#[derive(SimpleObject, Clone, Debug)]
pub struct AnalysisKey {
    pub dimension: AnalysisDimension,
    /// The group's key: an id, a stored name (tier, segment, channel) or the
    /// period's first day (`YYYY-MM-DD`); null for "none".
    pub value: Option<String>,
    /// A readable label: product, owner, team or region name, or the period
    /// (`2026-03`, `2026-Q1`, `2026-W05`, `2026`).
    pub label: Option<String>,
}

/// One group and its measures (only the requested ones are set).
#[derive(SimpleObject, Clone, Debug)]
pub struct AnalysisRow {
    pub keys: Vec<AnalysisKey>,
    pub revenue: Option<Money>,
    pub cost: Option<Money>,
    pub margin: Option<Money>,
    pub order_count: Option<i64>,
    pub customer_count: Option<i64>,
    pub average_order_value: Option<Money>,
    /// Revenue in the group's currency (the `CURRENCY` key); null in the
    /// grand total.
    pub revenue_in_order_currency: Option<Money>,
}

/// The result of `analyze`: groups in key order and the grand total.
#[derive(SimpleObject)]
pub struct AnalysisResult {
    /// The base currency every amount is in.
    pub currency: String,
    pub dimensions: Vec<AnalysisDimension>,
    pub measures: Vec<AnalysisMeasure>,
    pub rows: Vec<AnalysisRow>,
    pub total: AnalysisRow,
}

impl AnalysisResult {
    /// Maps the domain's analysis, keeping the requested measures.
    pub fn new(
        a: domain_analyze::Analysis,
        measures: Vec<AnalysisMeasure>,
        dimensions: Vec<AnalysisDimension>,
    ) -> Self {
        let has = |m: AnalysisMeasure| measures.contains(&m);
        let currency = a.currency.clone();
        let currency_key = dimensions
            .iter()
            .position(|d| *d == AnalysisDimension::Currency);
        let row = |r: &domain_analyze::AnalysisRow| AnalysisRow {
            revenue_in_order_currency: if has(AnalysisMeasure::RevenueInOrderCurrency) {
                currency_key
                    .and_then(|i| r.keys.get(i))
                    .and_then(|(value, _)| value.as_deref())
                    .map(|order_currency| {
                        money(
                            currencies::round(r.revenue_in_order_currency, order_currency),
                            order_currency,
                        )
                    })
            } else {
                None
            },
            keys: dimensions
                .iter()
                .zip(&r.keys)
                .map(|(d, (value, label))| AnalysisKey {
                    dimension: *d,
                    value: value.clone(),
                    label: label.clone(),
                })
                .collect(),
            revenue: has(AnalysisMeasure::Revenue).then(|| money(r.revenue, &currency)),
            cost: has(AnalysisMeasure::Cost).then(|| money(r.cost, &currency)),
            margin: has(AnalysisMeasure::Margin).then(|| money(r.margin(), &currency)),
            order_count: has(AnalysisMeasure::OrderCount).then_some(r.order_count),
            customer_count: has(AnalysisMeasure::CustomerCount).then_some(r.customer_count),
            average_order_value: if has(AnalysisMeasure::AverageOrderValue) && r.order_count > 0 {
                Some(money(
                    currencies::round(r.revenue / Decimal::from(r.order_count), &currency),
                    &currency,
                ))
            } else {
                None
            },
        };
        AnalysisResult {
            rows: a.rows.iter().map(row).collect(),
            total: row(&a.total),
            currency: a.currency.clone(),
            dimensions,
            measures,
        }
    }
}
