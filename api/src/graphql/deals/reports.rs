//! Sales reports: the forecast and the sales-activity report (managers and
//! administrators, `sales:reports`).

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::auth::Permission;
use crate::domain::{currencies, forecast, sales_activity};
use crate::graphql::common::{parse_id, to_id, Date, Money};
use crate::graphql::context::{authorize, read_tx};

/// How long a forecast period is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::forecast::Period")]
pub enum ForecastPeriod {
    Month,
    Quarter,
}

/// What forecast rows are grouped by, besides the period.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::forecast::Grouping")]
pub enum ForecastGrouping {
    /// One row per period.
    None,
    /// The deal's owner.
    Owner,
    /// The owner's team.
    Team,
    /// The owner's region.
    Region,
}

/// What to forecast.
#[derive(InputObject)]
pub struct SalesForecastInput {
    pub period: ForecastPeriod,
    #[graphql(default_with = "ForecastGrouping::None")]
    pub group_by: ForecastGrouping,
    /// First day of expected close dates, included.
    pub from: Date,
    /// Last day, included.
    pub to: Date,
    /// Only this pipeline's deals.
    pub pipeline_id: Option<ID>,
}

/// One period (and group) of the forecast, in the base currency.
#[derive(SimpleObject)]
pub struct SalesForecastRow {
    /// `2026-03` (month) or `2026-Q1` (quarter).
    pub period: String,
    pub period_start: Date,
    /// The owner, team or region; null for deals without one, and without grouping.
    pub group_id: Option<ID>,
    pub group_name: Option<String>,
    /// Amount of the open deals.
    pub pipeline: Money,
    /// Σ amount × stage probability of the open deals.
    pub weighted: Money,
    /// Commit plus the open deals in BEST_CASE stages.
    pub best_case: Money,
    /// Closed won plus the open deals in COMMIT stages.
    pub commit: Money,
    /// Amount of the won deals.
    pub closed_won: Money,
    pub open_deals: i64,
    pub won_deals: i64,
}

/// The sales forecast.
#[derive(SimpleObject)]
pub struct SalesForecast {
    pub base_currency: String,
    /// By period, then group.
    pub rows: Vec<SalesForecastRow>,
}

/// Sales activity figures of a rep or a team.
#[derive(SimpleObject)]
pub struct SalesActivityFigures {
    pub calls: i64,
    pub meetings: i64,
    pub emails: i64,
    pub deals_created: i64,
    pub deals_won: i64,
    pub deals_lost: i64,
    /// Won ÷ (won + lost), 0 to 1; null when nothing was closed.
    pub win_rate: Option<Decimal>,
    /// Average days from creation to win; null without wins.
    pub average_sales_cycle_days: Option<Decimal>,
}

impl From<&sales_activity::Activity> for SalesActivityFigures {
    fn from(a: &sales_activity::Activity) -> Self {
        SalesActivityFigures {
            calls: a.calls,
            meetings: a.meetings,
            emails: a.emails,
            deals_created: a.deals_created,
            deals_won: a.deals_won,
            deals_lost: a.deals_lost,
            win_rate: a.win_rate(),
            average_sales_cycle_days: a.average_sales_cycle_days(),
        }
    }
}

/// One rep's activity.
#[derive(SimpleObject)]
pub struct RepSalesActivity {
    pub user_id: ID,
    pub name: String,
    pub team_id: Option<ID>,
    pub figures: SalesActivityFigures,
}

/// One team's activity (members without a team: the row without one).
#[derive(SimpleObject)]
pub struct TeamSalesActivity {
    pub team_id: Option<ID>,
    pub name: Option<String>,
    pub figures: SalesActivityFigures,
}

/// The sales-activity report.
#[derive(SimpleObject)]
pub struct SalesActivityReport {
    pub reps: Vec<RepSalesActivity>,
    pub teams: Vec<TeamSalesActivity>,
}

/// Report queries.
#[derive(Default)]
pub struct SalesReportQuery;

#[Object]
impl SalesReportQuery {
    /// The weighted pipeline, best case, commit and closed won per month or
    /// quarter of expected close date, optionally by owner, team or region,
    /// in the base currency at the rate in force on each deal's date.
    async fn sales_forecast(
        &self,
        ctx: &Context<'_>,
        input: SalesForecastInput,
    ) -> Result<SalesForecast> {
        authorize(ctx, Permission::SalesReports)?;
        let request = forecast::ForecastRequest {
            period: input.period.into(),
            grouping: input.group_by.into(),
            from: input.from.0,
            to: input.to.0,
            pipeline_id: input
                .pipeline_id
                .map(|id| parse_id("pipelineId", &id))
                .transpose()?,
        };
        let tx = read_tx(ctx).await?;
        let result = forecast::forecast(&tx, &request).await?;
        let base = result.base_currency.clone();
        let money = |amount| Money {
            amount: currencies::display(amount, &base),
            currency: base.clone(),
        };
        Ok(SalesForecast {
            rows: result
                .rows
                .into_iter()
                .map(|r| SalesForecastRow {
                    period: r.period,
                    period_start: Date(r.period_start),
                    group_id: r.group_id.map(to_id),
                    group_name: r.group_name,
                    pipeline: money(r.pipeline),
                    weighted: money(r.weighted),
                    best_case: money(r.best_case),
                    commit: money(r.commit),
                    closed_won: money(r.closed_won),
                    open_deals: r.open_deals,
                    won_deals: r.won_deals,
                })
                .collect(),
            base_currency: result.base_currency,
        })
    }

    /// Calls, meetings and emails logged, deals created, won and lost, win
    /// rate and average sales cycle, per rep and per team, in `[from, to)`.
    async fn sales_activity(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SalesActivityReport> {
        authorize(ctx, Permission::SalesReports)?;
        let tx = read_tx(ctx).await?;
        let report = sales_activity::report(&tx, from, to).await?;
        Ok(SalesActivityReport {
            reps: report
                .reps
                .iter()
                .map(|r| RepSalesActivity {
                    user_id: to_id(r.user_id),
                    name: r.name.clone(),
                    team_id: r.team_id.map(to_id),
                    figures: (&r.activity).into(),
                })
                .collect(),
            teams: report
                .teams
                .iter()
                .map(|t| TeamSalesActivity {
                    team_id: t.team_id.map(to_id),
                    name: t.name.clone(),
                    figures: (&t.activity).into(),
                })
                .collect(),
        })
    }
}
