//! Products and price lists: what a tenant sells (SKU unique per tenant),
//! what one unit costs the tenant (for margins), and its price in each
//! currency. There is one price list per currency; an order line without a
//! unit price takes the price from the list in the order's currency.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, Select, Set, Statement,
};
use uuid::Uuid;

use entity::price_list::{self, Entity as PriceLists};
use entity::price_list_price::{self, Entity as Prices};
use entity::product::{self, Column, Entity as Products};

use super::currencies::{self, Money};
use super::filter::{FilterBudget, TextFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest SKU.
pub const MAX_SKU_CHARS: usize = 64;
/// Longest product or price-list name.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest category.
pub const MAX_CATEGORY_CHARS: usize = 100;
/// Most decimal places of a price or a unit cost.
pub const PRICE_DECIMALS: u32 = 4;
/// Most prices set or removed in one call.
pub const MAX_PRICES_PER_CALL: usize = 1000;
/// Most sort keys in one `orderBy`.
pub const MAX_ORDER_KEYS: usize = 3;

/// Prices and costs stay below 10^15 (the columns hold 16 integer digits).
pub fn max_price() -> Decimal {
    Decimal::from(10_i64.pow(15))
}

/// Field rules, shared by every way a product or price is written.
pub mod rules {
    use super::*;

    /// A SKU: trimmed, 1–64 characters.
    pub fn sku(field: &str, raw: &str) -> Result<String> {
        values::required_text(field, raw, MAX_SKU_CHARS)
    }

    /// A product or price-list name: trimmed, 1–200 characters.
    pub fn name(raw: &str) -> Result<String> {
        values::required_text("name", raw, MAX_NAME_CHARS)
    }

    /// A category, or none when blank.
    pub fn category(raw: &str) -> Result<Option<String>> {
        values::optional_text("category", raw, MAX_CATEGORY_CHARS)
    }

    /// A price or cost: not negative, at most 4 decimal places.
    pub fn price(field: &str, value: Decimal) -> Result<Decimal> {
        let value = currencies::bounded_decimal(field, value, PRICE_DECIMALS, max_price())?;
        if value < Decimal::ZERO {
            return Err(Error::validation(field, "must not be negative"));
        }
        Ok(value)
    }

    /// A unit cost with its currency; `field` names the money input.
    pub fn unit_cost(field: &str, amount: Decimal, currency: &str) -> Result<Money> {
        Ok(Money::new(
            price(&format!("{field}.amount"), amount)?,
            currencies::currency(&format!("{field}.currency"), currency)?,
        ))
    }
}

/// A validated new product.
#[derive(Clone, Debug)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub unit_cost: Option<Money>,
    pub active: bool,
}

/// Validated changes: `None` leaves a field, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct ProductChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub category: Option<Option<String>>,
    pub unit_cost: Option<Option<Money>>,
    pub active: Option<bool>,
}

/// Which products to list; every given condition must hold.
#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    pub sku: Option<TextFilter>,
    pub name: Option<TextFilter>,
    pub category: Option<TextFilter>,
    pub active: Option<bool>,
}

impl ProductFilter {
    fn validate(&self) -> Result<()> {
        let mut budget = FilterBudget::default();
        for (text, field) in [
            (&self.sku, "filter.sku"),
            (&self.name, "filter.name"),
            (&self.category, "filter.category"),
        ] {
            if let Some(f) = text {
                budget.spend(0)?;
                f.validate(field)?;
            }
        }
        Ok(())
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Products, c)).into() };
        let mut all = sea_orm::Condition::all();
        for (text, column) in [
            (&self.sku, Column::Sku),
            (&self.name, Column::Name),
            (&self.category, Column::Category),
        ] {
            if let Some(f) = text {
                all = all.add(f.condition(col(column)));
            }
        }
        if let Some(active) = self.active {
            all = all.add(Column::Active.eq(active));
        }
        all
    }
}

/// What products can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductOrderField {
    Sku,
    Name,
    CreatedAt,
}

/// One key of a product order.
#[derive(Clone, Copy, Debug)]
pub struct ProductOrder {
    pub field: ProductOrderField,
    pub descending: bool,
}

