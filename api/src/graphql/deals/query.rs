//! Deals queries: pipelines, deals, and the outbox of domain events.

use async_graphql::{Context, Object, Result, ID};

use super::types::{
    deal_connection, Deal, DealConnection, DealFilter, DealOrderBy, DomainEvent,
    DomainEventConnection, DomainEventEdge, DomainEventFilter, DomainEventKind, DomainEventOrder,
    Pipeline,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::{deals, domain_events, pipelines};
use crate::error::Error;
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

    /// The outbox of business events of every area, for administrators:
    /// newest first by default; `order: FEED` reads the pull feed from a
    /// kept cursor (`after`) onwards, oldest first. `types` keeps the given
    /// kinds. Events are kept `CRM_EVENT_RETENTION_DAYS` (30) days.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn domain_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DomainEventFilter>,
        types: Option<Vec<DomainEventKind>>,
        #[graphql(default)] order: DomainEventOrder,
    ) -> Result<DomainEventConnection> {
        authorize(ctx, Permission::AdminEvents)?;
        let limits = ctx.data_unchecked::<GraphqlLimits>();
        let kinds: Option<Vec<domain_events::EventKind>> =
            types.map(|t| t.into_iter().map(Into::into).collect());
        if order == DomainEventOrder::Feed {
            return feed_page(ctx, limits, first, after, last, before, filter, kinds).await;
        }
        let page = page_request(limits, first, after, last, before)?;
        let mut filter = filter
            .map(DomainEventFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        if let Some(kinds) = kinds {
            filter.kinds = Some(match filter.kinds {
                Some(given) => given.into_iter().filter(|k| kinds.contains(k)).collect(),
                None => kinds,
            });
        }
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

/// A page of the pull feed: `first` events after the `after` cursor.
#[allow(clippy::too_many_arguments)]
async fn feed_page(
    ctx: &Context<'_>,
    limits: &GraphqlLimits,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    filter: Option<DomainEventFilter>,
    kinds: Option<Vec<domain_events::EventKind>>,
) -> Result<DomainEventConnection> {
    if last.is_some() || before.is_some() {
        return Err(
            Error::validation("last", "the feed reads forwards: give `first` and `after`").into(),
        );
    }
    if filter.is_some() {
        return Err(Error::validation("filter", "the feed takes `types`, not `filter`").into());
    }
    let size = match first {
        Some(n) if n < 0 => return Err(Error::validation("first", "must not be negative").into()),
        Some(n) => (n as u64).min(limits.max_page_size),
        None => limits.default_page_size,
    };
    let position = after
        .map(|cursor| {
            domain_events::FeedPosition::decode(&cursor)
                .ok_or_else(|| Error::validation("after", "is not a cursor of the event feed"))
        })
        .transpose()?;
    let tx = read_tx(ctx).await?;
    let (rows, more) = domain_events::feed(&tx, position, kinds.as_deref(), size).await?;
    let edges: Vec<DomainEventEdge> = rows
        .into_iter()
        .map(|row| DomainEventEdge {
            cursor: domain_events::FeedPosition::of(&row).encode(),
            node: DomainEvent(row),
        })
        .collect();
    let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
    let page_info = PageInfo::new(&cursors, more, position.is_some());
    Ok(DomainEventConnection {
        page_info,
        edges,
        filter: domain_events::EventFilter {
            kinds,
            ..Default::default()
        },
    })
}
