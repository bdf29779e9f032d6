//! Sales types of the API (products, price lists, orders, imports, exchange
//! rates) and their conversion into domain values.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::loaders::{
    CustomerLoader, CustomerOrdersLoader, ExchangeRateLoader, OrderLinesLoader, ProductLoader,
    ProductPricesLoader,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::currencies::{self, Money as DomainMoney};
use crate::domain::customer_view::ORDERS_IN_VIEW;
use crate::domain::filter::EnumFilter;
use crate::domain::orders::import::{ImportOptions, ImportReport as DomainReport, ImportRow};
use crate::domain::orders::{self, rules as order_rules, NewOrder, NewOrderLine};
use crate::domain::products::{self, rules as product_rules, NewProduct, ProductChanges};
use crate::error::Error;
use crate::graphql::common::{
    page_request, parse_id, to_id, Date, DateTimeFilter, IdFilter, Money, MoneyInput,
    OrderDirection, PageInfo, StringFilter,
};
use crate::graphql::context::{authorize, read_tx};
use crate::graphql::customers::types::{Customer, CustomerKind};

/// Through which channel a sale was made.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::orders::SalesChannel")]
pub enum SalesChannel {
    Direct,
    Partner,
    Retail,
    Web,
}

/// Where an order stands. Placed orders may become paid, shipped or
/// cancelled; paid ones shipped or refunded; shipped ones refunded.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::orders::OrderStatus")]
pub enum OrderStatus {
    Placed,
    Paid,
    Shipped,
    Cancelled,
    Refunded,
}

/// What an import does with the valid orders when some rows are bad.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(
    name = "OrderImportMode",
    remote = "crate::domain::orders::import::ImportMode"
)]
pub enum ImportMode {
    /// Any bad row means nothing is written.
    AllOrNothing,
    /// Orders with a bad row are left out; the other orders are imported.
    SkipInvalid,
}

/// Money as shown: at least the currency's minor units, no trailing zeros beyond.
fn money(amount: Decimal, currency: &str) -> Money {
    Money {
        amount: currencies::display(amount, currency),
        currency: currency.to_owned(),
    }
}

// ------------------------------------------------------------------ products

/// Something the workspace sells.
pub struct Product(pub entity::product::Model);

#[Object]
impl Product {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Stock-keeping unit, unique in the workspace.
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }
    /// What one unit costs the workspace, for margins.
    async fn unit_cost(&self) -> Option<Money> {
        match (&self.0.unit_cost, &self.0.unit_cost_currency) {
            (Some(amount), Some(currency)) => Some(money(*amount, currency)),
            _ => None,
        }
    }
    /// Inactive products cannot be put on new orders (imports of past orders may still name them).
    async fn active(&self) -> bool {
        self.0.active
    }
    /// The product's price in each price list, by currency.
    async fn prices(&self, ctx: &Context<'_>) -> Result<Vec<ProductPrice>> {
        let loader = ctx.data_unchecked::<DataLoader<ProductPricesLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|p| ProductPrice {
                price_list_id: to_id(p.price_list_id),
                unit_price: p.unit_price.into(),
            })
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A product's price in one price list.
#[derive(SimpleObject)]
pub struct ProductPrice {
    pub price_list_id: ID,
    pub unit_price: Money,
}

/// One product in a page.
#[derive(SimpleObject)]
pub struct ProductEdge {
    pub cursor: String,
    pub node: Product,
}

/// A page of products.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ProductConnection {
    pub edges: Vec<ProductEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: products::ProductFilter,
}

#[ComplexObject]
impl ProductConnection {
    /// How many products match the filter, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(products::count(&tx, &self.filter).await? as i64)
    }
}

/// Which products to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductFilter {
    pub sku: Option<StringFilter>,
    pub name: Option<StringFilter>,
    pub category: Option<StringFilter>,
    pub active: Option<bool>,
}

