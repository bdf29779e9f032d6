//! Orders: what customers bought, line by line, in one currency, through one
//! sales channel. Purchase history is what customer-value analytics is
//! computed from, so amounts are exact decimals and totals are computed once,
//! here, and stored.
//!
//! A line's net amount is `quantity × unit price × (1 − discount percent / 100)`
//! rounded to the order currency's minor units, halves away from zero; the
//! order total is the sum of its lines' net amounts. The discount is a
//! percentage of the line's gross amount (0 to 100), never an amount, so it
//! means the same in every currency and survives price-list defaults.
//!
//! Orders can carry the id they have in a partner system (`external_id`,
//! unique per tenant); [`import`] relies on it to make bulk loads idempotent.

pub mod import;
pub mod revenue_base;
pub mod rollups;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, Select, Set, Statement,
};
use uuid::Uuid;

use entity::order::{self, Column, Entity as Orders};
use entity::order_line::{self, Entity as OrderLines};

use super::currencies::{self, round};
use super::filter::{EnumFilter, FilterBudget, TextFilter, TimeFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::{customers, products, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most lines on one order.
pub const MAX_LINES: usize = 1000;
/// Most decimal places of a quantity or a discount percentage.
pub const QUANTITY_DECIMALS: u32 = 4;
/// Longest external order id.
pub const MAX_EXTERNAL_ID_CHARS: usize = 100;

/// Quantities stay below 10^9.
pub fn max_quantity() -> Decimal {
    Decimal::from(1_000_000_000_i64)
}

/// Through which channel a sale was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SalesChannel {
    Direct,
    Partner,
    Retail,
    Web,
}

impl SalesChannel {
    const ALL: [SalesChannel; 4] = [
        SalesChannel::Direct,
        SalesChannel::Partner,
        SalesChannel::Retail,
        SalesChannel::Web,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            SalesChannel::Direct => "DIRECT",
            SalesChannel::Partner => "PARTNER",
            SalesChannel::Retail => "RETAIL",
            SalesChannel::Web => "WEB",
        }
    }

    /// Parses a name, in any letter case.
    pub fn parse(name: &str) -> Option<SalesChannel> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Placed,
    Paid,
    Shipped,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    const ALL: [OrderStatus; 5] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "PLACED",
            OrderStatus::Paid => "PAID",
            OrderStatus::Shipped => "SHIPPED",
            OrderStatus::Cancelled => "CANCELLED",
            OrderStatus::Refunded => "REFUNDED",
        }
    }

    /// Parses a name, in any letter case.
    pub fn parse(name: &str) -> Option<OrderStatus> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether an order in this status may move to `next`: placed orders are
    /// paid, shipped or cancelled; paid ones shipped or refunded; shipped
    /// ones refunded. Cancelled and refunded orders are final.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Placed, Paid | Shipped | Cancelled) | (Paid, Shipped | Refunded) | (Shipped, Refunded)
        )
    }
}

/// Field rules, shared by `createOrder` and the import.
pub mod rules {
    use super::*;

    /// A quantity: greater than 0, at most 4 decimal places, below 10^9.
    pub fn quantity(field: &str, value: Decimal) -> Result<Decimal> {
        let value = currencies::bounded_decimal(field, value, QUANTITY_DECIMALS, max_quantity())?;
        if value <= Decimal::ZERO {
            return Err(Error::validation(field, "must be greater than 0"));
        }
        Ok(value)
    }

    /// A unit price: not negative, at most 4 decimal places.
    pub fn unit_price(field: &str, value: Decimal) -> Result<Decimal> {
        products::rules::price(field, value)
    }

    /// A discount in percent of the line's gross amount: 0 to 100.
    pub fn discount_percent(field: &str, value: Decimal) -> Result<Decimal> {
        let value =
            currencies::bounded_decimal(field, value, QUANTITY_DECIMALS, Decimal::from(1000))?;
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            return Err(Error::validation(
                field,
                "must be between 0 and 100 (percent)",
            ));
        }
        Ok(value)
    }

    /// An order's id in a partner system, or none when blank.
    pub fn external_id(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, MAX_EXTERNAL_ID_CHARS)
    }

    /// The campaign that brought an order, or none when blank.
    pub fn campaign(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, 200)
    }
}

