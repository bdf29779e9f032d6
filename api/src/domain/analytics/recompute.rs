//! The customer value computation behind a run.
//!
//! 1. One SQL statement aggregates the tenant's purchase history per
//!    customer in the base currency (each order at the rate of its UTC date;
//!    orders without a rate in force are left out and counted). A
//!    *purchase* is a day with at least one order, as in the BG/NBD
//!    literature and the `lifetimes` library.
//! 2. Pure Rust scores every customer: RFM quintiles and segments, value
//!    tiers and the Pareto curve, the BG/NBD and Gamma-Gamma fits, and per
//!    customer probability alive, expected purchases, discounted CLV,
//!    potential value and churn risk ([`score`]).
//! 3. One transaction replaces the tenant's stored results (bulk
//!    `INSERT … SELECT FROM unnest`) and marks the run succeeded, so readers
//!    see the old results or the new ones, never a mix.
//!
//! Steps 1 and 3 run in the same transaction, so the results describe one
//! snapshot of the orders even while imports go on.
//!
//! Time unit of the models: days. The observation window of a customer runs
//! from the day of their first purchase to the end of the analysis day, so
//! T = (analysis date − first purchase date) + 1 day.

use std::time::Instant;

use analytics::bgnbd::{self, BgNbdFit, CustomerSummary};
use analytics::gamma_gamma::{self, GammaGammaFit, SpendSummary};
use analytics::optim::FitOptions;
use analytics::rfm::{self, RfmInput, Segment};
use analytics::tiers::{self, Tier, TierCutoffs};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::runs;
use super::settings::{self, ValueSettings};
use crate::cache::Cache;
use crate::domain::currencies;
use crate::error::{Error, Result};
use crate::tenancy::{TenantScope, TenantTx};

/// Days in a CLV month (the `lifetimes` convention for daily data).
const DAYS_PER_MONTH: f64 = 30.0;
/// How far above the largest observed average spend a fitted mean spend may
/// lie before the Gamma-Gamma fit counts as degenerate.
const MAX_SPEND_RATIO: f64 = 100.0;
/// Money predictions beyond this are not stored (NULL): no real customer is
/// worth 10^18 and the money columns hold less than 10^26.
const MAX_MONEY_PREDICTION: f64 = 1e18;

/// Points of the stored Pareto curve (customer shares 0, 1 %, …, 100 %).
const PARETO_POINTS: usize = 101;

