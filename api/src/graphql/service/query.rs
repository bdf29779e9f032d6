//! Service queries: cases, service levels and the service summary.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::loaders::CustomerCasesLoader;
use super::types::{
    case_connection, Case, CaseConnection, CaseEdge, CaseFilter, CaseOrderBy, CaseServiceLevel,
    ServiceSummary,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::cases::{self, CaseSort};
use crate::domain::customer_view::OPEN_CASES_IN_VIEW;
use crate::domain::service_levels;
use crate::graphql::common::{first_page, page_cost, page_request, parse_id};
use crate::graphql::context::{authorize, read_tx};
use crate::graphql::customers::relations::ViewsOfRequest;

/// Case queries.
#[derive(Default)]
pub struct ServiceQuery;

#[Object]
impl ServiceQuery {
    /// The case with this id; null when absent or its customer is not visible to you.
    async fn case(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Case>> {
        authorize(ctx, Permission::CasesRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(cases::find(&tx, id).await?.map(Case))
    }

    /// The case with this number; null when absent or not visible to you.
    async fn case_by_number(&self, ctx: &Context<'_>, number: i64) -> Result<Option<Case>> {
        authorize(ctx, Permission::CasesRead)?;
        let tx = read_tx(ctx).await?;
        Ok(cases::find_by_number(&tx, number).await?.map(Case))
    }

    /// Cases of the customers you may see, filtered; newest first unless
    /// `orderBy` says otherwise (ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CaseFilter>,
        order_by: Option<Vec<CaseOrderBy>>,
    ) -> Result<CaseConnection> {
        authorize(ctx, Permission::CasesRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(CaseFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let order: Vec<CaseSort> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = cases::list(&tx, &filter, &order, &page).await?;
        Ok(case_connection(page, filter))
    }

    /// The service level of every priority, most urgent first.
    async fn case_service_levels(&self, ctx: &Context<'_>) -> Result<Vec<CaseServiceLevel>> {
        authorize(ctx, Permission::CasesRead)?;
        let tx = read_tx(ctx).await?;
        Ok(service_levels::all(&tx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Service figures over the cases opened from `from` (30 days ago when
    /// not given) until `to` (now when not given), among those you may see:
    /// volume, backlog, service levels met, resolution times, satisfaction.
    async fn service_summary(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<ServiceSummary> {
        authorize(ctx, Permission::CasesRead)?;
        let to = to.unwrap_or_else(Utc::now);
        let from = from.unwrap_or(to - Duration::days(30));
        let tx = read_tx(ctx).await?;
        let summary = cases::summary(&tx, from, to).await?;
        Ok(ServiceSummary::of(summary, from, to))
    }
}

/// The first page (or a later one) of a customer's cases, newest first;
/// open cases of a customer loaded as a 360 view come from the view.
pub async fn cases_of(
    ctx: &Context<'_>,
    customer_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
    open_only: bool,
) -> Result<CaseConnection> {
    authorize(ctx, Permission::CasesRead)?;
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    let filter = cases::CaseFilter {
        customer_ids: Some(vec![customer_id]),
        open: open_only.then_some(true),
        ..cases::CaseFilter::default()
    };
    if page.cursor.is_some() {
        let tx = read_tx(ctx).await?;
        let page = cases::list(&tx, &filter, &[], &page).await?;
        return Ok(case_connection(page, filter));
    }
    let rows = match ViewsOfRequest::get(ctx, customer_id) {
        Some(view) if open_only && page.limit <= OPEN_CASES_IN_VIEW => view.open_cases.clone(),
        _ => ctx
            .data_unchecked::<DataLoader<CustomerCasesLoader>>()
            .load_one((customer_id, page.limit, open_only))
            .await?
            .unwrap_or_default(),
    };
    let (edges, page_info) =
        first_page(rows, page.limit, cases::cursor_of, |cursor, row| CaseEdge {
            cursor,
            node: Case(row),
        });
    Ok(CaseConnection {
        edges,
        page_info,
        filter,
    })
}