/// A line's net amount: quantity × unit price less the discount, rounded to
/// the currency's minor units. `None` when the amount is too large to hold.
pub fn net_amount(
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    currency: &str,
) -> Option<Decimal> {
    let gross = quantity.checked_mul(unit_price)?;
    let kept = gross.checked_mul(Decimal::ONE_HUNDRED - discount_percent)? / Decimal::ONE_HUNDRED;
    Some(round(kept, currency))
}

/// A validated new order.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub customer_id: Uuid,
    pub external_id: Option<String>,
    pub ordered_at: DateTime<Utc>,
    pub currency: String,
    pub channel: SalesChannel,
    pub status: OrderStatus,
    /// The deal the order closes: one of the customer's deals.
    pub deal_id: Option<Uuid>,
    /// The campaign that brought the order.
    pub campaign: Option<String>,
    pub lines: Vec<NewOrderLine>,
}

/// A validated line of a new order.
#[derive(Clone, Debug)]
pub struct NewOrderLine {
    pub product_id: Uuid,
    pub quantity: Decimal,
    /// `None` takes the price from the price list of the order's currency.
    pub unit_price: Option<Decimal>,
    pub discount_percent: Decimal,
}

/// SQL recording the `ORDER_CREATED` event of each row of `rows`: a
/// relation of `orders` rows with an added `event_id`. `$1` is the tenant,
/// `actor` the placeholder of the acting user. The one definition of the
/// event's payload, for single and bulk writes.
pub fn created_events_sql(rows: &str, actor: &str) -> String {
    super::domain_events::insert_sql(
        super::domain_events::EventKind::OrderCreated,
        &format!(
            "(SELECT r.event_id, r.id AS aggregate_id,
                     jsonb_build_object('orderId', r.id, 'customerId', r.customer_id,
                                        'externalId', r.external_id, 'currency', r.currency,
                                        'total', trim_scale(r.total_amount)::text) AS payload
                FROM {rows} r)"
        ),
        "$1",
        actor,
    )
}

