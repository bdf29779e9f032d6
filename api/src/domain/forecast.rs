//! The sales forecast: what the pipeline is worth per month or quarter of
//! the deals' expected close dates, grouped by owner, the owner's team or
//! the owner's region, in the workspace's base currency.
//!
//! Per period and group:
//! - `pipeline`: the amount of the open deals;
//! - `weighted`: Σ amount × stage probability of the open deals;
//! - `closed_won`: the amount of the won deals;
//! - `commit`: closed won plus the open deals in `COMMIT` stages;
//! - `best_case`: commit plus the open deals in `BEST_CASE` stages.
//!
//! Each deal is converted at the exchange rate in force on its expected
//! close date (a won deal without one: its close date) and rounded to the
//! base currency's minor units before summing; sums are exact (`numeric`).
//! Open deals without an expected close date are in no period and left out;
//! lost deals count nowhere.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use super::currencies;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Widest date range of one forecast (ten years).
pub const MAX_DAYS: i64 = 3660;

/// How long a period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Month,
    Quarter,
}

/// What rows are grouped by, besides the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One row per period.
    None,
    /// The deal's owner.
    Owner,
    /// The team of the deal's owner.
    Team,
    /// The region of the deal's owner.
    Region,
}

/// What to forecast.
#[derive(Clone, Debug)]
pub struct ForecastRequest {
    pub period: Period,
    pub grouping: Grouping,
    /// First and last day, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Only this pipeline's deals.
    pub pipeline_id: Option<Uuid>,
}

/// One period (and group) of the forecast, in the base currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForecastRow {
    /// The period's first day.
    pub period_start: NaiveDate,
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    /// The owner, team or region; `None` for deals without one (and for
    /// [`Grouping::None`]).
    pub group_id: Option<Uuid>,
    pub group_name: Option<String>,
    pub pipeline: Decimal,
    pub weighted: Decimal,
    pub best_case: Decimal,
    pub commit: Decimal,
    pub closed_won: Decimal,
    pub open_deals: i64,
    pub won_deals: i64,
}

/// The forecast, period by period (and group by group).
#[derive(Clone, Debug)]
pub struct Forecast {
    pub base_currency: String,
    pub rows: Vec<ForecastRow>,
}

impl ForecastRequest {
    fn validate(&self) -> Result<()> {
        if self.to < self.from {
            return Err(Error::validation("to", "must not be before `from`"));
        }
        if (self.to - self.from).num_days() > MAX_DAYS {
            return Err(Error::validation(
                "to",
                "a forecast spans at most ten years",
            ));
        }
        Ok(())
    }
}

fn period_label(period: Period, start: NaiveDate) -> String {
    use chrono::Datelike;
    match period {
        Period::Month => start.format("%Y-%m").to_string(),
        Period::Quarter => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
    }
}

