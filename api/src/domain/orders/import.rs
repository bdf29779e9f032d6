//! Bulk import of orders from a partner system, at bulk-insert speed.
//!
//! Each input row is one order line; rows with the same `externalOrderId`
//! form one order (its lines numbered in row order), so the head fields
//! (customer, time, currency, channel, status) must agree across them.
//! Values arrive as text, as they stand in the partner's file, so a malformed
//! value is reported against its row instead of failing the whole request.
//!
//! - **Idempotent.** An order whose external id exists is skipped as a
//!   duplicate (also under concurrent imports: `ON CONFLICT DO NOTHING`), so
//!   sending the same rows twice creates nothing twice. Every row of an order
//!   must therefore come in the same call: rows sent later for an order
//!   already imported are skipped with it.
//! - **Whole orders.** An order with any bad row is not imported at all;
//!   with [`ImportMode::SkipInvalid`] the other orders still are, with
//!   [`ImportMode::AllOrNothing`] nothing is written when any row is bad.
//! - **Bulk.** Rows are validated and resolved in memory with one lookup
//!   query per kind of reference (existing orders, products, list prices,
//!   customers), then written with one multi-row `INSERT … SELECT FROM
//!   unnest(…)` per table: customers, orders, order lines.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::{net_amount, rollups, rules, OrderStatus, SalesChannel, MAX_LINES};
use crate::domain::customer_import::MAX_REPORTED_ERRORS;
use crate::domain::customers::{self, CustomerKind};
use crate::domain::{currencies, products};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most rows in one call. Larger files are sent in chunks that keep each
/// order's rows together.
pub const MAX_ROWS: usize = 100_000;

/// What happens to the valid rows when some are bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Any bad row means nothing is written.
    AllOrNothing,
    /// Orders with a bad row are left out; the others are imported.
    SkipInvalid,
}

/// One row as sent: one order line, every value as text.
#[derive(Clone, Debug, Default)]
pub struct ImportRow {
    pub external_order_id: String,
    pub customer_external_id: String,
    /// Needed only to create a missing customer.
    pub customer_name: Option<String>,
    /// RFC 3339 (`2026-01-05T10:00:00Z`) or a date (`2026-01-05`, midnight UTC).
    pub ordered_at: String,
    pub currency: String,
    pub sku: String,
    pub quantity: String,
    /// Empty: the list price of the order's currency.
    pub unit_price: Option<String>,
    /// Percent of the line's gross amount; empty means 0.
    pub discount_percent: Option<String>,
    /// `DIRECT`, `PARTNER`, `RETAIL` or `WEB`; empty means `DIRECT`.
    pub channel: Option<String>,
    /// An order status; empty means `PLACED`.
    pub status: Option<String>,
    /// The id of the customer's deal the order closes; empty means none.
    pub deal_id: Option<String>,
    /// The campaign that brought the order; empty means none.
    pub campaign: Option<String>,
}

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Create customers whose external id is unknown (named by `customerName`).
    pub create_missing_customers: bool,
    /// The kind of the customers created.
    pub new_customer_kind: CustomerKind,
}

/// What an import did, and every problem found, by row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub orders_created: u64,
    pub orders_skipped_as_duplicates: u64,
    /// Orders not written because of a bad row (every order, in all-or-nothing mode).
    pub orders_rejected: u64,
    pub lines_created: u64,
    pub customers_created: u64,
    /// The first [`MAX_REPORTED_ERRORS`] problems, in row order.
    pub errors: Vec<RowError>,
    /// Every problem, listed or not.
    pub error_count: u64,
}

/// A problem with one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1 for the first row sent.
    pub row: usize,
    /// The row field at fault, as the API spells it.
    pub field: &'static str,
    pub message: String,
    /// The order the row belongs to, when it could be read.
    pub external_order_id: Option<String>,
}

/// The head of an order, as read from one row.
#[derive(Clone, Debug, PartialEq)]
struct Head {
    customer_external_id: String,
    ordered_at: DateTime<Utc>,
    currency: String,
    channel: SalesChannel,
    status: OrderStatus,
    deal_id: Option<Uuid>,
    campaign: Option<String>,
}

/// One line, as read from one row.
#[derive(Clone, Debug)]
struct Line {
    row: usize,
    sku: String,
    quantity: Decimal,
    unit_price: Option<Decimal>,
    discount_percent: Decimal,
}

/// The rows of one order.
struct Group {
    external_id: String,
    first_row: usize,
    head: Option<Head>,
    lines: Vec<Line>,
    invalid: bool,
}