/// Records an order with its lines. The customer and every product must be
/// the tenant's (else `VALIDATION` on `customerId` / `lines[i].productId`);
/// products must be active; a line without a unit price takes the list price
/// of the order's currency (none there is `VALIDATION` on
/// `lines[i].unitPrice`). A used `external_id` is a `CONFLICT`.
pub async fn create(tx: &TenantTx, new: NewOrder) -> Result<order::Model> {
    if new.lines.is_empty() {
        return Err(Error::validation(
            "lines",
            "an order needs at least one line",
        ));
    }
    if new.lines.len() > MAX_LINES {
        return Err(Error::validation(
            "lines",
            format!("an order has at most {MAX_LINES} lines"),
        ));
    }
    if customers::find(tx, new.customer_id).await?.is_none() {
        return Err(Error::validation(
            "customerId",
            "is not a customer of this workspace",
        ));
    }
    if let Some(deal_id) = new.deal_id {
        super::deals::check_of_customer(tx, deal_id, new.customer_id).await?;
    }
    let product_ids: Vec<Uuid> = new.lines.iter().map(|l| l.product_id).collect();
    let known = products::find_many(tx, &product_ids).await?;
    for (i, line) in new.lines.iter().enumerate() {
        match known.get(&line.product_id) {
            None => {
                return Err(Error::validation(
                    format!("lines[{i}].productId"),
                    "is not a product of this workspace",
                ))
            }
            Some(p) if !p.active => {
                return Err(Error::validation(
                    format!("lines[{i}].productId"),
                    format!("product {} is inactive; activate it to sell it", p.sku),
                ))
            }
            Some(_) => {}
        }
    }
    let unpriced: Vec<Uuid> = new
        .lines
        .iter()
        .filter(|l| l.unit_price.is_none())
        .map(|l| l.product_id)
        .collect();
    let list = products::list_prices(tx, std::slice::from_ref(&new.currency), &unpriced).await?;

    let order_id = Uuid::now_v7();
    let mut lines = Vec::with_capacity(new.lines.len());
    let mut total = Decimal::ZERO;
    for (i, line) in new.lines.iter().enumerate() {
        let unit_price = match line.unit_price {
            Some(price) => price,
            None => *list
                .get(&(new.currency.clone(), line.product_id))
                .ok_or_else(|| {
                    Error::validation(
                        format!("lines[{i}].unitPrice"),
                        format!(
                            "is required: the {} price list has no price for product {}",
                            new.currency, known[&line.product_id].sku
                        ),
                    )
                })?,
        };
        let net = net_amount(
            line.quantity,
            unit_price,
            line.discount_percent,
            &new.currency,
        )
        .and_then(|net| {
            total = total.checked_add(net)?;
            Some(net)
        })
        .ok_or_else(|| {
            Error::validation(format!("lines[{i}].quantity"), "the amount is too large")
        })?;
        lines.push(order_line::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            order_id: Set(order_id),
            line_no: Set(i as i32 + 1),
            product_id: Set(line.product_id),
            quantity: Set(line.quantity),
            unit_price: Set(unit_price),
            discount_percent: Set(line.discount_percent),
            net_amount: Set(net),
        });
    }
    let now = Utc::now();
    let order = Orders::insert(order::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(order_id),
        version: Set(1),
        customer_id: Set(new.customer_id),
        external_id: Set(new.external_id),
        ordered_at: Set(new.ordered_at),
        currency: Set(new.currency),
        channel: Set(new.channel.as_str().to_owned()),
        status: Set(new.status.as_str().to_owned()),
        total_amount: Set(total),
        deal_id: Set(new.deal_id),
        campaign: Set(new.campaign),
        // Set by the database from the campaign code.
        campaign_id: sea_orm::ActiveValue::NotSet,
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail))
            if detail.contains("external_id") =>
        {
            Error::conflict(
                "another order already has this externalId",
                Some("externalId"),
            )
        }
        _ => err.into(),
    })?;
    OrderLines::insert_many(lines)
        .exec_without_returning(&**tx)
        .await?;
    revenue_base::store(tx, &[order.id]).await?;
    rollups::add(
        tx,
        &[rollups::PlacedOrder {
            customer_id: order.customer_id,
            ordered_at: order.ordered_at,
            currency: order.currency.clone(),
            total: order.total_amount,
            status: new.status,
        }],
    )
    .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "WITH o AS (SELECT $3::uuid AS event_id, o.* FROM orders o WHERE o.tenant_id = $1 AND o.id = $4)
             {}",
            created_events_sql("o", "$2")
        ),
        [
            tx.tenant_id().into(),
            tx.scope().user_id.into(),
            Uuid::now_v7().into(),
            order.id.into(),
        ],
    ))
    .await?;
    Ok(order)
}

/// Moves an order to `status` if it is still at `version` and the move is
/// allowed ([`OrderStatus::can_become`]).
pub async fn change_status(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    status: OrderStatus,
) -> Result<order::Model> {
    let current = find(tx, id).await?.ok_or(Error::NotFound("order"))?;
    if current.version != version {
        return Err(stale(version, current.version));
    }
    let from = OrderStatus::parse(&current.status)
        .ok_or_else(|| Error::internal(UnknownStoredValue("status", current.status.clone())))?;
    if !from.can_become(status) {
        return Err(Error::validation(
            "status",
            format!(
                "a {} order cannot become {}",
                from.as_str().to_lowercase(),
                status.as_str().to_lowercase()
            ),
        ));
    }
    let updated = Orders::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(&**tx)
        .await?;
    let updated = updated
        .into_iter()
        .next()
        .ok_or_else(|| stale(version, version + 1))?;
    if rollups::counts(from) != rollups::counts(status) {
        rollups::recount(tx, &[updated.customer_id]).await?;
    }
    // The status shows in the customer's 360 view (latest orders).
    tx.touch_customer(updated.customer_id);
    super::domain_events::record(
        tx,
        super::domain_events::EventKind::OrderStatusChanged,
        updated.id,
        serde_json::json!({
            "orderId": updated.id,
            "customerId": updated.customer_id,
            "fromStatus": from.as_str(),
            "toStatus": status.as_str(),
        }),
    )
    .await?;
    Ok(updated)
}

fn stale(sent: i32, now: i32) -> Error {
    Error::conflict(
        format!(
            "the order was changed by someone else (you sent version {sent}, it is now at version {now}); reload it and try again"
        ),
        Some("version"),
    )
}

