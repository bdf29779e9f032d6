//! Deals queries: pipelines, deals, and the outbox of domain events.

use async_graphql::{Context, Object, Result, ID};

use super::types::{
    deal_connection, Deal, DealConnection, DealFilter, DealOrderBy, DomainEvent,
    DomainEventConnection, DomainEventEdge, DomainEventFilter, Pipeline,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::{deals, domain_events, pipelines};
use crate::graphql::common::{page_cost, page_request, parse_id, PageInfo};
use crate::graphql::context::{authorize, read_tx};

/// Pipeline, deal and event queries.
#[derive(Default)]
pub struct DealQuery;

#[Object]
impl DealQuery {
    /// Every pipeline of the workspace, the default first.
    async fn pipelines(&self, ctx: &Context<'_>) -> Result<Vec<Pipeline>> {
        authorize(ctx, Permission::DealsRead)?;
        let tx = read_tx(ctx).await?;
        Ok(pipelines::list(&tx)
            .await?
            .into_iter()
            .map(Pipeline)
            .collect())
    }

    /// The pipeline with this id; null when absent.
    async fn pipeline(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Pipeline>> {
        authorize(ctx, Permission::DealsRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(pipelines::find(&tx, id).await?.map(Pipeline))
    }

    /// The deal with this id; null when absent or its customer is not visible to you.
    async fn deal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Deal>> {
        authorize(ctx, Permission::DealsRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(deals::find(&tx, id).await?.map(Deal))
    }

    /// Deals of the customers you may see, filtered; newest first unless
    /// `orderBy` says otherwise (ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DealFilter>,
        order_by: Option<Vec<DealOrderBy>>,
    ) -> Result<DealConnection> {
        authorize(ctx, Permission::DealsRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(DealFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let order: Vec<deals::DealSort> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = deals::list(&tx, &filter, &order, &page).await?;
        Ok(deal_connection(page, filter))
    }

    /// The outbox of business events (deal stage changes, deals won and
    /// lost, orders created), newest first. Read-only, for administrators.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn domain_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DomainEventFilter>,
    ) -> Result<DomainEventConnection> {
        authorize(ctx, Permission::AdminEvents)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(DomainEventFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let tx = read_tx(ctx).await?;
        let page = domain_events::list(&tx, &filter, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(DomainEventConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| DomainEventEdge {
                    cursor,
                    node: DomainEvent(row),
                })
                .collect(),
            page_info,
            filter,
        })
    }
}