/// Computes the forecast in one query.
pub async fn forecast(tx: &TenantTx, request: &ForecastRequest) -> Result<Forecast> {
    request.validate()?;
    let base = currencies::base_currency(tx).await?;
    let minor = currencies::minor_units(&base) as i32;
    let (group_expr, group_name) = match request.grouping {
        Grouping::None => ("NULL::uuid", "NULL::text"),
        Grouping::Owner => ("d.owner_id", "COALESCE(u.display_name, u.email)"),
        Grouping::Team => ("m.team_id", "t.name"),
        Grouping::Region => ("m.region_id", "r.name"),
    };
    let trunc = match request.period {
        Period::Month => "month",
        Period::Quarter => "quarter",
    };
    // The rate in force on the deal's date: the latest one from on or before it.
    let sql = format!(
        "WITH dated AS (
            SELECT d.amount, d.currency, d.status, s.probability, s.forecast_category,
                   {group_expr} AS group_id, {group_name} AS group_name,
                   COALESCE(d.expected_close_date, (d.closed_at AT TIME ZONE 'UTC')::date) AS on_date
              FROM deals d
              JOIN pipeline_stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
              LEFT JOIN memberships m ON m.tenant_id = d.tenant_id AND m.user_id = d.owner_id
              LEFT JOIN users u ON u.id = m.user_id
              LEFT JOIN teams t ON t.tenant_id = m.tenant_id AND t.id = m.team_id
              LEFT JOIN regions r ON r.tenant_id = m.tenant_id AND r.id = m.region_id
             WHERE d.tenant_id = $1 AND d.status IN ('OPEN', 'WON')
               AND ($6::uuid IS NULL OR d.pipeline_id = $6)
        ), converted AS (
            SELECT dated.*,
                   CASE WHEN dated.currency = $4 THEN round(dated.amount, $5)
                        ELSE round(dated.amount * rate.rate, $5) END AS amount_base
              FROM dated
              LEFT JOIN LATERAL (
                    SELECT e.rate FROM exchange_rates e
                     WHERE e.tenant_id = $1 AND e.currency = dated.currency AND e.valid_from <= dated.on_date
                     ORDER BY e.valid_from DESC LIMIT 1) rate ON dated.currency <> $4
             WHERE dated.on_date BETWEEN $2 AND $3
        )
        SELECT date_trunc('{trunc}', on_date)::date AS period_start, group_id, min(group_name) AS group_name,
               COALESCE(sum(amount_base) FILTER (WHERE status = 'OPEN'), 0) AS pipeline,
               COALESCE(sum(amount_base * probability / 100) FILTER (WHERE status = 'OPEN'), 0) AS weighted,
               COALESCE(sum(amount_base) FILTER (WHERE status = 'OPEN' AND forecast_category = 'COMMIT'), 0) AS commit_open,
               COALESCE(sum(amount_base) FILTER (WHERE status = 'OPEN' AND forecast_category = 'BEST_CASE'), 0) AS best_case_open,
               COALESCE(sum(amount_base) FILTER (WHERE status = 'WON'), 0) AS closed_won,
               count(*) FILTER (WHERE status = 'OPEN') AS open_deals,
               count(*) FILTER (WHERE status = 'WON') AS won_deals,
               min(currency) FILTER (WHERE amount_base IS NULL) AS unrated_currency,
               min(on_date) FILTER (WHERE amount_base IS NULL) AS unrated_date
          FROM converted
         GROUP BY 1, 2
         ORDER BY 1, 3 NULLS LAST, 2 NULLS LAST"
    );
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [
                tx.tenant_id().into(),
                request.from.into(),
                request.to.into(),
                base.clone().into(),
                minor.into(),
                request.pipeline_id.into(),
            ],
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(currency) = row.try_get::<Option<String>>("", "unrated_currency")? {
            let on: NaiveDate = row.try_get("", "unrated_date")?;
            return Err(currencies::missing_rate(&currency, &base, on));
        }
        let money = |name: &str| -> Result<Decimal> {
            Ok(currencies::round(row.try_get::<Decimal>("", name)?, &base))
        };
        let period_start: NaiveDate = row.try_get("", "period_start")?;
        let closed_won = money("closed_won")?;
        let commit = closed_won + money("commit_open")?;
        out.push(ForecastRow {
            period: period_label(request.period, period_start),
            period_start,
            group_id: row.try_get("", "group_id")?,
            group_name: row.try_get("", "group_name")?,
            pipeline: money("pipeline")?,
            weighted: money("weighted")?,
            best_case: commit + money("best_case_open")?,
            commit,
            closed_won,
            open_deals: row.try_get("", "open_deals")?,
            won_deals: row.try_get("", "won_deals")?,
        });
    }
    Ok(Forecast {
        base_currency: base,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_labelled_by_month_or_quarter() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(period_label(Period::Month, d), "2026-07");
        assert_eq!(period_label(Period::Quarter, d), "2026-Q3");
        let req = ForecastRequest {
            period: Period::Month,
            grouping: Grouping::None,
            from: d,
            to: d.pred_opt().unwrap(),
            pipeline_id: None,
        };
        assert!(req.validate().is_err());
    }
}