/// The tenant's orders of customers the member may see.
fn visible(tx: &TenantTx) -> Select<Orders> {
    super::finder::visible(tx)
}

/// The order with `id`, if it is the tenant's.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<order::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The lines of each of `orders`, in line order, in one query.
pub async fn lines_of(
    tx: &TenantTx,
    orders: &[Uuid],
) -> Result<HashMap<Uuid, Vec<order_line::Model>>> {
    let rows = OrderLines::find()
        .filter(order_line::Column::TenantId.eq(tx.tenant_id()))
        .filter(order_line::Column::OrderId.is_in(orders.iter().copied()))
        .order_by_asc(order_line::Column::OrderId)
        .order_by_asc(order_line::Column::LineNo)
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<order_line::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.order_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Which orders to list; every given condition must hold.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub customer_ids: Option<Vec<Uuid>>,
    pub ordered_at: Option<TimeFilter>,
    pub status: Option<EnumFilter>,
    pub channel: Option<EnumFilter>,
    pub currency: Option<TextFilter>,
    pub external_id: Option<TextFilter>,
    pub deal_ids: Option<Vec<Uuid>>,
    pub campaign: Option<TextFilter>,
}

impl OrderFilter {
    fn validate(&self) -> Result<()> {
        let mut budget = FilterBudget::default();
        for (ids, field) in [
            (&self.customer_ids, "filter.customerId"),
            (&self.deal_ids, "filter.dealId"),
        ] {
            budget.spend_ids(0, ids, field)?;
        }
        if self.ordered_at.is_some() {
            budget.spend(0)?;
        }
        for (choice, field) in [
            (&self.status, "filter.status"),
            (&self.channel, "filter.channel"),
        ] {
            if let Some(f) = choice {
                budget.spend(0)?;
                f.validate(field)?;
            }
        }
        for (text, field) in [
            (&self.currency, "filter.currency"),
            (&self.external_id, "filter.externalId"),
            (&self.campaign, "filter.campaign"),
        ] {
            if let Some(f) = text {
                budget.spend(0)?;
                f.validate(field)?;
            }
        }
        Ok(())
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Orders, c)).into() };
        let mut all = sea_orm::Condition::all();
        if let Some(ids) = &self.customer_ids {
            all = all.add(Column::CustomerId.is_in(ids.iter().copied()));
        }
        if let Some(f) = &self.ordered_at {
            all = all.add(f.condition(col(Column::OrderedAt)));
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(col(Column::Status)));
        }
        if let Some(f) = &self.channel {
            all = all.add(f.condition(col(Column::Channel)));
        }
        if let Some(f) = &self.currency {
            all = all.add(f.condition(col(Column::Currency)));
        }
        if let Some(f) = &self.external_id {
            all = all.add(f.condition(col(Column::ExternalId)));
        }
        if let Some(ids) = &self.deal_ids {
            all = all.add(Column::DealId.is_in(ids.iter().copied()));
        }
        if let Some(f) = &self.campaign {
            all = all.add(f.condition(col(Column::Campaign)));
        }
        all
    }
}

/// What orders can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderSortField {
    OrderedAt,
    CreatedAt,
}

/// How orders are sorted: newest order time first unless asked otherwise.
#[derive(Clone, Copy, Debug)]
pub struct OrderSort {
    pub field: OrderSortField,
    pub descending: bool,
}

impl Default for OrderSort {
    fn default() -> Self {
        OrderSort {
            field: OrderSortField::OrderedAt,
            descending: true,
        }
    }
}

