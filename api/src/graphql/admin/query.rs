//! Administration queries.

use async_graphql::{Context, Object, Result};

use super::types::{
    ApiKey, AuditEvent, AuditEventConnection, AuditEventEdge, AuditEventFilter, Invitation, Member,
    OutboundMessage, OutboundMessageConnection, OutboundMessageEdge, Region, Team,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::audit::{self, AuditFilter};
use crate::domain::{api_keys, invitations, members, org_units, outbox};
use crate::graphql::common::{page_cost, page_request, parse_id, PageInfo};
use crate::graphql::context::{authorize, read_tx, services};

/// The administration queries.
#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Everyone in the workspace, in the order they joined.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Member>> {
        let principal = authorize(ctx, Permission::CustomersRead)?;
        Ok(members::list(&services(ctx).db, principal.tenant_id)
            .await?
            .into_iter()
            .map(Member)
            .collect())
    }

    /// The workspace's teams, by name (nesting through `parentId`).
    async fn teams(&self, ctx: &Context<'_>) -> Result<Vec<Team>> {
        authorize(ctx, Permission::CustomersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(org_units::teams(&tx).await?.into_iter().map(Team).collect())
    }

    /// The workspace's regions, by name.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        authorize(ctx, Permission::CustomersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(org_units::regions(&tx)
            .await?
            .into_iter()
            .map(Region)
            .collect())
    }

    /// Invitations, newest first.
    async fn invitations(&self, ctx: &Context<'_>) -> Result<Vec<Invitation>> {
        authorize(ctx, Permission::AdminMembers)?;
        let tx = read_tx(ctx).await?;
        Ok(invitations::list(&tx)
            .await?
            .into_iter()
            .map(Invitation)
            .collect())
    }

    /// API keys, newest first, without secrets.
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let principal = authorize(ctx, Permission::AdminApiKeys)?;
        Ok(api_keys::list(&services(ctx).db, principal.tenant_id)
            .await?
            .into_iter()
            .map(ApiKey)
            .collect())
    }

    /// The audit log, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuditEventFilter>,
    ) -> Result<AuditEventConnection> {
        authorize(ctx, Permission::AdminAudit)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            action: filter.action.map(Into::into),
            actor_user_id: filter
                .actor_user_id
                .map(|id| parse_id("filter.actorUserId", &id))
                .transpose()?,
            actor_api_key_id: filter
                .actor_api_key_id
                .map(|id| parse_id("filter.actorApiKeyId", &id))
                .transpose()?,
            target_id: filter.target_id,
            occurred_at: filter.occurred_at.map(Into::into),
        };
        let tx = read_tx(ctx).await?;
        let page = audit::list(&tx, &filter, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(AuditEventConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, node)| AuditEventEdge {
                    cursor,
                    node: AuditEvent(node),
                })
                .collect(),
            page_info,
        })
    }

    /// Messages sent (or waiting to be sent) to people outside the product,
    /// newest first, with secrets masked.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn outbound_messages(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<OutboundMessageConnection> {
        authorize(ctx, Permission::AdminAudit)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let tx = read_tx(ctx).await?;
        let page = outbox::list(&tx, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(OutboundMessageConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, node)| OutboundMessageEdge {
                    cursor,
                    node: OutboundMessage(node),
                })
                .collect(),
            page_info,
        })
    }
}