/// One priced line ready to write.
struct PricedLine {
    product_id: Uuid,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    net: Decimal,
}

/// Collects row errors.
struct Problems(Vec<RowError>);

impl Problems {
    fn add(
        &mut self,
        row: usize,
        field: &'static str,
        message: impl Into<String>,
        order: Option<&str>,
    ) {
        self.0.push(RowError {
            row,
            field,
            message: message.into(),
            external_order_id: order.map(str::to_owned),
        });
    }

    /// The value, or the rule's message recorded against `row`'s `field`.
    fn check<T>(
        &mut self,
        row: usize,
        field: &'static str,
        order: Option<&str>,
        result: Result<T>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Error::Validation { message, .. }) => {
                self.add(row, field, message, order);
                None
            }
            Err(other) => {
                self.add(row, field, other.message(), order);
                None
            }
        }
    }
}

/// Imports `rows` into the transaction's tenant. Validation problems are
/// reported in the result, never as an error; an error means the call
/// itself is wrong (too many rows) or the database failed, and nothing is
/// written.
pub async fn import(
    tx: &TenantTx,
    rows: &[ImportRow],
    options: ImportOptions,
) -> Result<ImportReport> {
    if rows.len() > MAX_ROWS {
        return Err(Error::validation(
            "rows",
            format!(
                "at most {MAX_ROWS} rows per call ({} sent); split the import into several calls, keeping each order's rows in the same call",
                rows.len()
            ),
        ));
    }
    let mut problems = Problems(Vec::new());
    let mut report = ImportReport::default();
    let (mut groups, names) = read_rows(rows, &mut problems);

    // Orders imported before are duplicates: skipped before any lookup.
    let candidates: Vec<String> = groups
        .iter()
        .filter(|g| !g.invalid)
        .map(|g| g.external_id.clone())
        .collect();
    let existing = existing_orders(tx, &candidates).await?;
    groups.retain(|g| {
        let duplicate = !g.invalid && existing.contains(&g.external_id);
        if duplicate {
            report.orders_skipped_as_duplicates += 1;
        }
        !duplicate
    });

    let priced = price_lines(tx, &mut groups, &mut problems).await?;
    let customers = resolve_customers(tx, &mut groups, &names, options, &mut problems).await?;
    check_deals(tx, &mut groups, &customers, &mut problems).await?;

    let rejected = groups.iter().filter(|g| g.invalid).count() as u64;
    problems.0.sort_by_key(|e| e.row);
    report.errors = problems.0;
    report.error_count = report.errors.len() as u64;
    report.errors.truncate(MAX_REPORTED_ERRORS);
    if options.mode == ImportMode::AllOrNothing && !report.errors.is_empty() {
        report.orders_rejected = groups.len() as u64;
        return Ok(report);
    }
    report.orders_rejected = rejected;

    // Customers first (only those of orders that will be written).
    let mut customer_ids = customers;
    let mut wanted: Vec<(String, String)> = {
        let mut seen = HashSet::new();
        groups
            .iter()
            .filter(|g| !g.invalid)
            .filter_map(|g| g.head.as_ref())
            .filter(|h| !customer_ids.contains_key(&h.customer_external_id))
            .filter(|h| seen.insert(h.customer_external_id.clone()))
            .filter_map(|h| {
                let name = names.get(&h.customer_external_id)?.clone();
                Some((h.customer_external_id.clone(), name))
            })
            .collect()
    };
    // Sorted, so concurrent imports take the unique-key locks in the same order.
    wanted.sort_unstable();
    let mut created_ids = HashSet::new();
    if !wanted.is_empty() {
        let new_ids: HashMap<&str, Uuid> = wanted
            .iter()
            .map(|(external_id, _)| (external_id.as_str(), Uuid::now_v7()))
            .collect();
        // A created customer starts with the rollups of its orders here.
        let first_orders: Vec<rollups::PlacedOrder> = groups
            .iter()
            .filter(|g| !g.invalid)
            .filter_map(|g| {
                let head = g.head.as_ref()?;
                let customer_id = *new_ids.get(head.customer_external_id.as_str())?;
                Some(placed_order(g, head, customer_id, &priced))
            })
            .collect();
        let created = create_customers(
            tx,
            &wanted,
            &new_ids,
            &first_orders,
            options.new_customer_kind,
        )
        .await?;
        report.customers_created = created.len() as u64;
        created_ids.extend(created.values().copied());
        customer_ids.extend(created);
        let raced: Vec<String> = wanted
            .iter()
            .map(|(external_id, _)| external_id.clone())
            .filter(|external_id| !customer_ids.contains_key(external_id))
            .collect();
        if !raced.is_empty() {
            // Created meanwhile by a concurrent import: use those.
            for (external_id, found) in find_customers(tx, &raced).await? {
                customer_ids.insert(external_id, found.0);
            }
        }
    }

    let written = write_orders(tx, &groups, &priced, &customer_ids, &created_ids).await?;
    report.orders_created = written.orders;
    report.lines_created = written.lines;
    report.orders_skipped_as_duplicates += written.raced_duplicates;
    Ok(report)
}