fn sort_keys(sort: OrderSort) -> [SortKey; 2] {
    let (name, column) = match sort.field {
        OrderSortField::OrderedAt => ("orderedAt", Column::OrderedAt),
        OrderSortField::CreatedAt => ("createdAt", Column::CreatedAt),
    };
    [
        SortKey {
            name,
            expr: Expr::col((Orders, column)).into(),
            kind: SortKind::Time,
            descending: sort.descending,
            case_insensitive: false,
            value_cast: None,
        },
        // Same direction as the first key, so the (…, id DESC) indexes serve it.
        SortKey {
            name: "id",
            expr: Expr::col((Orders, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: sort.descending,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

fn sort_values(sort: OrderSort, row: &order::Model) -> Vec<SortValue> {
    let time = match sort.field {
        OrderSortField::OrderedAt => row.ordered_at,
        OrderSortField::CreatedAt => row.created_at,
    };
    vec![SortValue::Time(time), SortValue::Uuid(row.id)]
}

/// One page of orders matching `filter`.
pub async fn list(
    tx: &TenantTx,
    filter: &OrderFilter,
    sort: OrderSort,
    page: &PageRequest,
) -> Result<Page<order::Model>> {
    filter.validate()?;
    let select = visible(tx).filter(filter.condition());
    fetch_page(tx, select, &sort_keys(sort), page, |row| {
        sort_values(sort, row)
    })
    .await
}

/// How many orders match `filter`.
pub async fn count(tx: &TenantTx, filter: &OrderFilter) -> Result<u64> {
    filter.validate()?;
    Ok(visible(tx).filter(filter.condition()).count(&**tx).await?)
}

/// One page of a customer's orders, newest first.
pub async fn of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    page: &PageRequest,
) -> Result<Page<order::Model>> {
    let filter = OrderFilter {
        customer_ids: Some(vec![customer_id]),
        ..OrderFilter::default()
    };
    list(tx, &filter, OrderSort::default(), page).await
}

/// The cursor an order has in a customer's order list (newest first).
pub fn cursor_of(row: &order::Model) -> String {
    let sort = OrderSort::default();
    super::pagination::cursor(&sort_keys(sort), sort_values(sort, row))
}

/// The newest `limit + 1` orders of each of `customers`, in one query (the
/// extra row tells whether there are more).
pub async fn latest_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
) -> Result<HashMap<Uuid, Vec<order::Model>>> {
    let rows = order::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT latest.*
           FROM customers c
           CROSS JOIN LATERAL (
                 SELECT o.* FROM orders o
                  WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id
                  ORDER BY o.ordered_at DESC, o.id DESC
                  LIMIT $3) latest
          WHERE c.tenant_id = $1 AND c.id = ANY($2)",
        [
            tx.tenant_id().into(),
            customers.to_vec().into(),
            ((limit + 1) as i64).into(),
        ],
    ))
    .all(&**tx)
    .await?;
    let mut grouped: HashMap<Uuid, Vec<order::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.customer_id).or_default().push(row);
    }
    Ok(grouped)
}

/// A stored value this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {0} `{1}`")]
struct UnknownStoredValue(&'static str, String);

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn line_amounts_are_exact_and_rounded_to_the_currency() {
        // 3 × 19.99 = 59.97, less 10% = 53.973 -> 53.97
        assert_eq!(
            net_amount(d("3"), d("19.99"), d("10"), "USD"),
            Some(d("53.97"))
        );
        // 0.5 × 0.25 = 0.125 -> 0.13 (half away from zero)
        assert_eq!(
            net_amount(d("0.5"), d("0.25"), d("0"), "EUR"),
            Some(d("0.13"))
        );
        assert_eq!(
            net_amount(d("7"), d("1499"), d("12.5"), "JPY"),
            Some(d("9181"))
        );
        assert_eq!(net_amount(d("2"), d("5"), d("100"), "USD"), Some(d("0")));
    }

    #[test]
    fn status_moves_forward_only() {
        use OrderStatus::*;
        assert!(Placed.can_become(Paid));
        assert!(Paid.can_become(Refunded));
        assert!(!Cancelled.can_become(Paid));
        assert!(!Shipped.can_become(Placed));
        assert!(!Placed.can_become(Placed));
    }

    #[test]
    fn quantities_and_discounts_are_checked() {
        assert!(rules::quantity("q", d("0")).is_err());
        assert!(rules::quantity("q", d("-1")).is_err());
        assert!(rules::quantity("q", d("1.00001")).is_err());
        assert_eq!(rules::quantity("q", d("2.50")).unwrap(), d("2.5"));
        assert!(rules::discount_percent("d", d("100.01")).is_err());
        assert!(rules::discount_percent("d", d("-1")).is_err());
        assert_eq!(rules::discount_percent("d", d("12.5")).unwrap(), d("12.5"));
        assert_eq!(SalesChannel::parse(" web "), Some(SalesChannel::Web));
        assert_eq!(OrderStatus::parse("paid"), Some(OrderStatus::Paid));
    }
}