/// Claims and executes the run; `false` when another node had claimed it,
/// or when `stopping` turned true first (the run is then queued again).
/// A failure is recorded on the run (with a message safe to show) and
/// logged; it is not returned as an error. Once the results are stored,
/// every cached customer view of the tenant (which shows them) is renewed.
pub async fn execute(
    db: &DatabaseConnection,
    cache: &Cache,
    tenant_id: Uuid,
    run_id: Uuid,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<bool> {
    if *stopping.borrow() || runs::claim(db, tenant_id, run_id).await?.is_none() {
        return Ok(false);
    }
    run_claimed(db, cache, tenant_id, run_id, stopping).await
}

/// Executes a run this node has claimed (see [`execute`]); `false` when it
/// was handed back to the queue because `stopping` turned true first.
pub async fn run_claimed(
    db: &DatabaseConnection,
    cache: &Cache,
    tenant_id: Uuid,
    run_id: Uuid,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<bool> {
    // A node asked to stop hands the run back rather than leaving it
    // RUNNING until its lease runs out: the computation's transaction is
    // dropped (rolled back) and any node starts the run again.
    let computed = tokio::select! {
        biased;
        _ = stop_requested(&mut stopping) => None,
        computed = compute(db, tenant_id, run_id) => Some(computed),
    };
    let Some(computed) = computed else {
        runs::requeue(db, tenant_id, run_id).await?;
        tracing::info!(%run_id, "customer value run handed back to the queue at shutdown");
        return Ok(false);
    };
    match computed {
        Ok(()) => crate::domain::customer_view::invalidate_tenant(cache, tenant_id).await,
        Err(err) => {
            tracing::error!(error = ?err, %run_id, "customer value run failed");
            let message = match &err {
                Error::Validation { message, .. } => message.clone(),
                _ => "the computation failed; the server log has the details".to_owned(),
            };
            runs::fail(db, tenant_id, run_id, &message).await?;
        }
    }
    Ok(true)
}

/// Resolves once a stop is asked for; never when the sender is gone
/// without asking (nobody will stop this computation).
async fn stop_requested(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    if stopping.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// One customer's purchase history as aggregated in SQL.
#[derive(Debug, FromQueryResult)]
struct PurchaseRow {
    customer_id: Uuid,
    first_purchase_at: Option<DateTime<Utc>>,
    last_purchase_at: Option<DateTime<Utc>>,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    purchase_days: i64,
    order_count: i64,
    total: Option<Decimal>,
    first_day_amount: Option<Decimal>,
    unpriced: i64,
}

/// Per customer and day, priced orders and their base-currency amount; then
/// per customer. `priced` is materialised so that each order's amount (and
/// its rate lookup) is computed once, not once per aggregate that reads it. `$1` tenant, `$2` base currency, `$3` its minor units,
/// `$4` the analysis time.
fn purchases_sql() -> String {
    let amount =
        super::in_base_currency("o.total_amount", "o.currency", "o.ordered_at", "$2", "$3");
    format!(
        "WITH priced AS MATERIALIZED (
             SELECT o.customer_id, o.ordered_at, (o.ordered_at AT TIME ZONE 'UTC')::date AS day,
                    {amount} AS amount
               FROM orders o
               JOIN customers c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
                               AND c.deleted_at IS NULL
              WHERE o.tenant_id = $1 AND o.status NOT IN {statuses} AND o.ordered_at <= $4
         ), days AS (
             SELECT customer_id, day, count(amount) AS priced, count(*) - count(amount) AS unpriced,
                    sum(amount) AS amount,
                    min(ordered_at) FILTER (WHERE amount IS NOT NULL) AS first_at,
                    max(ordered_at) FILTER (WHERE amount IS NOT NULL) AS last_at
               FROM priced
              GROUP BY customer_id, day
         )
         SELECT customer_id,
                min(first_at) AS first_purchase_at, max(last_at) AS last_purchase_at,
                min(day) FILTER (WHERE priced > 0) AS first_day,
                max(day) FILTER (WHERE priced > 0) AS last_day,
                count(*) FILTER (WHERE priced > 0) AS purchase_days,
                sum(priced)::int8 AS order_count,
                sum(amount) AS total,
                (array_agg(amount ORDER BY day) FILTER (WHERE priced > 0))[1] AS first_day_amount,
                sum(unpriced)::int8 AS unpriced
           FROM days
          GROUP BY customer_id",
        statuses = super::NOT_PURCHASES,
    )
}

/// A customer's history in the form the scoring needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Orders counted (priced).
    pub order_count: u32,
    /// Days with at least one order.
    pub purchase_days: u32,
    /// Days from the first to the last purchase day.
    pub span_days: u32,
    /// Days from the last purchase day to the analysis date.
    pub recency_days: u32,
    /// Days from the first purchase day to the analysis date.
    pub tenure_days: u32,
    /// Total spend in the base currency.
    pub total: f64,
    /// Spend on the first purchase day.
    pub first_day_amount: f64,
}

impl History {
    fn repeat_purchases(&self) -> u32 {
        self.purchase_days.saturating_sub(1)
    }

    fn bgnbd(&self) -> CustomerSummary {
        let x = self.repeat_purchases();
        CustomerSummary {
            frequency: x,
            recency: if x == 0 { 0.0 } else { self.span_days as f64 },
            age: self.tenure_days as f64 + 1.0,
        }
    }

    /// Mean spend per repeat purchase day (what Gamma-Gamma models); `None`
    /// without a repeat purchase of positive value.
    fn repeat_spend(&self) -> Option<f64> {
        let x = self.repeat_purchases();
        let m = (self.total - self.first_day_amount) / x as f64;
        (x > 0 && m.is_finite() && m > 0.0).then_some(m)
    }

    /// Mean days between purchases; `None` before a repeat purchase.
    fn purchase_interval(&self) -> Option<f64> {
        let x = self.repeat_purchases();
        (x > 0).then(|| self.span_days as f64 / x as f64)
    }
}

/// The model and discount settings of one run.
#[derive(Clone, Copy, Debug)]
pub struct ModelSettings {
    pub cutoffs: TierCutoffs,
    pub horizon_months: u32,
    pub annual_discount_rate: f64,
}

impl From<&ValueSettings> for ModelSettings {
    fn from(s: &ValueSettings) -> Self {
        ModelSettings {
            cutoffs: TierCutoffs {
                a: s.tier_a_share.to_f64().unwrap_or(0.8),
                b: s.tier_b_share.to_f64().unwrap_or(0.15),
            },
            horizon_months: s.horizon_months.max(1) as u32,
            annual_discount_rate: s.annual_discount_rate.to_f64().unwrap_or(0.1),
        }
    }
}

/// One customer's computed figures (NaN: not available).
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
    pub tier: Option<Tier>,
    pub purchase_interval: f64,
    pub probability_alive: f64,
    pub expected_purchases_12m: f64,
    pub expected_purchases: f64,
    pub clv_12m: f64,
    pub clv: f64,
    pub potential_value: f64,
    pub churn_risk: f64,
}