/// Parses every row and groups them into orders; returns the groups in the
/// order of their first row, and the first customer name given per customer.
fn read_rows(rows: &[ImportRow], problems: &mut Problems) -> (Vec<Group>, HashMap<String, String>) {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (i, raw) in rows.iter().enumerate() {
        let row = i + 1;
        let errors_before = problems.0.len();
        let external_id = problems
            .check(
                row,
                "externalOrderId",
                None,
                rules::external_id("externalOrderId", &raw.external_order_id),
            )
            .flatten();
        if external_id.is_none() && problems.0.len() == errors_before {
            problems.add(row, "externalOrderId", "must not be empty", None);
        }
        let label = external_id.clone();
        let order = label.as_deref();
        let (head, line) = read_row(row, raw, order, &mut names, problems);
        let Some(external_id) = external_id else {
            continue;
        };
        let at = *index.entry(external_id.clone()).or_insert_with(|| {
            groups.push(Group {
                external_id: external_id.clone(),
                first_row: row,
                head: None,
                lines: Vec::new(),
                invalid: false,
            });
            groups.len() - 1
        });
        let group = &mut groups[at];
        let (Some(head), Some(line)) = (head, line) else {
            group.invalid = true;
            continue;
        };
        if group.lines.len() >= MAX_LINES {
            problems.add(
                row,
                "externalOrderId",
                format!("an order has at most {MAX_LINES} lines"),
                order,
            );
            group.invalid = true;
            continue;
        }
        match &group.head {
            None if group.lines.is_empty() && !group.invalid => group.head = Some(head),
            None => {}
            Some(first) => {
                let differs = [
                    (
                        "customerExternalId",
                        first.customer_external_id != head.customer_external_id,
                    ),
                    ("orderedAt", first.ordered_at != head.ordered_at),
                    ("currency", first.currency != head.currency),
                    ("channel", first.channel != head.channel),
                    ("status", first.status != head.status),
                    ("dealId", first.deal_id != head.deal_id),
                    ("campaign", first.campaign != head.campaign),
                ];
                for (field, different) in differs {
                    if different {
                        problems.add(
                            row,
                            field,
                            format!("differs from row {} of the same order", group.first_row),
                            order,
                        );
                        group.invalid = true;
                    }
                }
            }
        }
        group.lines.push(line);
    }
    (groups, names)
}

