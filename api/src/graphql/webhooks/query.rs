//! Webhook queries.

use async_graphql::{Context, Object, Result, ID};

use super::types::{WebhookEndpoint, WebhookEndpointConnection, WebhookEndpointEdge};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::webhooks::endpoints;
use crate::error::Error;
use crate::graphql::common::{page_cost, page_request, parse_id, PageInfo};
use crate::graphql::context::{authorize, read_tx};

/// The webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workspace's webhook endpoints, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<WebhookEndpointConnection> {
        authorize(ctx, Permission::AdminWebhooks)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let tx = read_tx(ctx).await?;
        let page = endpoints::list(&tx, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(WebhookEndpointConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| WebhookEndpointEdge {
                    cursor,
                    node: WebhookEndpoint(row),
                })
                .collect(),
            page_info,
        })
    }

    /// The endpoint with this id; null when absent.
    async fn webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> Result<Option<WebhookEndpoint>> {
        authorize(ctx, Permission::AdminWebhooks)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        match endpoints::find(&tx, id).await {
            Ok(endpoint) => Ok(Some(WebhookEndpoint(endpoint))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }
}