impl From<ProductFilter> for products::ProductFilter {
    fn from(f: ProductFilter) -> Self {
        products::ProductFilter {
            sku: f.sku.map(Into::into),
            name: f.name.map(Into::into),
            category: f.category.map(Into::into),
            active: f.active,
        }
    }
}

/// Fields products can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProductOrderField {
    Sku,
    /// Case-insensitive.
    Name,
    CreatedAt,
}

/// One sort key; ties are broken by id.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct ProductOrderBy {
    pub field: ProductOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<ProductOrderBy> for products::ProductOrder {
    fn from(o: ProductOrderBy) -> Self {
        products::ProductOrder {
            field: match o.field {
                ProductOrderField::Sku => products::ProductOrderField::Sku,
                ProductOrderField::Name => products::ProductOrderField::Name,
                ProductOrderField::CreatedAt => products::ProductOrderField::CreatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// A new product.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// Unique in the workspace.
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    /// What one unit costs the workspace, for margins.
    pub unit_cost: Option<MoneyInput>,
    /// `true` when not given.
    pub active: Option<bool>,
}

impl CreateProductInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewProduct, Error> {
        Ok(NewProduct {
            sku: product_rules::sku("sku", &self.sku)?,
            name: product_rules::name(&self.name)?,
            category: self
                .category
                .map(|c| product_rules::category(&c))
                .transpose()?
                .flatten(),
            unit_cost: self
                .unit_cost
                .map(|m| product_rules::unit_cost("unitCost", m.amount, &m.currency))
                .transpose()?,
            active: self.active.unwrap_or(true),
        })
    }
}

/// Changes to a product; only the fields given change, `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateProductInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub category: MaybeUndefined<String>,
    pub unit_cost: MaybeUndefined<MoneyInput>,
    pub active: Option<bool>,
}

impl UpdateProductInput {
    /// The product id, its expected version and the validated changes.
    pub fn into_domain(self) -> Result<(Uuid, i32, ProductChanges), Error> {
        let id = parse_id("id", &self.id)?;
        let changes = ProductChanges {
            sku: self
                .sku
                .map(|s| product_rules::sku("sku", &s))
                .transpose()?,
            name: self.name.map(|n| product_rules::name(&n)).transpose()?,
            category: match self.category {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(c) => Some(product_rules::category(&c)?),
            },
            unit_cost: match self.unit_cost {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(m) => Some(Some(product_rules::unit_cost(
                    "unitCost",
                    m.amount,
                    &m.currency,
                )?)),
            },
            active: self.active,
        };
        Ok((id, self.version, changes))
    }
}

/// The product a mutation wrote.
#[derive(SimpleObject)]
pub struct ProductPayload {
    pub product: Product,
}

// ------------------------------------------------------------------ price lists

/// The prices of products in one currency. There is one list per currency;
/// an order line without a unit price takes its price from the list in the
/// order's currency.
pub struct PriceList(pub entity::price_list::Model);

#[Object]
impl PriceList {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every rename.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// ISO 4217 code of every price in the list.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// The list's prices, in the order the products were created.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn prices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<PriceConnection> {
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            None,
            None,
        )?;
        let tx = read_tx(ctx).await?;
        let page = products::prices_of_list(&tx, self.0.id, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(PriceConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| PriceEdge {
                    cursor,
                    node: Price {
                        product_id: row.product_id,
                        unit_price: money(row.unit_price, &self.0.currency),
                    },
                })
                .collect(),
            page_info,
            price_list_id: self.0.id,
        })
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One product's price in a price list.
pub struct Price {
    product_id: Uuid,
    unit_price: Money,
}

#[Object]
impl Price {
    async fn product_id(&self) -> ID {
        to_id(self.product_id)
    }
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let loader = ctx.data_unchecked::<DataLoader<ProductLoader>>();
        Ok(loader.load_one(self.product_id).await?.map(Product))
    }
    async fn unit_price(&self) -> &Money {
        &self.unit_price
    }
}

/// One price in a page.
#[derive(SimpleObject)]
pub struct PriceEdge {
    pub cursor: String,
    pub node: Price,
}

