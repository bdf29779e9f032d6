//! Customer value queries.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::types::{
    AnalysisDimension, AnalysisFilter, AnalysisMeasure, AnalysisResult, AnalyticsRun,
    AnalyticsRunConnection, AnalyticsRunEdge, CrossSellRecommendation, CustomerGrowth,
    CustomerValueSettings, CustomerValueSummary, ValueTier,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::analytics::values::{ValueMatch, ValueSortField};
use crate::domain::analytics::{analyze, cross_sell, growth, runs, settings, values};
use crate::domain::customers::{self, CustomerFilter, CustomerOrder, CustomerOrderField};
use crate::domain::filter::{EnumFilter, RangeFilter};
use crate::domain::pagination::PageRequest;
use crate::error::Error;
use crate::graphql::common::{page_cost, page_request, parse_id, PageInfo};
use crate::graphql::context::{authorize, read_tx};
use crate::graphql::customers::types::Customer;

/// Most win-back candidates per request.
const MAX_WIN_BACK: i32 = 100;

/// `customerValueSummary`, `customerValueSettings`, `analyticsRun(s)`,
/// `winBackCandidates`, `customerGrowth`, `crossSellRecommendations`, `analyze`.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The workspace's customer value as of the latest successful run:
    /// tiers, segments, the Pareto view, model parameters and diagnostics.
    /// Tiers and segments count the customers you may see; the Pareto view
    /// and the model figures describe the whole workspace.
    async fn customer_value_summary(&self, ctx: &Context<'_>) -> Result<CustomerValueSummary> {
        authorize(ctx, Permission::OrdersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(CustomerValueSummary::new(values::summary(&tx).await?))
    }

    /// How customer value is computed (tier shares, horizon, discount, schedule).
    async fn customer_value_settings(&self, ctx: &Context<'_>) -> Result<CustomerValueSettings> {
        authorize(ctx, Permission::OrdersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(settings::get(&tx).await?.into())
    }

    /// The run with this id; null when absent or another workspace's.
    async fn analytics_run(&self, ctx: &Context<'_>, id: ID) -> Result<Option<AnalyticsRun>> {
        authorize(ctx, Permission::OrdersRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(runs::find(&tx, id).await?.map(AnalyticsRun))
    }

    /// The workspace's runs, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn analytics_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AnalyticsRunConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let tx = read_tx(ctx).await?;
        let total_count = runs::count(&tx).await? as i64;
        let page = runs::list(&tx, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(AnalyticsRunConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, run)| AnalyticsRunEdge {
                    cursor,
                    node: AnalyticsRun(run),
                })
                .collect(),
            page_info,
            total_count,
        })
    }

    /// Lost or slipping customers of high past value, highest total spend
    /// first: churn risk at least `minChurnRisk` (0.5 by default) in the
    /// given tiers (A and B by default).
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn win_back_candidates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        min_churn_risk: Option<f64>,
        tiers: Option<Vec<ValueTier>>,
    ) -> Result<Vec<Customer>> {
        authorize(ctx, Permission::CustomersRead)?;
        authorize(ctx, Permission::OrdersRead)?;
        let first = first.unwrap_or(20);
        if !(0..=MAX_WIN_BACK).contains(&first) {
            return Err(Error::validation(
                "first",
                format!("must be between 0 and {MAX_WIN_BACK}"),
            )
            .into());
        }
        let min_churn_risk = min_churn_risk.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&min_churn_risk) {
            return Err(Error::validation("minChurnRisk", "must be between 0 and 1").into());
        }
        let tiers = tiers.unwrap_or_else(|| vec![ValueTier::A, ValueTier::B]);
        let filter = CustomerFilter {
            value: Some(ValueMatch {
                churn_risk: Some(RangeFilter {
                    gte: Some(min_churn_risk),
                    ..RangeFilter::default()
                }),
                tier: Some(EnumFilter {
                    eq: None,
                    ne: None,
                    in_list: Some(tiers.into_iter().map(ValueTier::as_str).collect()),
                }),
                ..ValueMatch::default()
            }),
            ..CustomerFilter::default()
        };
        let order = [CustomerOrder {
            field: CustomerOrderField::Value(ValueSortField::MonetaryTotal),
            descending: true,
            custom_field: None,
        }];
        let page = PageRequest {
            limit: first as u64,
            backward: false,
            cursor: None,
            cursor_field: "after",
        };
        let tx = read_tx(ctx).await?;
        let page = customers::list(&tx, &filter, &order, &page).await?;
        Ok(page.rows.into_iter().map(|(_, c)| Customer(c)).collect())
    }

    /// Growth of the period [from, to) against the period of the same
    /// length before it: wider, longer and deeper. Customers count as lost
    /// after `lapseDays` (180 by default) without a purchase.
    async fn customer_growth(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        lapse_days: Option<i32>,
    ) -> Result<CustomerGrowth> {
        authorize(ctx, Permission::OrdersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(growth::growth(&tx, from, to, lapse_days.unwrap_or(180))
            .await?
            .into())
    }

    /// Products the customer has not bought that customers with the same
    /// products also bought, strongest association rule first. Rules need at
    /// least `minCustomers` (2 by default) customers who bought both.
    async fn cross_sell_recommendations(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        first: Option<i32>,
        min_customers: Option<i32>,
    ) -> Result<Vec<CrossSellRecommendation>> {
        authorize(ctx, Permission::OrdersRead)?;
        let customer_id = parse_id("customerId", &customer_id)?;
        let first = first.unwrap_or(10);
        if first < 0 {
            return Err(Error::validation("first", "must not be negative").into());
        }
        let tx = read_tx(ctx).await?;
        Ok(cross_sell::recommendations(
            &tx,
            customer_id,
            first as u64,
            i64::from(min_customers.unwrap_or(2)),
        )
        .await?
        .into_iter()
        .map(CrossSellRecommendation)
        .collect())
    }

    /// Revenue, cost, margin, order and customer counts and average order
    /// value, grouped by any combination of dimensions, in the base currency.
    async fn analyze(
        &self,
        ctx: &Context<'_>,
        measures: Vec<AnalysisMeasure>,
        dimensions: Vec<AnalysisDimension>,
        filter: Option<AnalysisFilter>,
    ) -> Result<AnalysisResult> {
        authorize(ctx, Permission::OrdersRead)?;
        let domain_filter = filter.unwrap_or_default().into_domain()?;
        let domain_measures: Vec<analyze::Measure> = measures.iter().map(|m| (*m).into()).collect();
        let domain_dimensions: Vec<analyze::Dimension> =
            dimensions.iter().map(|d| (*d).into()).collect();
        // The grand total is a second aggregate: only when it is asked for.
        let with_total = ctx.look_ahead().field("total").exists();
        let tx = read_tx(ctx).await?;
        let analysis = analyze::analyze(
            &tx,
            &domain_measures,
            &domain_dimensions,
            &domain_filter,
            with_total,
        )
        .await?;
        Ok(AnalysisResult::new(analysis, measures, dimensions))
    }
}