/// Reads one row's values; problems are recorded, and a part with any
/// problem is `None`.
fn read_row(
    row: usize,
    raw: &ImportRow,
    order: Option<&str>,
    names: &mut HashMap<String, String>,
    problems: &mut Problems,
) -> (Option<Head>, Option<Line>) {
    let errors_before = problems.0.len();
    let customer = problems.check(
        row,
        "customerExternalId",
        order,
        customers::rules::short_text("customerExternalId", &raw.customer_external_id).and_then(
            |v| v.ok_or_else(|| Error::validation("customerExternalId", "must not be empty")),
        ),
    );
    let name = match raw.customer_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => {
            problems.check(row, "customerName", order, customers::rules::name(name))
        }
        _ => None,
    };
    if let (Some(customer), Some(name)) = (&customer, name) {
        names.entry(customer.clone()).or_insert(name);
    }
    let ordered_at = problems.check(row, "orderedAt", order, order_time(&raw.ordered_at));
    let currency = problems.check(
        row,
        "currency",
        order,
        currencies::currency("currency", &raw.currency),
    );
    let channel = match optional(&raw.channel) {
        None => Some(SalesChannel::Direct),
        Some(text) => problems.check(
            row,
            "channel",
            order,
            SalesChannel::parse(text).ok_or_else(|| {
                Error::validation(
                    "channel",
                    format!("`{text}` is not one of DIRECT, PARTNER, RETAIL, WEB"),
                )
            }),
        ),
    };
    let status = match optional(&raw.status) {
        None => Some(OrderStatus::Placed),
        Some(text) => problems.check(
            row,
            "status",
            order,
            OrderStatus::parse(text).ok_or_else(|| {
                Error::validation(
                    "status",
                    format!("`{text}` is not one of PLACED, PAID, SHIPPED, CANCELLED, REFUNDED"),
                )
            }),
        ),
    };
    let sku = problems.check(row, "sku", order, products::rules::sku("sku", &raw.sku));
    let quantity = problems.check(
        row,
        "quantity",
        order,
        currencies::parse_decimal("quantity", &raw.quantity)
            .and_then(|q| rules::quantity("quantity", q)),
    );
    let unit_price = match optional(&raw.unit_price) {
        None => Some(None),
        Some(text) => problems
            .check(
                row,
                "unitPrice",
                order,
                currencies::parse_decimal("unitPrice", text)
                    .and_then(|p| rules::unit_price("unitPrice", p)),
            )
            .map(Some),
    };
    let discount_percent = match optional(&raw.discount_percent) {
        None => Some(Decimal::ZERO),
        Some(text) => problems.check(
            row,
            "discountPercent",
            order,
            currencies::parse_decimal("discountPercent", text)
                .and_then(|d| rules::discount_percent("discountPercent", d)),
        ),
    };
    let deal_id = match optional(&raw.deal_id) {
        None => Some(None),
        Some(text) => problems
            .check(
                row,
                "dealId",
                order,
                Uuid::parse_str(text).map_err(|_| Error::validation("dealId", "is not a valid ID")),
            )
            .map(Some),
    };
    let campaign = match optional(&raw.campaign) {
        None => Some(None),
        Some(text) => problems.check(row, "campaign", order, rules::campaign("campaign", text)),
    };
    if problems.0.len() > errors_before {
        return (None, None);
    }
    let (Some(deal_id), Some(campaign)) = (deal_id, campaign) else {
        return (None, None);
    };
    match (
        customer,
        ordered_at,
        currency,
        channel,
        status,
        sku,
        quantity,
        unit_price,
        discount_percent,
    ) {
        (
            Some(customer_external_id),
            Some(ordered_at),
            Some(currency),
            Some(channel),
            Some(status),
            Some(sku),
            Some(quantity),
            Some(unit_price),
            Some(discount_percent),
        ) => (
            Some(Head {
                customer_external_id,
                ordered_at,
                currency,
                channel,
                status,
                deal_id,
                campaign,
            }),
            Some(Line {
                row,
                sku,
                quantity,
                unit_price,
                discount_percent,
            }),
        ),
        _ => (None, None),
    }
}

fn optional(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// An order time: RFC 3339, or a plain date meaning midnight UTC.
pub fn order_time(raw: &str) -> Result<DateTime<Utc>> {
    let text = raw.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    Err(Error::validation(
        "orderedAt",
        format!("`{text}` is not a time such as 2026-01-05T10:00:00Z or a date such as 2026-01-05"),
    ))
}

/// External ids among `candidates` that orders of the tenant already have.
async fn existing_orders(tx: &TenantTx, candidates: &[String]) -> Result<HashSet<String>> {
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT o.external_id FROM orders o
              WHERE o.tenant_id = $1 AND o.external_id IN (SELECT unnest($2::text[]))",
            [tx.tenant_id().into(), candidates.to_vec().into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "external_id")?))
        .collect()
}