/// A page of a price list's prices.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PriceConnection {
    pub edges: Vec<PriceEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub price_list_id: Uuid,
}

#[ComplexObject]
impl PriceConnection {
    /// How many prices the list holds.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(products::count_prices(&tx, self.price_list_id).await? as i64)
    }
}

/// One price list in a page.
#[derive(SimpleObject)]
pub struct PriceListEdge {
    pub cursor: String,
    pub node: PriceList,
}

/// A page of price lists, by currency.
#[derive(SimpleObject)]
pub struct PriceListConnection {
    pub edges: Vec<PriceListEdge>,
    pub page_info: PageInfo,
}

/// A new price list.
#[derive(InputObject)]
pub struct CreatePriceListInput {
    pub name: String,
    /// ISO 4217 code; one list per currency.
    pub currency: String,
}

impl CreatePriceListInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<products::NewPriceList, Error> {
        Ok(products::NewPriceList {
            name: product_rules::name(&self.name)?,
            currency: currencies::currency("currency", &self.currency)?,
        })
    }
}

/// A new name for a price list.
#[derive(InputObject)]
pub struct UpdatePriceListInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub name: String,
}

/// One price to set.
#[derive(InputObject)]
pub struct PriceInput {
    pub product_id: ID,
    /// Not negative, at most 4 decimal places, in the list's currency.
    pub unit_price: Decimal,
}

/// Prices to set in a price list (those already set are replaced).
#[derive(InputObject)]
pub struct SetPricesInput {
    pub price_list_id: ID,
    /// At most 1,000 per call.
    pub prices: Vec<PriceInput>,
}