fn sort_keys(order: &[ProductOrder]) -> Result<Vec<SortKey>> {
    if order.len() > MAX_ORDER_KEYS {
        return Err(Error::validation(
            "orderBy",
            format!("at most {MAX_ORDER_KEYS} sort keys"),
        ));
    }
    let default = [ProductOrder {
        field: ProductOrderField::Sku,
        descending: false,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    let mut keys: Vec<SortKey> = Vec::new();
    for o in order {
        let (name, column, kind, case_insensitive) = match o.field {
            ProductOrderField::Sku => ("sku", Column::Sku, SortKind::Text, false),
            ProductOrderField::Name => ("name", Column::Name, SortKind::Text, true),
            ProductOrderField::CreatedAt => ("createdAt", Column::CreatedAt, SortKind::Time, false),
        };
        if keys.iter().any(|k| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        keys.push(SortKey {
            name,
            expr: Expr::col((Products, column)).into(),
            kind,
            descending: o.descending,
            case_insensitive,
            value_cast: None,
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Products, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &product::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|key| match key.name {
            "sku" => SortValue::Text(row.sku.clone()),
            "name" => SortValue::Text(row.name.clone()),
            "createdAt" => SortValue::Time(row.created_at),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

fn visible(tx: &TenantTx) -> Select<Products> {
    Products::find().filter(Column::TenantId.eq(tx.tenant_id()))
}

/// The product with `id`, if it is the tenant's.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<product::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The tenant's products among `ids`, by id.
pub async fn find_many(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, product::Model>> {
    let rows = visible(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}

/// The tenant's products with these SKUs, by SKU, in one query.
pub async fn by_skus(tx: &TenantTx, skus: &[String]) -> Result<HashMap<String, product::Model>> {
    if skus.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = product::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT p.* FROM products p
          WHERE p.tenant_id = $1 AND p.sku IN (SELECT unnest($2::text[]))",
        [tx.tenant_id().into(), skus.to_vec().into()],
    ))
    .all(&**tx)
    .await?;
    Ok(rows.into_iter().map(|p| (p.sku.clone(), p)).collect())
}

/// One page of products matching `filter`, in `order` (SKU by default).
pub async fn list(
    tx: &TenantTx,
    filter: &ProductFilter,
    order: &[ProductOrder],
    page: &PageRequest,
) -> Result<Page<product::Model>> {
    filter.validate()?;
    let keys = sort_keys(order)?;
    let select = visible(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many products match `filter`.
pub async fn count(tx: &TenantTx, filter: &ProductFilter) -> Result<u64> {
    filter.validate()?;
    Ok(visible(tx).filter(filter.condition()).count(&**tx).await?)
}

/// Creates a product; a SKU already in use is a `CONFLICT` on `sku`.
pub async fn create(tx: &TenantTx, new: NewProduct) -> Result<product::Model> {
    let now = chrono::Utc::now();
    let (unit_cost, unit_cost_currency) = match new.unit_cost {
        Some(cost) => (Some(cost.amount), Some(cost.currency)),
        None => (None, None),
    };
    Products::insert(product::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        sku: Set(new.sku),
        name: Set(new.name),
        category: Set(new.category),
        unit_cost: Set(unit_cost),
        unit_cost_currency: Set(unit_cost_currency),
        active: Set(new.active),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(write_error)
}

/// Applies `changes` if the product is still at `version`; a stale version is
/// a `CONFLICT`, another tenant's product `NOT_FOUND`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: ProductChanges,
) -> Result<product::Model> {
    let mut sets: Vec<(Column, sea_orm::Value)> = Vec::new();
    if let Some(sku) = changes.sku {
        sets.push((Column::Sku, sku.into()));
    }
    if let Some(name) = changes.name {
        sets.push((Column::Name, name.into()));
    }
    if let Some(category) = changes.category {
        sets.push((Column::Category, category.into()));
    }
    if let Some(cost) = changes.unit_cost {
        let (amount, currency) = match cost {
            Some(cost) => (Some(cost.amount), Some(cost.currency)),
            None => (None, None),
        };
        sets.push((Column::UnitCost, amount.into()));
        sets.push((Column::UnitCostCurrency, currency.into()));
    }
    if let Some(active) = changes.active {
        sets.push((Column::Active, active.into()));
    }
    if sets.is_empty() {
        return Err(Error::validation(
            "input",
            "give at least one field to change",
        ));
    }
    let updated = sets
        .into_iter()
        .fold(Products::update_many(), |u, (column, value)| {
            u.col_expr(column, Expr::value(value))
        })
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    match updated.into_iter().next() {
        Some(row) => Ok(row),
        None => match find(tx, id).await? {
            Some(current) => Err(Error::conflict(
                format!(
                    "the product was changed by someone else (you sent version {version}, it is now at version {}); reload it and apply your change again",
                    current.version
                ),
                Some("version"),
            )),
            None => Err(Error::NotFound("product")),
        },
    }
}

/// Deletes a product that was never ordered (its prices go with it). One on
/// an order is a `CONFLICT`: deactivate it instead, so history stays whole.
pub async fn delete(tx: &TenantTx, id: Uuid) -> Result<()> {
    if find(tx, id).await?.is_none() {
        return Err(Error::NotFound("product"));
    }
    let ordered = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM order_lines WHERE tenant_id = $1 AND product_id = $2 LIMIT 1",
            [tx.tenant_id().into(), id.into()],
        ))
        .await?
        .is_some();
    if ordered {
        return Err(product_on_orders());
    }
    Products::delete_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec(&**tx)
        .await
        .map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => product_on_orders(),
            _ => err.into(),
        })?;
    Ok(())
}

fn product_on_orders() -> Error {
    Error::conflict(
        "the product is on orders and cannot be deleted; set `active` to false instead",
        Some("id"),
    )
}

fn write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) if detail.contains("sku") => {
            Error::conflict("another product already has this SKU", Some("sku"))
        }
        _ => err.into(),
    }
}

// ------------------------------------------------------------------ price lists

/// A validated new price list.
#[derive(Clone, Debug)]
pub struct NewPriceList {
    pub name: String,
    pub currency: String,
}

/// One price to set: a product of the tenant and its unit price.
#[derive(Clone, Debug)]
pub struct PriceEntry {
    pub product_id: Uuid,
    pub unit_price: Decimal,
}

/// A product's price in one price list, with the list's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductPrice {
    pub price_list_id: Uuid,
    pub unit_price: Money,
}

fn price_lists(tx: &TenantTx) -> Select<PriceLists> {
    PriceLists::find().filter(price_list::Column::TenantId.eq(tx.tenant_id()))
}

/// The price list with `id`, if it is the tenant's.
pub async fn find_price_list(tx: &TenantTx, id: Uuid) -> Result<Option<price_list::Model>> {
    Ok(price_lists(tx)
        .filter(price_list::Column::Id.eq(id))
        .one(&**tx)
        .await?)
}

/// Creates the price list of a currency; one for that currency already is a
/// `CONFLICT` on `currency`.
pub async fn create_price_list(tx: &TenantTx, new: NewPriceList) -> Result<price_list::Model> {
    let now = chrono::Utc::now();
    PriceLists::insert(price_list::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        name: Set(new.name),
        currency: Set(new.currency),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) if detail.contains("currency") => {
            Error::conflict(
                "there is a price list for this currency already; change its prices instead",
                Some("currency"),
            )
        }
        _ => err.into(),
    })
}