/// Finds every line's product and price, and computes net amounts and order
/// totals; lines with problems invalidate their order. Returns the priced
/// lines of each still-valid order, by external id, with the total.
async fn price_lines(
    tx: &TenantTx,
    groups: &mut [Group],
    problems: &mut Problems,
) -> Result<HashMap<String, (Vec<PricedLine>, Decimal)>> {
    let skus: Vec<String> = {
        let mut seen = HashSet::new();
        groups
            .iter()
            .filter(|g| !g.invalid)
            .flat_map(|g| g.lines.iter())
            .filter(|l| seen.insert(l.sku.as_str()))
            .map(|l| l.sku.clone())
            .collect()
    };
    let known = products::by_skus(tx, &skus).await?;
    let mut unpriced_products = HashSet::new();
    let mut unpriced_currencies = HashSet::new();
    for group in groups.iter().filter(|g| !g.invalid) {
        let head = group.head.as_ref().expect("valid groups have a head");
        for line in group.lines.iter().filter(|l| l.unit_price.is_none()) {
            if let Some(product) = known.get(&line.sku) {
                unpriced_products.insert(product.id);
                unpriced_currencies.insert(head.currency.clone());
            }
        }
    }
    let list = products::list_prices(
        tx,
        &unpriced_currencies.into_iter().collect::<Vec<_>>(),
        &unpriced_products.into_iter().collect::<Vec<_>>(),
    )
    .await?;

    let mut priced = HashMap::new();
    for group in groups.iter_mut().filter(|g| !g.invalid) {
        let head = group.head.as_ref().expect("valid groups have a head");
        let order = Some(group.external_id.as_str());
        let mut lines = Vec::with_capacity(group.lines.len());
        let mut total = Some(Decimal::ZERO);
        for line in &group.lines {
            let Some(product) = known.get(&line.sku) else {
                problems.add(
                    line.row,
                    "sku",
                    format!("no product has SKU `{}` in this workspace", line.sku),
                    order,
                );
                continue;
            };
            let unit_price = match line.unit_price {
                Some(price) => price,
                None => match list.get(&(head.currency.clone(), product.id)) {
                    Some(price) => *price,
                    None => {
                        problems.add(
                            line.row,
                            "unitPrice",
                            format!(
                                "is empty and the {} price list has no price for SKU `{}`",
                                head.currency, line.sku
                            ),
                            order,
                        );
                        continue;
                    }
                },
            };
            let Some(net) = net_amount(
                line.quantity,
                unit_price,
                line.discount_percent,
                &head.currency,
            ) else {
                problems.add(line.row, "quantity", "the line amount is too large", order);
                continue;
            };
            total = total.and_then(|t| t.checked_add(net));
            lines.push(PricedLine {
                product_id: product.id,
                quantity: line.quantity,
                unit_price,
                discount_percent: line.discount_percent,
                net,
            });
        }
        match total {
            Some(total) if lines.len() == group.lines.len() => {
                priced.insert(group.external_id.clone(), (lines, total));
            }
            Some(_) => group.invalid = true,
            None => {
                problems.add(
                    group.first_row,
                    "quantity",
                    "the order total is too large",
                    order,
                );
                group.invalid = true;
            }
        }
    }
    Ok(priced)
}

/// Finds the customers of the valid orders by external id; a missing one is
/// a problem unless it may be created (with a name), a deleted one always is.
/// Returns the ids of those found, by external id.
async fn resolve_customers(
    tx: &TenantTx,
    groups: &mut [Group],
    names: &HashMap<String, String>,
    options: ImportOptions,
    problems: &mut Problems,
) -> Result<HashMap<String, Uuid>> {
    let wanted: Vec<String> = {
        let mut seen = HashSet::new();
        groups
            .iter()
            .filter(|g| !g.invalid)
            .filter_map(|g| g.head.as_ref())
            .filter(|h| seen.insert(h.customer_external_id.as_str()))
            .map(|h| h.customer_external_id.clone())
            .collect()
    };
    let found = find_customers(tx, &wanted).await?;
    let mut known = HashMap::with_capacity(found.len());
    for group in groups.iter_mut().filter(|g| !g.invalid) {
        let head = group.head.as_ref().expect("valid groups have a head");
        let order = Some(group.external_id.as_str());
        let customer = &head.customer_external_id;
        match found.get(customer) {
            Some((id, false)) => {
                known.insert(customer.clone(), *id);
            }
            Some((_, true)) => {
                problems.add(
                    group.first_row,
                    "customerExternalId",
                    format!("customer `{customer}` was deleted"),
                    order,
                );
                group.invalid = true;
            }
            None if !options.create_missing_customers => {
                problems.add(
                    group.first_row,
                    "customerExternalId",
                    format!("no customer has the externalId `{customer}`; send createMissingCustomers: true and a customerName to create it"),
                    order,
                );
                group.invalid = true;
            }
            None if !names.contains_key(customer) => {
                problems.add(
                    group.first_row,
                    "customerName",
                    format!("is needed to create the missing customer `{customer}`"),
                    order,
                );
                group.invalid = true;
            }
            None => {}
        }
    }
    Ok(known)
}

/// Checks the deals the valid orders close, in one query: each must be a
/// visible deal of the order's customer (a customer the import creates has
/// none yet).
async fn check_deals(
    tx: &TenantTx,
    groups: &mut [Group],
    customers: &HashMap<String, Uuid>,
    problems: &mut Problems,
) -> Result<()> {
    let wanted: Vec<Uuid> = {
        let mut seen = HashSet::new();
        groups
            .iter()
            .filter(|g| !g.invalid)
            .filter_map(|g| g.head.as_ref()?.deal_id)
            .filter(|id| seen.insert(*id))
            .collect()
    };
    if wanted.is_empty() {
        return Ok(());
    }
    let deals = crate::domain::deals::find_many(tx, &wanted).await?;
    for group in groups.iter_mut().filter(|g| !g.invalid) {
        let head = group.head.as_ref().expect("valid groups have a head");
        let Some(deal_id) = head.deal_id else {
            continue;
        };
        let belongs = deals.get(&deal_id).is_some_and(|deal| {
            customers.get(&head.customer_external_id) == Some(&deal.customer_id)
        });
        if belongs {
            continue;
        }
        // The rule and its message are `deals::check_of_customer`'s.
        let message = "is not a deal of this customer";
        problems.add(group.first_row, "dealId", message, Some(&group.external_id));
        group.invalid = true;
    }
    Ok(())
}