/// The tenant-level results of a scoring.
#[derive(Debug)]
pub struct Scoring {
    pub customers: Vec<Scored>,
    pub bgnbd: Option<BgNbdFit>,
    pub gamma_gamma: Option<GammaGammaFit>,
    pub fit_error: Option<String>,
    /// (customer share, revenue share), [`PARETO_POINTS`] points.
    pub pareto: Option<Vec<(f64, f64)>>,
    pub top_20_revenue_share: Option<f64>,
    pub customers_for_80: Option<(usize, f64)>,
    pub fit_ms: u128,
}

/// The stored name of a segment (the API enum value).
pub fn segment_name(segment: Segment) -> &'static str {
    match segment {
        Segment::Champions => "CHAMPIONS",
        Segment::Loyal => "LOYAL",
        Segment::PotentialLoyalist => "POTENTIAL_LOYALIST",
        Segment::New => "NEW",
        Segment::Promising => "PROMISING",
        Segment::NeedAttention => "NEED_ATTENTION",
        Segment::AboutToSleep => "ABOUT_TO_SLEEP",
        Segment::AtRisk => "AT_RISK",
        Segment::CannotLoseThem => "CANNOT_LOSE_THEM",
        Segment::Hibernating => "HIBERNATING",
        Segment::Lost => "LOST",
    }
}

/// Churn risk from the probability alive and how overdue the customer is
/// against their usual purchase interval (see README, "Churn risk"):
/// 1 − P(alive) · exp(−max(0, recency / interval − 1)).
pub fn churn_risk(probability_alive: f64, recency_days: f64, interval: Option<f64>) -> f64 {
    let on_time = match interval {
        Some(i) if i > 0.0 => (-(recency_days / i - 1.0).max(0.0)).exp(),
        _ => 1.0,
    };
    let alive = if probability_alive.is_finite() {
        probability_alive
    } else {
        1.0
    };
    (1.0 - alive * on_time).clamp(0.0, 1.0)
}