impl SetPricesInput {
    /// The list id and the validated prices.
    pub fn into_domain(self) -> Result<(Uuid, Vec<products::PriceEntry>), Error> {
        let list = parse_id("priceListId", &self.price_list_id)?;
        let entries = self
            .prices
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(products::PriceEntry {
                    product_id: parse_id(&format!("prices[{i}].productId"), &p.product_id)?,
                    unit_price: product_rules::price(
                        &format!("prices[{i}].unitPrice"),
                        p.unit_price,
                    )?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok((list, entries))
    }
}

/// Products whose prices to take out of a price list.
#[derive(InputObject)]
pub struct RemovePricesInput {
    pub price_list_id: ID,
    pub product_ids: Vec<ID>,
}

/// The price list a mutation wrote.
#[derive(SimpleObject)]
pub struct PriceListPayload {
    pub price_list: PriceList,
}

// ------------------------------------------------------------------ orders

/// A purchase by a customer: lines of products, in one currency.
pub struct Order(pub entity::order::Model);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change; send it back with status changes.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The order's id in the partner system it came from; unique in the workspace.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    /// The buyer; null when the customer was deleted.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<CustomerLoader>>();
        Ok(loader.load_one(self.0.customer_id).await?.map(Customer))
    }
    async fn ordered_at(&self) -> DateTime<Utc> {
        self.0.ordered_at
    }
    async fn deal_id(&self) -> Option<ID> {
        self.0.deal_id.map(to_id)
    }
    /// The deal this order closes, if any (and if you may see it).
    async fn deal(&self, ctx: &Context<'_>) -> Result<Option<crate::graphql::deals::types::Deal>> {
        let Some(deal_id) = self.0.deal_id else {
            return Ok(None);
        };
        authorize(ctx, Permission::DealsRead)?;
        let loader = ctx.data_unchecked::<DataLoader<crate::graphql::deals::loaders::DealLoader>>();
        Ok(loader
            .load_one(deal_id)
            .await?
            .map(crate::graphql::deals::types::Deal))
    }
    /// The code of the marketing campaign that brought the order, if any
    /// (a code no campaign had yet started one).
    async fn campaign(&self) -> Option<&str> {
        self.0.campaign.as_deref()
    }
    /// The campaign of `campaign` (see `campaign(id:)`, with `marketing:read`).
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(to_id)
    }
    /// ISO 4217 code of every amount on the order.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    async fn channel(&self) -> Result<SalesChannel> {
        orders::SalesChannel::parse(&self.0.channel)
            .map(Into::into)
            .ok_or_else(|| unknown_stored("channel", &self.0.channel))
    }
    async fn status(&self) -> Result<OrderStatus> {
        orders::OrderStatus::parse(&self.0.status)
            .map(Into::into)
            .ok_or_else(|| unknown_stored("status", &self.0.status))
    }
    /// The lines, in line order.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<OrderLine>> {
        let loader = ctx.data_unchecked::<DataLoader<OrderLinesLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|line| OrderLine {
                line,
                currency: self.0.currency.clone(),
            })
            .collect())
    }
    /// The sum of the lines' totals.
    async fn total(&self) -> Money {
        money(self.0.total_amount, &self.0.currency)
    }
    /// The total in the workspace's base currency, at the exchange rate in
    /// force on the order's date (UTC). An error names the currency and the
    /// date when no rate was in force then.
    async fn total_in_base_currency(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
        let loader = ctx.data_unchecked::<DataLoader<ExchangeRateLoader>>();
        let base = loader.loader().base_currency().await?;
        let on = self.0.ordered_at.date_naive();
        let total = DomainMoney::new(self.0.total_amount, self.0.currency.clone());
        let rate = if total.currency == base {
            None
        } else {
            loader.load_one((total.currency.clone(), on)).await?
        };
        Ok(Some(
            currencies::convert_at(&total, &base, rate, on)?.into(),
        ))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

fn unknown_stored(what: &str, value: &str) -> async_graphql::Error {
    Error::internal(std::io::Error::other(format!(
        "unknown stored {what} `{value}`"
    )))
    .into()
}

/// One product bought on an order.
pub struct OrderLine {
    line: entity::order_line::Model,
    currency: String,
}

#[Object]
impl OrderLine {
    /// 1 for the first line.
    async fn line_no(&self) -> i32 {
        self.line.line_no
    }
    async fn product_id(&self) -> ID {
        to_id(self.line.product_id)
    }
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let loader = ctx.data_unchecked::<DataLoader<ProductLoader>>();
        Ok(loader.load_one(self.line.product_id).await?.map(Product))
    }
    async fn quantity(&self) -> Decimal {
        self.line.quantity.normalize()
    }
    async fn unit_price(&self) -> Money {
        money(self.line.unit_price, &self.currency)
    }
    /// Percent taken off the line's gross amount (quantity × unit price).
    async fn discount_percent(&self) -> Decimal {
        self.line.discount_percent.normalize()
    }
    /// Quantity × unit price less the discount, rounded to the currency's
    /// minor units (halves away from zero).
    async fn total(&self) -> Money {
        money(self.line.net_amount, &self.currency)
    }
}

/// One order in a page.
#[derive(SimpleObject)]
pub struct OrderEdge {
    pub cursor: String,
    pub node: Order,
}

/// A page of orders.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct OrderConnection {
    pub edges: Vec<OrderEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: orders::OrderFilter,
}

#[ComplexObject]
impl OrderConnection {
    /// How many orders match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(orders::count(&tx, &self.filter).await? as i64)
    }
}

/// Conditions on the order status.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrderStatusFilter {
    pub eq: Option<OrderStatus>,
    pub ne: Option<OrderStatus>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<OrderStatus>>,
}