/// Renames a price list if it is still at `version`.
pub async fn rename_price_list(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    name: String,
) -> Result<price_list::Model> {
    let updated = PriceLists::update_many()
        .col_expr(price_list::Column::Name, Expr::value(name))
        .col_expr(
            price_list::Column::Version,
            Expr::col(price_list::Column::Version).add(1),
        )
        .col_expr(
            price_list::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(price_list::Column::TenantId.eq(tx.tenant_id()))
        .filter(price_list::Column::Id.eq(id))
        .filter(price_list::Column::Version.eq(version))
        .exec_with_returning(&**tx)
        .await?;
    match updated.into_iter().next() {
        Some(row) => Ok(row),
        None => match find_price_list(tx, id).await? {
            Some(current) => Err(Error::conflict(
                format!(
                    "the price list was changed by someone else (you sent version {version}, it is now at version {})",
                    current.version
                ),
                Some("version"),
            )),
            None => Err(Error::NotFound("price list")),
        },
    }
}

/// Deletes a price list and its prices (orders keep the prices they were made with).
pub async fn delete_price_list(tx: &TenantTx, id: Uuid) -> Result<()> {
    let result = PriceLists::delete_many()
        .filter(price_list::Column::TenantId.eq(tx.tenant_id()))
        .filter(price_list::Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("price list"));
    }
    Ok(())
}