/// A predicted amount of money as stored: NaN (stored as NULL) when not
/// finite or beyond [`MAX_MONEY_PREDICTION`].
fn money_prediction(v: f64) -> f64 {
    if v.is_finite() && v.abs() <= MAX_MONEY_PREDICTION {
        v
    } else {
        f64::NAN
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Scores every customer (pure computation; see the module docs).
pub fn score(histories: &[History], settings: &ModelSettings) -> Result<Scoring> {
    if histories.is_empty() {
        return Ok(Scoring {
            customers: Vec::new(),
            bgnbd: None,
            gamma_gamma: None,
            fit_error: None,
            pareto: None,
            top_20_revenue_share: None,
            customers_for_80: None,
            fit_ms: 0,
        });
    }
    let analytics_error =
        |e: analytics::AnalyticsError| Error::validation("settings", e.to_string());
    let rfm_scores = rfm::score(
        &histories
            .iter()
            .map(|h| RfmInput {
                recency_days: h.recency_days as f64,
                frequency: h.order_count,
                monetary: h.total,
            })
            .collect::<Vec<_>>(),
    )
    .map_err(analytics_error)?;
    let revenues: Vec<f64> = histories.iter().map(|h| h.total.max(0.0)).collect();
    let tiers = tiers::assign_tiers(&revenues, &settings.cutoffs).ok();
    let pareto = tiers::pareto_curve(&revenues).ok().map(|curve| {
        let n = (curve.len() - 1) as f64;
        (0..PARETO_POINTS)
            .map(|j| {
                let share = j as f64 / (PARETO_POINTS - 1) as f64;
                let pos = share * n;
                let k = (pos.floor() as usize).min(curve.len() - 2);
                let frac = pos - k as f64;
                let (lo, hi) = (curve[k].revenue_share, curve[k + 1].revenue_share);
                (share, lo + frac * (hi - lo))
            })
            .collect::<Vec<_>>()
    });
    let headline = tiers::pareto_summary(&revenues).ok();

    let fit_started = Instant::now();
    let summaries: Vec<CustomerSummary> = histories.iter().map(History::bgnbd).collect();
    let mut fit_errors = Vec::new();
    let bgnbd_fit = match bgnbd::fit(&summaries, &FitOptions::default()) {
        Ok(fit) => Some(fit),
        Err(e) => {
            fit_errors.push(format!("BG/NBD: {e}"));
            None
        }
    };
    let spends: Vec<SpendSummary> = histories
        .iter()
        .map(|h| match h.repeat_spend() {
            Some(m) => SpendSummary {
                frequency: h.repeat_purchases(),
                monetary_value: m,
            },
            None => SpendSummary {
                frequency: 0,
                monetary_value: 0.0,
            },
        })
        .collect();
    // The largest average spend observed, against which the fitted mean is judged.
    let largest_spend = spends
        .iter()
        .filter(|s| s.frequency > 0)
        .map(|s| s.monetary_value)
        .fold(0.0, f64::max);
    let gg_fit = match gamma_gamma::fit(&spends, &FitOptions::default()) {
        Ok(fit) if fit.params.q <= 1.0 => {
            fit_errors.push(
                "Gamma-Gamma: the fitted q is not above 1, so expected spend is undefined".into(),
            );
            None
        }
        // With few repeat buyers the fit can run off towards q → 1, where
        // the implied mean spend p·v/(q − 1) explodes.
        Ok(fit)
            if fit.params.p * fit.params.v / (fit.params.q - 1.0)
                > MAX_SPEND_RATIO * largest_spend =>
        {
            fit_errors.push(
                "Gamma-Gamma: the fit is degenerate (its mean spend is far above every observed spend); more repeat buyers are needed to predict spend".into(),
            );
            None
        }
        Ok(fit) => Some(fit),
        Err(e) => {
            fit_errors.push(format!("Gamma-Gamma: {e}"));
            None
        }
    };
    let fit_ms = fit_started.elapsed().as_millis();

    let typical_interval = median(
        histories
            .iter()
            .filter_map(History::purchase_interval)
            .collect(),
    );
    let monthly_discount = (1.0 + settings.annual_discount_rate).powf(1.0 / 12.0) - 1.0;
    let months = settings.horizon_months.max(12);
    let predict = |h: &History| -> [f64; 6] {
        let nan = f64::NAN;
        let Some(fit) = &bgnbd_fit else {
            return [nan; 6];
        };
        let customer = h.bgnbd();
        let alive = fit.params.probability_alive(&customer);
        let spend = gg_fit.as_ref().map(|g| {
            g.params.conditional_expected_average_profit(
                customer.frequency,
                h.repeat_spend().unwrap_or(0.0),
            )
        });
        let (mut previous, mut clv) = (0.0, 0.0);
        let (mut exp_12, mut clv_12, mut exp_h, mut clv_h) = (nan, nan, nan, nan);
        for i in 1..=months {
            let cumulative = fit
                .params
                .expected_purchases(&customer, i as f64 * DAYS_PER_MONTH);
            clv += (cumulative - previous) / (1.0 + monthly_discount).powi(i as i32);
            previous = cumulative;
            if i == 12 {
                exp_12 = cumulative;
                clv_12 = clv;
            }
            if i == settings.horizon_months {
                exp_h = cumulative;
                clv_h = clv;
            }
        }
        match spend {
            Some(s) => [alive, exp_12, exp_h, s * clv_12, s * clv_h, s * exp_h],
            None => [alive, exp_12, exp_h, nan, nan, nan],
        }
    };
    // The per-customer predictions dominate the time: split them over the cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = histories.len().div_ceil(threads).max(1);
    let predictions: Vec<[f64; 6]> = std::thread::scope(|s| {
        let handles: Vec<_> = histories
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(predict).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if predictions.len() != histories.len() {
        return Err(Error::internal(std::io::Error::other(
            "a prediction thread failed",
        )));
    }

    let customers = histories
        .iter()
        .zip(&rfm_scores)
        .zip(&predictions)
        .enumerate()
        .map(|(i, ((h, rfm), p))| {
            let interval = h.purchase_interval();
            let finite = |v: f64| if v.is_finite() { v } else { f64::NAN };
            Scored {
                r: rfm.r,
                f: rfm.f,
                m: rfm.m,
                segment: rfm.segment(),
                tier: tiers.as_ref().map(|t| t[i]),
                purchase_interval: interval.unwrap_or(f64::NAN),
                probability_alive: finite(p[0]),
                expected_purchases_12m: finite(p[1]),
                expected_purchases: finite(p[2]),
                clv_12m: money_prediction(p[3]),
                clv: money_prediction(p[4]),
                potential_value: money_prediction(p[5]),
                churn_risk: churn_risk(p[0], h.recency_days as f64, interval.or(typical_interval)),
            }
        })
        .collect();
    Ok(Scoring {
        customers,
        bgnbd: bgnbd_fit,
        gamma_gamma: gg_fit,
        fit_error: (!fit_errors.is_empty()).then(|| fit_errors.join("; ")),
        pareto,
        top_20_revenue_share: headline.map(|h| h.top_20_revenue_share),
        customers_for_80: headline.map(|h| (h.customers_for_80.count, h.customers_for_80.share)),
        fit_ms,
    })
}

async fn compute(db: &DatabaseConnection, tenant_id: Uuid, run_id: Uuid) -> Result<()> {
    runs::report_progress(db, tenant_id, run_id, 0.05, "reading purchases").await?;
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    let value_settings = settings::get(&tx).await?;
    let base = currencies::base_currency(&tx).await?;
    let minor = currencies::minor_units(&base);
    let as_of = Utc::now();
    let today = as_of.date_naive();

    // One large aggregation: JIT compilation costs more than it saves here,
    // and the per-customer sort of the day rows fits in memory.
    tx.execute_unprepared("SET LOCAL jit = off; SET LOCAL work_mem = '160MB'")
        .await?;
    let started = Instant::now();
    let rows = PurchaseRow::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        purchases_sql(),
        [
            tenant_id.into(),
            base.clone().into(),
            (minor as i32).into(),
            as_of.into(),
        ],
    ))
    .all(&*tx)
    .await?;
    let orders_without_rate: i64 = rows.iter().map(|r| r.unpriced).sum();
    let rows: Vec<PurchaseRow> = rows.into_iter().filter(|r| r.purchase_days > 0).collect();
    let orders_used: i64 = rows.iter().map(|r| r.order_count).sum();
    let total_revenue: Decimal = rows.iter().filter_map(|r| r.total).sum();
    let histories: Vec<History> = rows
        .iter()
        .map(|r| {
            let first = r.first_day.unwrap_or(today);
            let last = r.last_day.unwrap_or(today);
            let days = |from: NaiveDate, to: NaiveDate| (to - from).num_days().max(0) as u32;
            History {
                order_count: r.order_count as u32,
                purchase_days: r.purchase_days as u32,
                span_days: days(first, last),
                recency_days: days(last, today),
                tenure_days: days(first, today),
                total: r.total.and_then(|t| t.to_f64()).unwrap_or(0.0),
                first_day_amount: r.first_day_amount.and_then(|t| t.to_f64()).unwrap_or(0.0),
            }
        })
        .collect();
    let read_ms = started.elapsed().as_millis();

    runs::report_progress(db, tenant_id, run_id, 0.3, "fitting models and scoring").await?;
    let model = ModelSettings::from(&value_settings);
    let scoring = {
        let histories = histories.clone();
        tokio::task::spawn_blocking(move || score(&histories, &model))
            .await
            .map_err(Error::internal)??
    };

    runs::report_progress(db, tenant_id, run_id, 0.7, "writing results").await?;
    let written = Instant::now();
    write_results(
        &tx, run_id, as_of, &base, minor, &rows, &histories, &scoring,
    )
    .await?;
    let write_ms = written.elapsed().as_millis();

    let pareto = scoring.pareto.as_ref().map(|points| {
        serde_json::Value::Array(
            points
                .iter()
                .map(|(c, r)| serde_json::json!([c, r]))
                .collect(),
        )
    });
    let opt_f = |v: Option<f64>| -> sea_orm::Value { v.into() };
    let bg = scoring.bgnbd.as_ref();
    let gg = scoring.gamma_gamma.as_ref();
    let values: Vec<sea_orm::Value> = vec![
        tenant_id.into(),
        run_id.into(),
        as_of.into(),
        base.clone().into(),
        value_settings.tier_a_share.into(),
        value_settings.tier_b_share.into(),
        value_settings.horizon_months.into(),
        value_settings.annual_discount_rate.into(),
        (histories.len() as i32).into(),
        orders_used.into(),
        orders_without_rate.into(),
        total_revenue.into(),
        opt_f(bg.map(|f| f.params.r)),
        opt_f(bg.map(|f| f.params.alpha)),
        opt_f(bg.map(|f| f.params.a)),
        opt_f(bg.map(|f| f.params.b)),
        opt_f(bg.map(|f| f.diagnostics.log_likelihood)),
        bg.map(|f| f.diagnostics.iterations as i32).into(),
        bg.map(|f| f.diagnostics.converged).into(),
        opt_f(gg.map(|f| f.params.p)),
        opt_f(gg.map(|f| f.params.q)),
        opt_f(gg.map(|f| f.params.v)),
        opt_f(gg.map(|f| f.diagnostics.log_likelihood)),
        gg.map(|f| f.diagnostics.iterations as i32).into(),
        gg.map(|f| f.diagnostics.converged).into(),
        gg.map(|f| f.customers_used as i32).into(),
        scoring.fit_error.clone().into(),
        pareto.into(),
        opt_f(scoring.top_20_revenue_share),
        opt_f(scoring.customers_for_80.map(|c| c.1)),
        scoring.customers_for_80.map(|c| c.0 as i32).into(),
        (read_ms as i32).into(),
        (scoring.fit_ms as i32).into(),
        (write_ms as i32).into(),
    ];
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE analytics_runs SET
             status = 'SUCCEEDED', progress = 1, stage = NULL, finished_at = clock_timestamp(),
             heartbeat_at = clock_timestamp(),
             as_of = $3, base_currency = $4, tier_a_share = $5, tier_b_share = $6,
             horizon_months = $7, annual_discount_rate = $8, customers_scored = $9,
             orders_used = $10, orders_without_rate = $11, total_revenue = $12,
             bgnbd_r = $13, bgnbd_alpha = $14, bgnbd_a = $15, bgnbd_b = $16,
             bgnbd_log_likelihood = $17, bgnbd_iterations = $18, bgnbd_converged = $19,
             gamma_gamma_p = $20, gamma_gamma_q = $21, gamma_gamma_v = $22,
             gamma_gamma_log_likelihood = $23, gamma_gamma_iterations = $24,
             gamma_gamma_converged = $25, gamma_gamma_customers = $26, fit_error = $27,
             pareto_curve = $28, top_20_revenue_share = $29, customers_for_80_share = $30,
             customers_for_80_count = $31, read_ms = $32, fit_ms = $33, write_ms = $34
         WHERE tenant_id = $1 AND id = $2",
        values,
    ))
    .await?;
    runs::record_finished(&tx, run_id, "SUCCEEDED").await?;
    // Segments defined by value figures change with them.
    crate::domain::marketing::segments::refresh_all(&tx).await?;
    tx.commit().await
}