impl From<OrderStatusFilter> for EnumFilter {
    fn from(f: OrderStatusFilter) -> Self {
        let name = |s: OrderStatus| orders::OrderStatus::from(s).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: f.ne.map(name),
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

/// Conditions on the sales channel.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SalesChannelFilter {
    pub eq: Option<SalesChannel>,
    pub ne: Option<SalesChannel>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<SalesChannel>>,
}

impl From<SalesChannelFilter> for EnumFilter {
    fn from(f: SalesChannelFilter) -> Self {
        let name = |c: SalesChannel| orders::SalesChannel::from(c).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: f.ne.map(name),
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

/// Which orders to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OrderFilter {
    pub customer_id: Option<IdFilter>,
    pub ordered_at: Option<DateTimeFilter>,
    pub status: Option<OrderStatusFilter>,
    pub channel: Option<SalesChannelFilter>,
    pub currency: Option<StringFilter>,
    pub external_id: Option<StringFilter>,
    /// Orders that close one of these deals.
    pub deal_id: Option<IdFilter>,
    pub campaign: Option<StringFilter>,
}

impl OrderFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<orders::OrderFilter, Error> {
        Ok(orders::OrderFilter {
            customer_ids: self
                .customer_id
                .map(|f| f.into_ids("filter.customerId"))
                .transpose()?,
            ordered_at: self.ordered_at.map(Into::into),
            status: self.status.map(Into::into),
            channel: self.channel.map(Into::into),
            currency: self.currency.map(Into::into),
            external_id: self.external_id.map(Into::into),
            deal_ids: self
                .deal_id
                .map(|f| f.into_ids("filter.dealId"))
                .transpose()?,
            campaign: self.campaign.map(Into::into),
        })
    }
}

/// Fields orders can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderOrderField {
    OrderedAt,
    CreatedAt,
}

/// How to sort orders; ties are broken by id. Newest order time first when not given.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct OrderOrderBy {
    pub field: OrderOrderField,
    #[graphql(default_with = "OrderDirection::Desc")]
    pub direction: OrderDirection,
}

impl From<OrderOrderBy> for orders::OrderSort {
    fn from(o: OrderOrderBy) -> Self {
        orders::OrderSort {
            field: match o.field {
                OrderOrderField::OrderedAt => orders::OrderSortField::OrderedAt,
                OrderOrderField::CreatedAt => orders::OrderSortField::CreatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// One line of a new order.
#[derive(InputObject)]
pub struct OrderLineInput {
    pub product_id: ID,
    /// Greater than 0, at most 4 decimal places.
    pub quantity: Decimal,
    /// Not negative, at most 4 decimal places; when not given, the price of
    /// the product in the price list of the order's currency.
    pub unit_price: Option<Decimal>,
    /// Percent taken off the line's gross amount, 0 to 100; 0 when not given.
    pub discount_percent: Option<Decimal>,
}

/// A new order.
#[derive(InputObject)]
pub struct CreateOrderInput {
    pub customer_id: ID,
    /// The order's id in a partner system; unique in the workspace.
    pub external_id: Option<String>,
    /// Now when not given.
    pub ordered_at: Option<DateTime<Utc>>,
    /// ISO 4217 code of every amount on the order.
    pub currency: String,
    /// `DIRECT` when not given.
    pub channel: Option<SalesChannel>,
    /// `PLACED` when not given.
    pub status: Option<OrderStatus>,
    /// The deal the order closes: one of the customer's deals.
    pub deal_id: Option<ID>,
    /// The marketing campaign that brought the order (at most 200 characters).
    pub campaign: Option<String>,
    /// At least one, at most 1,000.
    pub lines: Vec<OrderLineInput>,
}

impl CreateOrderInput {
    /// Validates every field; line fields are named `lines[i].field`.
    pub fn into_domain(self) -> Result<NewOrder, Error> {
        let lines = order_lines(self.lines)?;
        Ok(NewOrder {
            customer_id: parse_id("customerId", &self.customer_id)?,
            external_id: self
                .external_id
                .map(|e| order_rules::external_id("externalId", &e))
                .transpose()?
                .flatten(),
            ordered_at: self.ordered_at.unwrap_or_else(Utc::now),
            currency: currencies::currency("currency", &self.currency)?,
            channel: self
                .channel
                .map(Into::into)
                .unwrap_or(orders::SalesChannel::Direct),
            status: self
                .status
                .map(Into::into)
                .unwrap_or(orders::OrderStatus::Placed),
            deal_id: self.deal_id.map(|id| parse_id("dealId", &id)).transpose()?,
            campaign: self
                .campaign
                .map(|c| order_rules::campaign("campaign", &c))
                .transpose()?
                .flatten(),
            lines,
        })
    }
}

/// Validates order (or deal) lines; fields are named `lines[i].field`.
pub fn order_lines(lines: Vec<OrderLineInput>) -> Result<Vec<NewOrderLine>, Error> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let field = |name: &str| format!("lines[{i}].{name}");
            Ok(NewOrderLine {
                product_id: parse_id(&field("productId"), &line.product_id)?,
                quantity: order_rules::quantity(&field("quantity"), line.quantity)?,
                unit_price: line
                    .unit_price
                    .map(|p| order_rules::unit_price(&field("unitPrice"), p))
                    .transpose()?,
                discount_percent: line
                    .discount_percent
                    .map(|d| order_rules::discount_percent(&field("discountPercent"), d))
                    .transpose()?
                    .unwrap_or(Decimal::ZERO),
            })
        })
        .collect()
}

/// A status change of an order.
#[derive(InputObject)]
pub struct ChangeOrderStatusInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub status: OrderStatus,
}

