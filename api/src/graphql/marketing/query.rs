//! Marketing queries: segments.

use async_graphql::{Context, Object, Result, ID};

use super::types::{segment_connection, Segment, SegmentConnection, SegmentFilter, SegmentOrderBy};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::marketing::segments::{self, SegmentSort};
use crate::graphql::common::{page_cost, page_request, parse_id};
use crate::graphql::context::{authorize, read_tx};

/// Segment queries.
#[derive(Default)]
pub struct MarketingQuery;

#[Object]
impl MarketingQuery {
    /// The segment with this id; null when absent.
    async fn segment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Segment>> {
        authorize(ctx, Permission::MarketingRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(segments::find(&tx, id).await?.map(Segment))
    }

    /// The workspace's segments, filtered; by name unless `orderBy` says
    /// otherwise (ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn segments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<SegmentFilter>,
        order_by: Option<Vec<SegmentOrderBy>>,
    ) -> Result<SegmentConnection> {
        authorize(ctx, Permission::MarketingRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(SegmentFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let order: Vec<SegmentSort> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = segments::list(&tx, &filter, &order, &page).await?;
        Ok(segment_connection(page, filter))
    }
}