#[allow(clippy::too_many_arguments)]
async fn write_results(
    tx: &TenantTx,
    run_id: Uuid,
    as_of: DateTime<Utc>,
    base: &str,
    minor: u32,
    rows: &[PurchaseRow],
    histories: &[History],
    scoring: &Scoring,
) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM customer_values WHERE tenant_id = $1",
        [tx.tenant_id().into()],
    ))
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let n = rows.len();
    let mut ids = Vec::with_capacity(n);
    let mut first_at = Vec::with_capacity(n);
    let mut last_at = Vec::with_capacity(n);
    let mut ints: [Vec<i32>; 7] = Default::default();
    let mut avg = Vec::with_capacity(n);
    let mut total = Vec::with_capacity(n);
    let mut rfm_code = Vec::with_capacity(n);
    let mut segment = Vec::with_capacity(n);
    let mut tier = Vec::with_capacity(n);
    let mut floats: [Vec<f64>; 8] = Default::default();
    for ((row, h), s) in rows.iter().zip(histories).zip(&scoring.customers) {
        ids.push(row.customer_id);
        first_at.push(row.first_purchase_at.unwrap_or(as_of));
        last_at.push(row.last_purchase_at.unwrap_or(as_of));
        let t = row.total.unwrap_or_default();
        total.push(t);
        avg.push((t / Decimal::from(h.order_count.max(1))).round_dp(minor));
        for (list, v) in ints.iter_mut().zip([
            h.order_count as i32,
            h.repeat_purchases() as i32,
            h.recency_days as i32,
            h.tenure_days as i32,
            s.r as i32,
            s.f as i32,
            s.m as i32,
        ]) {
            list.push(v);
        }
        rfm_code.push(format!("{}{}{}", s.r, s.f, s.m));
        segment.push(segment_name(s.segment).to_owned());
        tier.push(
            match s.tier {
                Some(Tier::A) => "A",
                Some(Tier::B) => "B",
                Some(Tier::C) => "C",
                None => "",
            }
            .to_owned(),
        );
        for (list, v) in floats.iter_mut().zip([
            s.purchase_interval,
            s.probability_alive,
            s.expected_purchases_12m,
            s.expected_purchases,
            s.clv_12m,
            s.clv,
            s.potential_value,
            s.churn_risk,
        ]) {
            list.push(v);
        }
    }
    let [order_count, frequency, recency, tenure, r, f, m] = ints;
    let [interval, alive, exp_12, exp_h, clv_12, clv_h, potential, churn] = floats;
    let values: Vec<sea_orm::Value> = vec![
        tx.tenant_id().into(),
        run_id.into(),
        as_of.into(),
        base.to_owned().into(),
        (minor as i32).into(),
        ids.into(),
        first_at.into(),
        last_at.into(),
        order_count.into(),
        frequency.into(),
        recency.into(),
        tenure.into(),
        avg.into(),
        total.into(),
        r.into(),
        f.into(),
        m.into(),
        rfm_code.into(),
        segment.into(),
        tier.into(),
        interval.into(),
        alive.into(),
        exp_12.into(),
        exp_h.into(),
        clv_12.into(),
        clv_h.into(),
        potential.into(),
        churn.into(),
    ];
    // Customers deleted since the history was read are left out by the join.
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO customer_values (
             tenant_id, customer_id, run_id, computed_at, currency, first_purchase_at,
             last_purchase_at, order_count, frequency, recency_days, tenure_days, monetary_avg,
             monetary_total, r_score, f_score, m_score, rfm_score, segment, tier,
             purchase_interval_days, probability_alive, expected_purchases_12m,
             expected_purchases, clv_12m, clv, potential_value, churn_risk)
         SELECT $1, u.customer_id, $2, $3, $4, u.first_at, u.last_at, u.order_count, u.frequency,
                u.recency, u.tenure, u.avg, u.total, u.r::smallint, u.f::smallint, u.m::smallint,
                u.rfm, u.segment, NULLIF(u.tier, ''),
                NULLIF(u.interval, 'NaN'), NULLIF(u.alive, 'NaN'), NULLIF(u.exp_12, 'NaN'),
                NULLIF(u.exp_h, 'NaN'),
                round(NULLIF(u.clv_12, 'NaN')::numeric, $5), round(NULLIF(u.clv_h, 'NaN')::numeric, $5),
                round(NULLIF(u.potential, 'NaN')::numeric, $5), NULLIF(u.churn, 'NaN')
           FROM unnest($6::uuid[], $7::timestamptz[], $8::timestamptz[], $9::int4[], $10::int4[],
                       $11::int4[], $12::int4[], $13::numeric[], $14::numeric[], $15::int4[],
                       $16::int4[], $17::int4[], $18::text[], $19::text[], $20::text[],
                       $21::float8[], $22::float8[], $23::float8[], $24::float8[], $25::float8[],
                       $26::float8[], $27::float8[], $28::float8[])
                AS u(customer_id, first_at, last_at, order_count, frequency, recency, tenure, avg,
                     total, r, f, m, rfm, segment, tier, interval, alive, exp_12, exp_h, clv_12,
                     clv_h, potential, churn)
           JOIN customers c ON c.tenant_id = $1 AND c.id = u.customer_id",
        values,
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_predictions_beyond_any_real_value_are_not_stored() {
        assert_eq!(money_prediction(1234.5), 1234.5);
        assert!(money_prediction(f64::INFINITY).is_nan());
        assert!(money_prediction(-3e25).is_nan());
        assert!(money_prediction(2e18).is_nan());
    }

    #[test]
    fn churn_risk_grows_as_a_customer_overstays_their_interval() {
        // Alive and on time: no risk.
        assert_eq!(churn_risk(1.0, 10.0, Some(30.0)), 0.0);
        // Two intervals since the last purchase: one interval overdue.
        let overdue = churn_risk(1.0, 60.0, Some(30.0));
        assert!((overdue - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // The model's doubt adds to it.
        assert!(churn_risk(0.5, 60.0, Some(30.0)) > overdue);
        // Without an interval only the model speaks.
        assert!((churn_risk(0.25, 400.0, None) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn histories_map_to_the_model_conventions() {
        let h = History {
            order_count: 4,
            purchase_days: 3,
            span_days: 20,
            recency_days: 5,
            tenure_days: 25,
            total: 100.0,
            first_day_amount: 40.0,
        };
        let c = h.bgnbd();
        assert_eq!(c.frequency, 2);
        assert_eq!(c.recency, 20.0);
        assert_eq!(c.age, 26.0);
        assert_eq!(h.repeat_spend(), Some(30.0));
        assert_eq!(h.purchase_interval(), Some(10.0));
    }
}