/// The order a mutation wrote.
#[derive(SimpleObject)]
pub struct OrderPayload {
    pub order: Order,
}

/// A customer's orders, newest first: from the request's 360 view when it
/// covers the page; else the first page of many customers is loaded in one query; later pages (`after`) are read directly.
pub async fn orders_of(
    ctx: &Context<'_>,
    customer_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<OrderConnection> {
    authorize(ctx, Permission::OrdersRead)?;
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    let filter = orders::OrderFilter {
        customer_ids: Some(vec![customer_id]),
        ..orders::OrderFilter::default()
    };
    if page.cursor.is_none() {
        let view = crate::graphql::customers::relations::ViewsOfRequest::get(ctx, customer_id);
        let rows = match view {
            Some(view) if page.limit <= ORDERS_IN_VIEW => view.orders.clone(),
            _ => {
                let loader = ctx.data_unchecked::<DataLoader<CustomerOrdersLoader>>();
                loader
                    .load_one((customer_id, page.limit))
                    .await?
                    .unwrap_or_default()
            }
        };
        let (edges, page_info) = crate::graphql::common::first_page(
            rows,
            page.limit,
            orders::cursor_of,
            |cursor, row| OrderEdge {
                cursor,
                node: Order(row),
            },
        );
        return Ok(OrderConnection {
            edges,
            page_info,
            filter,
        });
    }
    let tx = read_tx(ctx).await?;
    let page = orders::of_customer(&tx, customer_id, &page).await?;
    Ok(order_connection(page, filter))
}

/// A connection from a page of orders.
pub fn order_connection(
    page: crate::domain::pagination::Page<entity::order::Model>,
    filter: orders::OrderFilter,
) -> OrderConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    OrderConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| OrderEdge {
                cursor,
                node: Order(row),
            })
            .collect(),
        page_info,
        filter,
    }
}

// ------------------------------------------------------------------ import

/// One order line of an import. Values are text, as they stand in the
/// partner's file, so that a malformed value is reported against its row
/// (`ImportReport.errors`) instead of failing the whole request. Rows with
/// the same `externalOrderId` form one order and must agree on its customer,
/// time, currency, channel and status.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ImportOrderRow {
    /// The order's id in the partner system (required).
    pub external_order_id: Option<String>,
    /// The customer's `externalId` (required).
    pub customer_external_id: Option<String>,
    /// Used to create the customer when missing and `createMissingCustomers` is set.
    pub customer_name: Option<String>,
    /// `2026-01-05T10:00:00Z` (RFC 3339) or `2026-01-05` (midnight UTC) (required).
    pub ordered_at: Option<String>,
    /// ISO 4217 code (required).
    pub currency: Option<String>,
    /// The product's SKU (required).
    pub sku: Option<String>,
    /// Decimal greater than 0, such as `3` or `2.5` (required).
    pub quantity: Option<String>,
    /// Decimal, not negative; empty takes the list price of the order's currency.
    pub unit_price: Option<String>,
    /// Percent of the line's gross amount, 0 to 100; empty means 0.
    pub discount_percent: Option<String>,
    /// `DIRECT`, `PARTNER`, `RETAIL` or `WEB`; empty means `DIRECT`.
    pub channel: Option<String>,
    /// `PLACED`, `PAID`, `SHIPPED`, `CANCELLED` or `REFUNDED`; empty means `PLACED`.
    pub status: Option<String>,
    /// The id of the customer's deal the order closes; empty means none.
    pub deal_id: Option<String>,
    /// The campaign that brought the order (at most 200 characters); empty means none.
    pub campaign: Option<String>,
}