/// Customers with these external ids (deleted ones too, flagged), in one query.
async fn find_customers(
    tx: &TenantTx,
    external_ids: &[String],
) -> Result<HashMap<String, (Uuid, bool)>> {
    if external_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT c.id, c.external_id, c.deleted_at IS NOT NULL AS deleted FROM customers c
              WHERE c.tenant_id = $1 AND c.external_id IN (SELECT unnest($2::text[]))",
            [tx.tenant_id().into(), external_ids.to_vec().into()],
        ))
        .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            row.try_get::<String>("", "external_id")?,
            (
                row.try_get::<Uuid>("", "id")?,
                row.try_get::<bool>("", "deleted")?,
            ),
        );
    }
    Ok(found)
}

/// Creates customers (external id, name) in one statement; returns those
/// created, by external id. One created meanwhile by someone else is left out.
async fn create_customers(
    tx: &TenantTx,
    wanted: &[(String, String)],
    new_ids: &HashMap<&str, Uuid>,
    first_orders: &[rollups::PlacedOrder],
    kind: CustomerKind,
) -> Result<HashMap<String, Uuid>> {
    let ids: Vec<Uuid> = wanted.iter().map(|(e, _)| new_ids[e.as_str()]).collect();
    let external_ids: Vec<String> = wanted.iter().map(|(e, _)| e.clone()).collect();
    let names: Vec<String> = wanted.iter().map(|(_, n)| n.clone()).collect();
    let user: sea_orm::Value = tx.scope().user_id.into();
    let base = currencies::base_currency(tx).await?;
    let keyed: Vec<(Uuid, &rollups::PlacedOrder)> =
        first_orders.iter().map(|o| (o.customer_id, o)).collect();
    let mut values = vec![tx.tenant_id().into()];
    values.extend(rollups::increments_values(&keyed));
    values.extend([
        (currencies::minor_units(&base) as i32).into(),
        base.into(),
        kind.as_str().into(),
        user,
        ids.into(),
        names.into(),
        external_ids.into(),
    ]);
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "WITH {increments}
                 INSERT INTO customers (tenant_id, id, kind, name, external_id, lifecycle_stage, created_by,
                                        created_at, updated_at, order_count, order_total, last_order_at)
                 SELECT $1, c.id, $8, c.name, c.external_id, 'CUSTOMER', $9, now(), now(),
                        coalesce(d.n, 0), coalesce(d.total, 0), d.last
                   FROM unnest($10::uuid[], $11::text[], $12::text[]) AS c(id, name, external_id)
                   LEFT JOIN d ON d.customer = c.id
                 ON CONFLICT (tenant_id, external_id) DO NOTHING
                 RETURNING *",
                increments = rollups::increments_sql("uuid", "$7", "$6"),
            ),
            values,
        ))
        .await?;
    let mut created = HashMap::with_capacity(rows.len());
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let record = entity::customer::Model::from_query_result(&row, "")?;
        if let Some(external_id) = &record.external_id {
            created.insert(external_id.clone(), record.id);
        }
        records.push(record);
    }
    // Created customers get their "created" field history like any other.
    let writes: Vec<_> = records.iter().map(|r| (None, r)).collect();
    crate::domain::customer_history::record_many(
        tx,
        crate::domain::customer_history::ChangeAction::Create,
        &writes,
    )
    .await?;
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    tx.touch_customers(&ids);
    Ok(created)
}

/// A valid order as the rollups see it.
fn placed_order(
    group: &Group,
    head: &Head,
    customer_id: Uuid,
    priced: &HashMap<String, (Vec<PricedLine>, Decimal)>,
) -> rollups::PlacedOrder {
    rollups::PlacedOrder {
        customer_id,
        ordered_at: head.ordered_at,
        currency: head.currency.clone(),
        total: priced[&group.external_id].1,
        status: head.status,
    }
}

