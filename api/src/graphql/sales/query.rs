//! Sales queries.

use async_graphql::{Context, Object, Result, ID};

use super::types::{
    order_connection, ExchangeRate, ExchangeRateConnection, ExchangeRateEdge, ExchangeRateFilter,
    Order, OrderFilter, OrderOrderBy, PriceList, PriceListConnection, PriceListEdge, Product,
    ProductConnection, ProductEdge, ProductFilter, ProductOrderBy,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::currencies::{self, Money as DomainMoney};
use crate::domain::{orders, products};
use crate::graphql::common::{
    page_cost, page_request, parse_id, Date, Money, MoneyInput, PageInfo,
};
use crate::graphql::context::{authorize, read_tx};

/// `product`, `products`, `priceList`, `priceLists`, `order`, `orders`,
/// `exchangeRates`, `convertToBaseCurrency`.
#[derive(Default)]
pub struct SalesQuery;

#[Object]
impl SalesQuery {
    /// The product with this id; null when absent or another workspace's.
    async fn product(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        authorize(ctx, Permission::OrdersRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(products::find(&tx, id).await?.map(Product))
    }

    /// Products as a Relay connection, filtered and ordered (SKU by default; ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        order_by: Option<Vec<ProductOrderBy>>,
    ) -> Result<ProductConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter: products::ProductFilter = filter.map(Into::into).unwrap_or_default();
        let order: Vec<products::ProductOrder> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = products::list(&tx, &filter, &order, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(ProductConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| ProductEdge {
                    cursor,
                    node: Product(row),
                })
                .collect(),
            page_info,
            filter,
        })
    }

    /// The price list with this id; null when absent or another workspace's.
    async fn price_list(&self, ctx: &Context<'_>, id: ID) -> Result<Option<PriceList>> {
        authorize(ctx, Permission::OrdersRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(products::find_price_list(&tx, id).await?.map(PriceList))
    }

    /// Price lists by currency; `currency` narrows them to these codes.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn price_lists(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        currency: Option<Vec<String>>,
    ) -> Result<PriceListConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let currencies = currency
            .map(|codes| {
                codes
                    .iter()
                    .map(|c| currencies::currency("currency", c))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let tx = read_tx(ctx).await?;
        let page = products::list_price_lists(&tx, currencies.as_deref(), &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(PriceListConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| PriceListEdge {
                    cursor,
                    node: PriceList(row),
                })
                .collect(),
            page_info,
        })
    }

    /// The order with this id; null when absent or another workspace's.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        authorize(ctx, Permission::OrdersRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(orders::find(&tx, id).await?.map(Order))
    }

    /// Orders as a Relay connection, filtered; newest order time first
    /// unless `orderBy` says otherwise (ties broken by id).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrderFilter>,
        order_by: Option<OrderOrderBy>,
    ) -> Result<super::types::OrderConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(OrderFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let sort = order_by.map(Into::into).unwrap_or_default();
        let tx = read_tx(ctx).await?;
        let page = orders::list(&tx, &filter, sort, &page).await?;
        Ok(order_connection(page, filter))
    }

    /// Exchange rates, by currency and newest first within one.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn exchange_rates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ExchangeRateFilter>,
    ) -> Result<ExchangeRateConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(ExchangeRateFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let tx = read_tx(ctx).await?;
        let page = currencies::list_rates(&tx, &filter, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(ExchangeRateConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| ExchangeRateEdge {
                    cursor,
                    node: ExchangeRate(row),
                })
                .collect(),
            page_info,
            filter,
        })
    }

    /// An amount in the workspace's base currency at the exchange rate in
    /// force on `on` (the latest rate whose `validFrom` is on or before it),
    /// rounded to the base currency's minor units.
    async fn convert_to_base_currency(
        &self,
        ctx: &Context<'_>,
        money: MoneyInput,
        on: Date,
    ) -> Result<Money> {
        authorize(ctx, Permission::OrdersRead)?;
        let money = DomainMoney::new(
            money.amount,
            currencies::currency("money.currency", &money.currency)?,
        );
        let tx = read_tx(ctx).await?;
        Ok(currencies::convert(&tx, &money, on.0).await?.into())
    }
}