/// One page of price lists, by currency; `currencies` narrows the list.
pub async fn list_price_lists(
    tx: &TenantTx,
    currencies: Option<&[String]>,
    page: &PageRequest,
) -> Result<Page<price_list::Model>> {
    let keys = [
        SortKey {
            name: "currency",
            expr: Expr::col((PriceLists, price_list::Column::Currency)).into(),
            kind: SortKind::Text,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((PriceLists, price_list::Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
    ];
    let mut select = price_lists(tx);
    if let Some(currencies) = currencies {
        select = select.filter(price_list::Column::Currency.is_in(currencies.iter().cloned()));
    }
    fetch_page(tx, select, &keys, page, |row| {
        vec![
            SortValue::Text(row.currency.clone()),
            SortValue::Uuid(row.id),
        ]
    })
    .await
}

/// Sets prices in a price list (replacing those already set), in one
/// statement. Every product must be the tenant's and appear once.
pub async fn set_prices(tx: &TenantTx, list_id: Uuid, entries: Vec<PriceEntry>) -> Result<u64> {
    if entries.len() > MAX_PRICES_PER_CALL {
        return Err(Error::validation(
            "prices",
            format!("at most {MAX_PRICES_PER_CALL} prices per call"),
        ));
    }
    if find_price_list(tx, list_id).await?.is_none() {
        return Err(Error::NotFound("price list"));
    }
    let ids: Vec<Uuid> = entries.iter().map(|e| e.product_id).collect();
    let known = find_many(tx, &ids).await?;
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        if !known.contains_key(&entry.product_id) {
            return Err(Error::validation(
                format!("prices[{i}].productId"),
                "is not a product of this workspace",
            ));
        }
        if !seen.insert(entry.product_id) {
            return Err(Error::validation(
                format!("prices[{i}].productId"),
                "is given twice",
            ));
        }
    }
    let amounts: Vec<Decimal> = entries.iter().map(|e| e.unit_price).collect();
    let result = tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO price_list_prices (tenant_id, price_list_id, product_id, unit_price, updated_at)
             SELECT $1, $2, p.product_id, p.unit_price, now()
               FROM unnest($3::uuid[], $4::numeric[]) AS p(product_id, unit_price)
             ON CONFLICT (tenant_id, price_list_id, product_id)
             DO UPDATE SET unit_price = excluded.unit_price, updated_at = excluded.updated_at",
            [
                tx.tenant_id().into(),
                list_id.into(),
                ids.into(),
                amounts.into(),
            ],
        ))
        .await?;
    touch_price_list(tx, list_id).await?;
    Ok(result.rows_affected())
}

/// Removes the prices of these products from a price list. Every product
/// must be the tenant's (as for [`set_prices`]); one without a price in the
/// list is fine.
pub async fn remove_prices(tx: &TenantTx, list_id: Uuid, product_ids: Vec<Uuid>) -> Result<u64> {
    if product_ids.len() > MAX_PRICES_PER_CALL {
        return Err(Error::validation(
            "productIds",
            format!("at most {MAX_PRICES_PER_CALL} products per call"),
        ));
    }
    if find_price_list(tx, list_id).await?.is_none() {
        return Err(Error::NotFound("price list"));
    }
    let known = find_many(tx, &product_ids).await?;
    if let Some(i) = product_ids.iter().position(|id| !known.contains_key(id)) {
        return Err(Error::validation(
            format!("productIds[{i}]"),
            "is not a product of this workspace",
        ));
    }
    let result = Prices::delete_many()
        .filter(price_list_price::Column::TenantId.eq(tx.tenant_id()))
        .filter(price_list_price::Column::PriceListId.eq(list_id))
        .filter(price_list_price::Column::ProductId.is_in(product_ids))
        .exec(&**tx)
        .await?;
    touch_price_list(tx, list_id).await?;
    Ok(result.rows_affected)
}