impl From<ImportOrderRow> for ImportRow {
    fn from(r: ImportOrderRow) -> Self {
        ImportRow {
            external_order_id: r.external_order_id.unwrap_or_default(),
            customer_external_id: r.customer_external_id.unwrap_or_default(),
            customer_name: r.customer_name,
            ordered_at: r.ordered_at.unwrap_or_default(),
            currency: r.currency.unwrap_or_default(),
            sku: r.sku.unwrap_or_default(),
            quantity: r.quantity.unwrap_or_default(),
            unit_price: r.unit_price,
            discount_percent: r.discount_percent,
            channel: r.channel,
            status: r.status,
            deal_id: r.deal_id,
            campaign: r.campaign,
        }
    }
}

/// A batch of order rows to import. Importing the same rows again creates
/// nothing twice (orders are matched by `externalOrderId`). At most 100,000
/// rows per call; the server's request size limit (`CRM_MAX_BODY_BYTES`,
/// 1 MiB by default, about 5,000 rows) usually binds first: send larger
/// files in several calls, keeping each order's rows in the same call.
#[derive(InputObject)]
pub struct ImportOrdersInput {
    pub rows: Vec<ImportOrderRow>,
    /// Create customers whose `customerExternalId` is unknown, named by
    /// `customerName` (needs `customers:write`). `false` when not given.
    pub create_missing_customers: Option<bool>,
    /// The kind of the customers created; `COMPANY` when not given.
    pub new_customer_kind: Option<CustomerKind>,
    /// `ALL_OR_NOTHING` when not given.
    pub mode: Option<ImportMode>,
}

impl ImportOrdersInput {
    /// The rows and the import options.
    pub fn into_domain(self) -> (Vec<ImportRow>, ImportOptions) {
        let options = ImportOptions {
            mode: self
                .mode
                .map(Into::into)
                .unwrap_or(orders::import::ImportMode::AllOrNothing),
            create_missing_customers: self.create_missing_customers.unwrap_or(false),
            new_customer_kind: self
                .new_customer_kind
                .map(Into::into)
                .unwrap_or(crate::domain::customers::CustomerKind::Company),
        };
        (self.rows.into_iter().map(Into::into).collect(), options)
    }
}

/// What an import did, and every problem found.
#[derive(SimpleObject)]
pub struct ImportReport {
    pub orders_created: i64,
    /// Orders whose `externalOrderId` was imported before.
    pub orders_skipped_as_duplicates: i64,
    /// Orders not written because of a bad row (in `ALL_OR_NOTHING` mode,
    /// every order when any row is bad).
    pub orders_rejected: i64,
    pub lines_created: i64,
    pub customers_created: i64,
    /// The first 1,000 problems, in row order.
    pub errors: Vec<ImportRowError>,
    /// Every problem, including those `errors` does not list.
    pub error_count: i64,
}

/// A problem with one row of an import.
#[derive(SimpleObject)]
#[graphql(name = "OrderImportRowError")]
pub struct ImportRowError {
    /// 1 for the first row sent.
    pub row: i32,
    /// The row field at fault, such as `quantity`.
    pub field: String,
    pub message: String,
    /// The order the row belongs to; an order with any bad row is not imported.
    pub external_order_id: Option<String>,
}

