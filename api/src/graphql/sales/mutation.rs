//! Sales mutations: each runs in its own tenant transaction, all or nothing.

use async_graphql::{Context, Object, Result, ID};

use super::types::{
    ChangeOrderStatusInput, CreateOrderInput, CreatePriceListInput, CreateProductInput,
    ExchangeRate, ExchangeRatePayload, ImportOrdersInput, ImportReport, Order, OrderPayload,
    PriceList, PriceListPayload, Product, ProductPayload, RemovePricesInput, SetExchangeRateInput,
    SetPricesInput, UpdatePriceListInput, UpdateProductInput,
};
use crate::auth::Permission;
use crate::domain::orders::{self, import};
use crate::domain::{currencies, products};
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, locale, write_tx};

/// Product, price-list, order, import and exchange-rate mutations.
#[derive(Default)]
pub struct SalesMutation;

#[Object]
impl SalesMutation {
    /// Creates a product; its SKU must be new in the workspace.
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> Result<ProductPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let product = products::create(&tx, new).await?;
        tx.commit().await?;
        Ok(ProductPayload {
            product: Product(product),
        })
    }

    /// Changes the given fields of a product, if `version` is still current.
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        input: UpdateProductInput,
    ) -> Result<ProductPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let product = products::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(ProductPayload {
            product: Product(product),
        })
    }

    /// Deletes a product that is on no order (a `CONFLICT` otherwise:
    /// deactivate it instead); its prices go with it.
    async fn delete_product(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        products::delete(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Creates the price list of a currency (one per currency).
    async fn create_price_list(
        &self,
        ctx: &Context<'_>,
        input: CreatePriceListInput,
    ) -> Result<PriceListPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let list = products::create_price_list(&tx, new).await?;
        tx.commit().await?;
        Ok(PriceListPayload {
            price_list: PriceList(list),
        })
    }

    /// Renames a price list, if `version` is still current.
    async fn update_price_list(
        &self,
        ctx: &Context<'_>,
        input: UpdatePriceListInput,
    ) -> Result<PriceListPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let id = parse_id("id", &input.id)?;
        let name = products::rules::name(&input.name)?;
        let tx = write_tx(ctx, principal).await?;
        let list = products::rename_price_list(&tx, id, input.version, name).await?;
        tx.commit().await?;
        Ok(PriceListPayload {
            price_list: PriceList(list),
        })
    }

    /// Deletes a price list and its prices; orders keep the prices they were made with.
    async fn delete_price_list(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        products::delete_price_list(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets prices in a price list, replacing those already set.
    async fn set_prices(
        &self,
        ctx: &Context<'_>,
        input: SetPricesInput,
    ) -> Result<PriceListPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let (list_id, entries) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        products::set_prices(&tx, list_id, entries).await?;
        let list = products::find_price_list(&tx, list_id)
            .await?
            .ok_or(crate::error::Error::NotFound("price list"))?;
        tx.commit().await?;
        Ok(PriceListPayload {
            price_list: PriceList(list),
        })
    }

    /// Takes the prices of these products out of a price list; each must be
    /// a product of the workspace.
    async fn remove_prices(
        &self,
        ctx: &Context<'_>,
        input: RemovePricesInput,
    ) -> Result<PriceListPayload> {
        let principal = authorize(ctx, Permission::ProductsWrite)?;
        let list_id = parse_id("priceListId", &input.price_list_id)?;
        let product_ids = crate::graphql::common::parse_ids("productIds", &input.product_ids)?;
        let tx = write_tx(ctx, principal).await?;
        products::remove_prices(&tx, list_id, product_ids).await?;
        let list = products::find_price_list(&tx, list_id)
            .await?
            .ok_or(crate::error::Error::NotFound("price list"))?;
        tx.commit().await?;
        Ok(PriceListPayload {
            price_list: PriceList(list),
        })
    }

    /// Records a purchase with its lines; totals are computed exactly.
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        input: CreateOrderInput,
    ) -> Result<OrderPayload> {
        let principal = authorize(ctx, Permission::OrdersWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let order = orders::create(&tx, new).await?;
        tx.commit().await?;
        Ok(OrderPayload {
            order: Order(order),
        })
    }

    /// Moves an order to another status (placed → paid → shipped; placed →
    /// cancelled; paid or shipped → refunded), if `version` is still current.
    async fn change_order_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeOrderStatusInput,
    ) -> Result<OrderPayload> {
        let principal = authorize(ctx, Permission::OrdersWrite)?;
        let id = parse_id("id", &input.id)?;
        let tx = write_tx(ctx, principal).await?;
        let order = orders::change_status(&tx, id, input.version, input.status.into()).await?;
        tx.commit().await?;
        Ok(OrderPayload {
            order: Order(order),
        })
    }

    /// Imports order rows in bulk (one row per order line, grouped into
    /// orders by `externalOrderId`). Orders imported before are skipped, so
    /// sending the same rows twice creates nothing twice. Problems are
    /// reported by row in the result.
    async fn import_orders(
        &self,
        ctx: &Context<'_>,
        input: ImportOrdersInput,
    ) -> Result<ImportReport> {
        let principal = authorize(ctx, Permission::OrdersWrite)?;
        let (rows, options) = input.into_domain();
        if options.create_missing_customers {
            principal.require(Permission::CustomersWrite)?;
        }
        let tx = write_tx(ctx, principal).await?;
        let report = import::import(&tx, &rows, options).await?;
        tx.commit().await?;
        Ok(ImportReport::new(report, locale(ctx).await))
    }

    /// Sets the exchange rate of a currency from a date on (replacing one
    /// set for the same currency and date).
    async fn set_exchange_rate(
        &self,
        ctx: &Context<'_>,
        input: SetExchangeRateInput,
    ) -> Result<ExchangeRatePayload> {
        let principal = authorize(ctx, Permission::ExchangeRatesWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let rate = currencies::set_rate(&tx, new).await?;
        tx.commit().await?;
        Ok(ExchangeRatePayload {
            exchange_rate: ExchangeRate(rate),
        })
    }
}