async fn touch_price_list(tx: &TenantTx, list_id: Uuid) -> Result<()> {
    PriceLists::update_many()
        .col_expr(
            price_list::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(price_list::Column::TenantId.eq(tx.tenant_id()))
        .filter(price_list::Column::Id.eq(list_id))
        .exec(&**tx)
        .await?;
    Ok(())
}

fn price_sort_keys() -> [SortKey; 1] {
    [SortKey {
        name: "productId",
        expr: Expr::col((Prices, price_list_price::Column::ProductId)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    }]
}

fn prices_in(tx: &TenantTx, list_id: Uuid) -> Select<Prices> {
    Prices::find()
        .filter(price_list_price::Column::TenantId.eq(tx.tenant_id()))
        .filter(price_list_price::Column::PriceListId.eq(list_id))
}

/// One page of a price list's prices, in the order the products were created.
pub async fn prices_of_list(
    tx: &TenantTx,
    list_id: Uuid,
    page: &PageRequest,
) -> Result<Page<price_list_price::Model>> {
    fetch_page(
        tx,
        prices_in(tx, list_id),
        &price_sort_keys(),
        page,
        |row| vec![SortValue::Uuid(row.product_id)],
    )
    .await
}

/// How many prices a price list holds.
pub async fn count_prices(tx: &TenantTx, list_id: Uuid) -> Result<u64> {
    Ok(prices_in(tx, list_id).count(&**tx).await?)
}

/// Every price of each of `products`, in one query, by product (ordered by currency).
pub async fn prices_of_products(
    tx: &TenantTx,
    products: &[Uuid],
) -> Result<HashMap<Uuid, Vec<ProductPrice>>> {
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT p.product_id, p.price_list_id, p.unit_price, l.currency
               FROM price_list_prices p
               JOIN price_lists l ON l.tenant_id = p.tenant_id AND l.id = p.price_list_id
              WHERE p.tenant_id = $1 AND p.product_id = ANY($2)
              ORDER BY p.product_id, l.currency",
            [tx.tenant_id().into(), products.to_vec().into()],
        ))
        .await?;
    let mut grouped: HashMap<Uuid, Vec<ProductPrice>> = HashMap::new();
    for row in rows {
        grouped
            .entry(row.try_get("", "product_id")?)
            .or_default()
            .push(ProductPrice {
                price_list_id: row.try_get("", "price_list_id")?,
                unit_price: Money::new(
                    row.try_get::<Decimal>("", "unit_price")?,
                    row.try_get::<String>("", "currency")?,
                ),
            });
    }
    Ok(grouped)
}

/// The list prices of `products` in `currencies`, in one query, keyed by
/// (currency, product). Pairs without a price are absent.
pub async fn list_prices(
    tx: &TenantTx,
    currencies: &[String],
    products: &[Uuid],
) -> Result<HashMap<(String, Uuid), Decimal>> {
    if currencies.is_empty() || products.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT l.currency, p.product_id, p.unit_price
               FROM price_lists l
               JOIN price_list_prices p ON p.tenant_id = l.tenant_id AND p.price_list_id = l.id
              WHERE l.tenant_id = $1 AND l.currency = ANY($2)
                AND p.product_id IN (SELECT unnest($3::uuid[]))",
            [
                tx.tenant_id().into(),
                currencies.to_vec().into(),
                products.to_vec().into(),
            ],
        ))
        .await?;
    let mut prices = HashMap::with_capacity(rows.len());
    for row in rows {
        prices.insert(
            (
                row.try_get::<String>("", "currency")?,
                row.try_get::<Uuid>("", "product_id")?,
            ),
            row.try_get::<Decimal>("", "unit_price")?,
        );
    }
    Ok(prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn prices_are_not_negative_and_have_four_places_at_most() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(rules::price("p", d("19.9900")).unwrap(), d("19.99"));
        assert!(rules::price("p", d("-0.01")).is_err());
        assert!(rules::price("p", d("0.00001")).is_err());
        let cost = rules::unit_cost("unitCost", d("4.5"), "eur").unwrap();
        assert_eq!(cost, Money::new(d("4.5"), "EUR"));
        let err = rules::unit_cost("unitCost", d("4.5"), "EURO").unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert!(err.message().starts_with("unitCost.currency"));
    }
}
