//! Customer queries.

use async_graphql::{Context, Object, Result, ID};

use super::history::{CustomerChange, CustomerChangeConnection, CustomerChangeEdge};
use super::relations::ViewsOfRequest;
use super::types::{Customer, CustomerConnection, CustomerEdge, CustomerFilter, CustomerOrderBy};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::{customer_history, customer_view, customers};
use crate::graphql::common::{page_cost, page_request, parse_id, PageInfo};
use crate::graphql::context::{authorize, read_tx, services};

/// `customer`, `customers`.
#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// The customer with this id; null when it does not exist, is deleted or
    /// belongs to another workspace.
    ///
    /// This is the customer 360 view: the customer with its first contacts
    /// and latest interactions comes from the cache when current.
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Customer>> {
        let principal = authorize(ctx, Permission::CustomersRead)?;
        let id = parse_id("id", &id)?;
        let services = services(ctx);
        let read =
            customer_view::load(&services.db, &services.cache, principal.scope(), id).await?;
        if let Some(views) = ctx.data_opt::<ViewsOfRequest>() {
            views.keep(id, &read);
        }
        Ok(read.view.map(|view| Customer(view.customer.clone())))
    }

    /// The contact with this id; null when absent, deleted or another workspace's.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<super::relations::Contact>> {
        authorize(ctx, Permission::CustomersRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(crate::domain::contacts::find(&tx, id)
            .await?
            .map(super::relations::Contact))
    }

    /// Every change to a customer's fields, newest first, optionally of one
    /// `field` (as the API spells it, such as `lifecycleStage`). Deleted
    /// customers keep their history; an unknown customer, or another
    /// workspace's, is `NOT_FOUND`.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn customer_history(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        first: Option<i32>,
        after: Option<String>,
        field: Option<String>,
    ) -> Result<CustomerChangeConnection> {
        authorize(ctx, Permission::CustomersRead)?;
        let customer_id = parse_id("customerId", &customer_id)?;
        let field = field
            .map(|f| customer_history::field("field", &f))
            .transpose()?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            None,
            None,
        )?;
        let tx = read_tx(ctx).await?;
        let page = customer_history::of_customer(&tx, customer_id, field, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(CustomerChangeConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| CustomerChangeEdge {
                    cursor,
                    node: CustomerChange(row),
                })
                .collect(),
            page_info,
            customer_id,
            field,
        })
    }

    /// Customers as a Relay connection, filtered and ordered (ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CustomerFilter>,
        order_by: Option<Vec<CustomerOrderBy>>,
    ) -> Result<CustomerConnection> {
        authorize(ctx, Permission::CustomersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(CustomerFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        customer_page(ctx, &page, filter, order_by).await
    }
}

/// One page of the customers matching `filter` that the caller may see,
/// with the page's relations prefetched: the `customers` list, and the
/// lists that narrow it (a segment's members).
pub async fn customer_page(
    ctx: &Context<'_>,
    page: &crate::domain::pagination::PageRequest,
    filter: crate::domain::customers::CustomerFilter,
    order_by: Option<Vec<CustomerOrderBy>>,
) -> Result<CustomerConnection> {
    let order: Vec<_> = order_by
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect();
    let tx = read_tx(ctx).await?;
    let page = customers::list(&tx, &filter, &order, page).await?;
    let ids: Vec<uuid::Uuid> = page.rows.iter().map(|(_, row)| row.id).collect();
    super::relations::prefetch_for_page(ctx, &tx, &ids).await?;
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    Ok(CustomerConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| CustomerEdge {
                cursor,
                node: Customer(row),
            })
            .collect(),
        page_info,
        filter,
    })
}
