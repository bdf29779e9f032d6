//! Campaign queries.

use async_graphql::{Context, Object, Result, ID};

use super::campaign_types::{
    campaign_connection, Campaign, CampaignConnection, CampaignFilter, CampaignOrderBy,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::marketing::campaigns::{self, CampaignSort};
use crate::graphql::common::{page_cost, page_request, parse_id};
use crate::graphql::context::{authorize, read_tx};

/// Campaign queries.
#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// The campaign with this id; null when absent.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Campaign>> {
        authorize(ctx, Permission::MarketingRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(campaigns::find(&tx, id).await?.map(Campaign))
    }

    /// The workspace's campaigns, filtered; newest first unless `orderBy`
    /// says otherwise (ties broken by id). Select `results` on each to
    /// compare them side by side.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CampaignFilter>,
        order_by: Option<Vec<CampaignOrderBy>>,
    ) -> Result<CampaignConnection> {
        authorize(ctx, Permission::MarketingRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(CampaignFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let order: Vec<CampaignSort> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = campaigns::list(&tx, &filter, &order, &page).await?;
        Ok(campaign_connection(page, filter))
    }
}