/// What [`write_orders`] wrote.
struct Written {
    orders: u64,
    lines: u64,
    /// Orders another import wrote between our check and our insert.
    raced_duplicates: u64,
}

/// Writes the valid orders and then their lines: one statement each.
async fn write_orders(
    tx: &TenantTx,
    groups: &[Group],
    priced: &HashMap<String, (Vec<PricedLine>, Decimal)>,
    customer_ids: &HashMap<String, Uuid>,
    created_ids: &HashSet<Uuid>,
) -> Result<Written> {
    // Sorted by external id, so concurrent imports take the unique-key locks
    // in the same order and cannot deadlock.
    let mut valid: Vec<&Group> = groups.iter().filter(|g| !g.invalid).collect();
    valid.sort_unstable_by(|a, b| a.external_id.cmp(&b.external_id));
    if valid.is_empty() {
        return Ok(Written {
            orders: 0,
            lines: 0,
            raced_duplicates: 0,
        });
    }
    let n = valid.len();
    let mut ids = Vec::with_capacity(n);
    let mut customers = Vec::with_capacity(n);
    let mut external_ids = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    let mut currencies = Vec::with_capacity(n);
    let mut channels = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut totals = Vec::with_capacity(n);
    let mut deal_ids = Vec::with_capacity(n);
    let mut campaigns = Vec::with_capacity(n);
    for group in &valid {
        let head = group.head.as_ref().expect("valid groups have a head");
        ids.push(Uuid::now_v7());
        customers.push(
            *customer_ids
                .get(&head.customer_external_id)
                .ok_or_else(|| {
                    Error::internal(MissingCustomer(head.customer_external_id.clone()))
                })?,
        );
        external_ids.push(group.external_id.clone());
        times.push(head.ordered_at);
        currencies.push(head.currency.clone());
        channels.push(head.channel.as_str().to_owned());
        statuses.push(head.status.as_str().to_owned());
        totals.push(priced[&group.external_id].1);
        // Empty for none: the driver binds no arrays with nulls.
        deal_ids.push(head.deal_id.map(|id| id.to_string()).unwrap_or_default());
        campaigns.push(head.campaign.clone().unwrap_or_default());
    }
    let order_ids = ids.clone();
    let placed: Vec<rollups::PlacedOrder> = valid
        .iter()
        .zip(&customers)
        .map(|(group, customer_id)| {
            let head = group.head.as_ref().expect("valid groups have a head");
            placed_order(group, head, *customer_id, priced)
        })
        .collect();
    let user: sea_orm::Value = tx.scope().user_id.into();
    let event_ids: Vec<Uuid> = ids.iter().map(|_| Uuid::now_v7()).collect();
    // The orders and, in the same statement, the outbox event of each
    // order actually written (not of raced duplicates).
    let inserted = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "WITH ins AS (
                     INSERT INTO orders (tenant_id, id, version, customer_id, external_id, ordered_at, currency,
                                         channel, status, total_amount, deal_id, campaign, created_by,
                                         created_at, updated_at)
                     SELECT $1, o.id, 1, o.customer_id, o.external_id, o.ordered_at, o.currency, o.channel,
                            o.status, o.total, NULLIF(o.deal_id, '')::uuid, NULLIF(o.campaign, ''), $2, now(),
                            now()
                       FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
                                   $9::text[], $10::numeric[], $11::text[], $12::text[])
                            AS o(id, customer_id, external_id, ordered_at, currency, channel, status, total,
                                 deal_id, campaign)
                     ON CONFLICT (tenant_id, external_id) DO NOTHING
                     RETURNING *),
                 ev AS (SELECT e.event_id, ins.* FROM ins
                          JOIN unnest($3::uuid[], $13::uuid[]) AS e(order_id, event_id) ON e.order_id = ins.id),
                 events AS ({events})
                 SELECT id FROM ins",
                events = super::created_events_sql("ev", "$2"),
            ),
            [
                tx.tenant_id().into(),
                user,
                ids.into(),
                customers.into(),
                external_ids.into(),
                times.into(),
                currencies.into(),
                channels.into(),
                statuses.into(),
                totals.into(),
                deal_ids.into(),
                campaigns.into(),
                event_ids.into(),
            ],
        ))
        .await?;
    let inserted: HashSet<Uuid> = inserted
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?;

    let mut line_orders = Vec::new();
    let mut line_nos = Vec::new();
    let mut line_products = Vec::new();
    let mut quantities = Vec::new();
    let mut unit_prices = Vec::new();
    let mut discounts = Vec::new();
    let mut nets = Vec::new();
    for (group, order_id) in valid.iter().zip(&order_ids) {
        if !inserted.contains(order_id) {
            continue;
        }
        for (i, line) in priced[&group.external_id].0.iter().enumerate() {
            line_orders.push(*order_id);
            line_nos.push(i as i32 + 1);
            line_products.push(line.product_id);
            quantities.push(line.quantity);
            unit_prices.push(line.unit_price);
            discounts.push(line.discount_percent);
            nets.push(line.net);
        }
    }
    let lines = line_orders.len() as u64;
    if lines > 0 {
        tx.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price,
                                      discount_percent, net_amount)
             SELECT $1, l.order_id, l.line_no, l.product_id, l.quantity, l.unit_price, l.discount_percent, l.net
               FROM unnest($2::uuid[], $3::int4[], $4::uuid[], $5::numeric[], $6::numeric[], $7::numeric[],
                           $8::numeric[])
                    AS l(order_id, line_no, product_id, quantity, unit_price, discount_percent, net)",
            [
                tx.tenant_id().into(),
                line_orders.into(),
                line_nos.into(),
                line_products.into(),
                quantities.into(),
                unit_prices.into(),
                discounts.into(),
                nets.into(),
            ],
        ))
        .await?;
    }
    let written: Vec<Uuid> = order_ids
        .iter()
        .filter(|id| inserted.contains(id))
        .copied()
        .collect();
    super::revenue_base::store(tx, &written).await?;
    // Customers created by this import already count their orders here,
    // unless one of those orders turned out a duplicate (raced): recount them.
    let mut recount = HashSet::new();
    let mut added = Vec::with_capacity(placed.len());
    for (order, id) in placed.into_iter().zip(&order_ids) {
        let created = created_ids.contains(&order.customer_id);
        match (inserted.contains(id), created) {
            (true, false) => added.push(order),
            (false, true) => {
                recount.insert(order.customer_id);
            }
            _ => {}
        }
    }
    rollups::add(tx, &added).await?;
    rollups::recount(tx, &recount.into_iter().collect::<Vec<_>>()).await?;
    Ok(Written {
        orders: inserted.len() as u64,
        lines,
        raced_duplicates: (n - inserted.len()) as u64,
    })
}