impl ImportReport {
    /// The report, its row messages in `locale`.
    pub fn new(r: DomainReport, locale: crate::i18n::Locale) -> Self {
        ImportReport {
            orders_created: r.orders_created as i64,
            orders_skipped_as_duplicates: r.orders_skipped_as_duplicates as i64,
            orders_rejected: r.orders_rejected as i64,
            lines_created: r.lines_created as i64,
            customers_created: r.customers_created as i64,
            error_count: i64::try_from(r.error_count).unwrap_or(i64::MAX),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    row: e.row as i32,
                    field: e.field.to_owned(),
                    message: crate::i18n::translate(&e.message, locale),
                    external_order_id: e.external_order_id,
                })
                .collect(),
        }
    }
}

// ------------------------------------------------------------------ exchange rates

/// Units of the workspace's base currency per one unit of `currency`, in
/// force from `validFrom` until the currency's next rate.
pub struct ExchangeRate(pub entity::exchange_rate::Model);

#[Object]
impl ExchangeRate {
    /// ISO 4217 code.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// Units of the base currency per unit of `currency`.
    async fn rate(&self) -> Decimal {
        self.0.rate.normalize()
    }
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One exchange rate in a page.
#[derive(SimpleObject)]
pub struct ExchangeRateEdge {
    pub cursor: String,
    pub node: ExchangeRate,
}

/// A page of exchange rates: by currency, newest first within one.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ExchangeRateConnection {
    pub edges: Vec<ExchangeRateEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: currencies::ExchangeRateFilter,
}

#[ComplexObject]
impl ExchangeRateConnection {
    /// How many rates match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(currencies::count_rates(&tx, &self.filter).await? as i64)
    }
}

/// Conditions on a currency code.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CurrencyFilter {
    pub eq: Option<String>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<String>>,
}

/// Conditions on a date; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DateFilter {
    pub gte: Option<Date>,
    pub lte: Option<Date>,
}

/// Which exchange rates to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ExchangeRateFilter {
    pub currency: Option<CurrencyFilter>,
    pub valid_from: Option<DateFilter>,
}

impl ExchangeRateFilter {
    /// The domain filter; codes are checked here.
    pub fn into_domain(self) -> Result<currencies::ExchangeRateFilter, Error> {
        let currencies = match self.currency {
            None => None,
            Some(CurrencyFilter { eq, in_list }) => {
                let codes: Vec<String> =
                    eq.into_iter().chain(in_list.unwrap_or_default()).collect();
                if codes.len() > crate::domain::filter::MAX_IN_VALUES {
                    return Err(Error::validation("filter.currency", "too many values"));
                }
                Some(
                    codes
                        .iter()
                        .map(|c| currencies::currency("filter.currency", c))
                        .collect::<Result<Vec<_>, Error>>()?,
                )
            }
        };
        let dates = self.valid_from.unwrap_or_default();
        Ok(currencies::ExchangeRateFilter {
            currencies,
            valid_from_gte: dates.gte.map(|d| d.0),
            valid_from_lte: dates.lte.map(|d| d.0),
        })
    }
}

/// A rate to set; one set before for the same currency and date is replaced.
#[derive(InputObject)]
pub struct SetExchangeRateInput {
    /// ISO 4217 code; not the base currency.
    pub currency: String,
    /// Units of the base currency per unit of `currency`: greater than 0, at
    /// most 12 decimal places.
    pub rate: Decimal,
    /// The first day the rate is in force.
    pub valid_from: Date,
}

impl SetExchangeRateInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<currencies::NewExchangeRate, Error> {
        Ok(currencies::NewExchangeRate {
            currency: currencies::currency("currency", &self.currency)?,
            rate: currencies::rate("rate", self.rate)?,
            valid_from: self.valid_from.0,
        })
    }
}

/// The exchange rate a mutation wrote.
#[derive(SimpleObject)]
pub struct ExchangeRatePayload {
    pub exchange_rate: ExchangeRate,
}