/// A customer an order needs was neither found nor created.
#[derive(Debug, thiserror::Error)]
#[error("customer `{0}` of an imported order was neither found nor created")]
struct MissingCustomer(String);

#[cfg(test)]
mod tests {
    use super::*;

    fn row(order: &str, customer: &str, sku: &str, quantity: &str) -> ImportRow {
        ImportRow {
            external_order_id: order.into(),
            customer_external_id: customer.into(),
            customer_name: Some(format!("Customer {customer}")),
            ordered_at: "2026-01-05".into(),
            currency: "EUR".into(),
            sku: sku.into(),
            quantity: quantity.into(),
            unit_price: Some("1.50".into()),
            ..ImportRow::default()
        }
    }

    #[test]
    fn rows_group_into_orders_and_bad_rows_poison_only_their_order() {
        let rows = vec![
            row("A", "c1", "s1", "1"),
            row("B", "c2", "s1", "x"),
            row("A", "c1", "s2", "2"),
            row("B", "c2", "s2", "1"),
            ImportRow {
                currency: "USD".into(),
                ..row("A", "c1", "s3", "1")
            },
            row("", "c3", "s1", "1"),
            row("C", "c3", "s1", "1"),
        ];
        let mut problems = Problems(Vec::new());
        let (groups, names) = read_rows(&rows, &mut problems);
        let summary: Vec<(&str, usize, bool)> = groups
            .iter()
            .map(|g| (g.external_id.as_str(), g.lines.len(), g.invalid))
            .collect();
        assert_eq!(summary, [("A", 3, true), ("B", 1, true), ("C", 1, false)]);
        let errors: Vec<(usize, &str)> = problems.0.iter().map(|e| (e.row, e.field)).collect();
        assert_eq!(
            errors,
            [(2, "quantity"), (5, "currency"), (6, "externalOrderId")]
        );
        assert_eq!(
            problems.0[1].message,
            "differs from row 1 of the same order"
        );
        assert_eq!(names["c3"], "Customer c3");
    }

    #[test]
    fn order_times_take_rfc3339_or_a_date() {
        assert_eq!(
            order_time("2026-01-05T10:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-01-05T08:00:00+00:00"
        );
        assert_eq!(
            order_time("2026-01-05").unwrap().to_rfc3339(),
            "2026-01-05T00:00:00+00:00"
        );
        assert!(order_time("05/01/2026").is_err());
    }
}
