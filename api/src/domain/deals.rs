//! Deals: sales opportunities with a customer, worth an exact amount in one
//! currency, owned by a member, sitting in one stage of a pipeline. Every
//! stage a deal enters is kept with the time it entered and left
//! (`deal_stage_history`), so the time spent in each stage is known. A deal
//! is won or lost by moving it to a stage of that kind; a lost deal needs a
//! reason.
//!
//! Deals follow their customer's visibility: a member who cannot see the
//! customer cannot see or change its deals (the condition is in the SQL).
//! Every write keeps the customer's open-deal rollups, drops its cached view
//! and, for stage changes, writes the events of the outbox in the same
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, Select, Set, Statement,
};
use serde_json::json;
use uuid::Uuid;

use entity::deal::{self, Column, Entity as Deals};
use entity::{deal_contact, deal_line, deal_stage_history, pipeline_stage};

use super::currencies::{self, Money};
use super::domain_events::{self, EventKind};
use super::filter::{EnumFilter, FilterBudget, TextFilter, TimeFilter};
use super::orders::{self, NewOrderLine};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::pipelines::{self, StageKind};
use super::{contacts, customers, products, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most contacts and most product lines on one deal.
pub const MAX_CONTACTS: usize = 50;
pub const MAX_LINES: usize = 200;
/// Amounts stay below 10^16.
fn max_amount() -> Decimal {
    Decimal::from(10_i64.pow(16))
}

/// Field rules.
pub mod rules {
    use super::*;

    /// A deal's name.
    pub fn name(raw: &str) -> Result<String> {
        values::required_text("name", raw, 200)
    }

    /// An amount: not negative, at most 4 decimals.
    pub fn amount(field: &str, value: Decimal) -> Result<Decimal> {
        let value = currencies::bounded_decimal(field, value, 4, max_amount())?;
        if value < Decimal::ZERO {
            return Err(Error::validation(field, "must not be negative"));
        }
        Ok(value)
    }

    /// Why a deal was won or lost.
    pub fn reason(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, 1000)
    }

    /// A contact's role in a deal (decision maker, champion, …).
    pub fn role(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, 100)
    }
}

/// A contact on a deal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealContactInput {
    pub contact_id: Uuid,
    pub role: Option<String>,
}

/// A validated new deal.
#[derive(Clone, Debug, Default)]
pub struct NewDeal {
    pub name: String,
    pub customer_id: Uuid,
    /// The default pipeline when not given (or the stage's pipeline).
    pub pipeline_id: Option<Uuid>,
    /// The pipeline's first open stage when not given.
    pub stage_id: Option<Uuid>,
    /// The acting member when not given.
    pub owner_id: Option<Uuid>,
    /// The sum of the lines when not given (0 without lines).
    pub amount: Option<Decimal>,
    pub currency: String,
    pub expected_close_date: Option<NaiveDate>,
    pub contacts: Vec<DealContactInput>,
    pub lines: Vec<NewOrderLine>,
    /// Why it was won or lost, when created in such a stage.
    pub reason: Option<String>,
}

/// Changes to a deal; only the given ones apply. Contacts and lines, when
/// given, replace the deal's.
#[derive(Clone, Debug, Default)]
pub struct DealChanges {
    pub name: Option<String>,
    pub owner_id: Option<Option<Uuid>>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub expected_close_date: Option<Option<NaiveDate>>,
    pub contacts: Option<Vec<DealContactInput>>,
    pub lines: Option<Vec<NewOrderLine>>,
}

/// Lines priced and totalled like order lines.
struct PricedLines {
    rows: Vec<deal_line::ActiveModel>,
    total: Decimal,
}

async fn price_lines(
    tx: &TenantTx,
    deal_id: Uuid,
    currency: &str,
    lines: &[NewOrderLine],
) -> Result<PricedLines> {
    if lines.len() > MAX_LINES {
        return Err(Error::validation(
            "lines",
            format!("a deal has at most {MAX_LINES} lines"),
        ));
    }
    let ids: Vec<Uuid> = lines.iter().map(|l| l.product_id).collect();
    let known = products::find_many(tx, &ids).await?;
    let unpriced: Vec<Uuid> = lines
        .iter()
        .filter(|l| l.unit_price.is_none())
        .map(|l| l.product_id)
        .collect();
    let list = products::list_prices(tx, &[currency.to_owned()], &unpriced).await?;
    let mut rows = Vec::with_capacity(lines.len());
    let mut total = Decimal::ZERO;
    for (i, line) in lines.iter().enumerate() {
        let product = known.get(&line.product_id).ok_or_else(|| {
            Error::validation(
                format!("lines[{i}].productId"),
                "is not a product of this workspace",
            )
        })?;
        let unit_price = match line.unit_price {
            Some(p) => p,
            None => *list
                .get(&(currency.to_owned(), line.product_id))
                .ok_or_else(|| {
                    Error::validation(
                        format!("lines[{i}].unitPrice"),
                        format!(
                            "is required: the {currency} price list has no price for product {}",
                            product.sku
                        ),
                    )
                })?,
        };
        let net = orders::net_amount(line.quantity, unit_price, line.discount_percent, currency)
            .and_then(|net| {
                total = total.checked_add(net)?;
                Some(net)
            })
            .ok_or_else(|| {
                Error::validation(format!("lines[{i}].quantity"), "the amount is too large")
            })?;
        rows.push(deal_line::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            deal_id: Set(deal_id),
            line_no: Set(i as i32 + 1),
            product_id: Set(line.product_id),
            quantity: Set(line.quantity),
            unit_price: Set(unit_price),
            discount_percent: Set(line.discount_percent),
            net_amount: Set(net),
        });
    }
    Ok(PricedLines { rows, total })
}

async fn check_contacts(
    tx: &TenantTx,
    customer_id: Uuid,
    given: &[DealContactInput],
) -> Result<()> {
    if given.len() > MAX_CONTACTS {
        return Err(Error::validation(
            "contacts",
            format!("a deal has at most {MAX_CONTACTS} contacts"),
        ));
    }
    for (i, c) in given.iter().enumerate() {
        if given[..i].iter().any(|o| o.contact_id == c.contact_id) {
            return Err(Error::validation(
                format!("contacts[{i}].contactId"),
                "is listed twice",
            ));
        }
        let contact = contacts::find(tx, c.contact_id).await?;
        if contact.is_none_or(|k| k.customer_id != customer_id) {
            return Err(Error::validation(
                format!("contacts[{i}].contactId"),
                "is not a contact of the deal's customer",
            ));
        }
    }
    Ok(())
}

async fn write_contacts(tx: &TenantTx, deal_id: Uuid, given: Vec<DealContactInput>) -> Result<()> {
    deal_contact::Entity::delete_many()
        .filter(deal_contact::Column::TenantId.eq(tx.tenant_id()))
        .filter(deal_contact::Column::DealId.eq(deal_id))
        .exec(&**tx)
        .await?;
    if given.is_empty() {
        return Ok(());
    }
    deal_contact::Entity::insert_many(given.into_iter().map(|c| deal_contact::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        deal_id: Set(deal_id),
        contact_id: Set(c.contact_id),
        role: Set(c.role),
    }))
    .exec_without_returning(&**tx)
    .await?;
    Ok(())
}

async fn check_owner(tx: &TenantTx, owner_id: Uuid) -> Result<()> {
    let member = entity::membership::Entity::find_by_id((tx.tenant_id(), owner_id))
        .one(&**tx)
        .await?;
    if member.is_none() {
        return Err(Error::validation(
            "ownerId",
            "is not a member of this workspace",
        ));
    }
    Ok(())
}

/// `amount` in the base currency at the rate in force on the expected close
/// date (today when there is none).
async fn in_base(
    tx: &TenantTx,
    amount: Decimal,
    currency: &str,
    expected_close_date: Option<NaiveDate>,
) -> Result<Decimal> {
    let on = expected_close_date.unwrap_or_else(|| Utc::now().date_naive());
    Ok(currencies::convert(tx, &Money::new(amount, currency), on)
        .await?
        .amount)
}

/// Creates a deal with its contacts and lines, and records the stage it
/// starts in.
pub async fn create(tx: &TenantTx, new: NewDeal) -> Result<deal::Model> {
    let deal_id = Uuid::now_v7();
    create_with_id(tx, deal_id, new).await
}

/// [`create`] with a given id (lead conversion links the id beforehand).
pub async fn create_with_id(tx: &TenantTx, deal_id: Uuid, new: NewDeal) -> Result<deal::Model> {
    if customers::find(tx, new.customer_id).await?.is_none() {
        return Err(Error::validation(
            "customerId",
            "is not a customer of this workspace",
        ));
    }
    let stage = resolve_stage(tx, new.pipeline_id, new.stage_id).await?;
    let kind = StageKind::parse(&stage.kind)?;
    if kind == StageKind::Lost && new.reason.is_none() {
        return Err(Error::validation("reason", "a lost deal needs a reason"));
    }
    let owner_id = new.owner_id.or(tx.scope().user_id);
    if let Some(owner) = new.owner_id {
        check_owner(tx, owner).await?;
    }
    check_contacts(tx, new.customer_id, &new.contacts).await?;
    let priced = price_lines(tx, deal_id, &new.currency, &new.lines).await?;
    let amount = new.amount.unwrap_or(priced.total);
    let amount_base = in_base(tx, amount, &new.currency, new.expected_close_date).await?;
    let now = Utc::now();
    let closed = kind != StageKind::Open;
    let deal = Deals::insert(deal::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(deal_id),
        version: Set(1),
        name: Set(new.name),
        customer_id: Set(new.customer_id),
        pipeline_id: Set(stage.pipeline_id),
        stage_id: Set(stage.id),
        owner_id: Set(owner_id),
        amount: Set(amount),
        currency: Set(new.currency),
        amount_base: Set(amount_base),
        expected_close_date: Set(new.expected_close_date),
        status: Set(kind.as_str().to_owned()),
        close_reason: Set(if closed { new.reason } else { None }),
        closed_at: Set(closed.then_some(now)),
        stage_entered_at: Set(now),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await?;
    write_contacts(tx, deal_id, new.contacts).await?;
    if !priced.rows.is_empty() {
        deal_line::Entity::insert_many(priced.rows)
            .exec_without_returning(&**tx)
            .await?;
    }
    enter_stage(tx, &[deal_id], &stage, None, now).await?;
    if closed {
        record_close(tx, &deal, kind).await?;
    }
    recompute_rollups(tx, deal.customer_id).await?;
    Ok(deal)
}

/// The stage a new deal starts in.
async fn resolve_stage(
    tx: &TenantTx,
    pipeline_id: Option<Uuid>,
    stage_id: Option<Uuid>,
) -> Result<pipeline_stage::Model> {
    if let Some(stage_id) = stage_id {
        let stage = pipelines::find_stage(tx, stage_id)
            .await?
            .ok_or_else(|| Error::validation("stageId", "is not a stage of this workspace"))?;
        if pipeline_id.is_some_and(|p| p != stage.pipeline_id) {
            return Err(Error::validation(
                "stageId",
                "is not a stage of the given pipeline",
            ));
        }
        return Ok(stage);
    }
    let pipeline = match pipeline_id {
        Some(id) => pipelines::find(tx, id).await?.ok_or_else(|| {
            Error::validation("pipelineId", "is not a pipeline of this workspace")
        })?,
        None => pipelines::default_pipeline(tx).await?,
    };
    pipelines::stages_of(tx, &[pipeline.id])
        .await?
        .remove(&pipeline.id)
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.kind == StageKind::Open.as_str())
        .ok_or_else(|| Error::validation("pipelineId", "the pipeline has no open stage"))
}

/// Opens a stay in `stage` for each of `deals`, closing their current one.
async fn enter_stage(
    tx: &TenantTx,
    deals: &[Uuid],
    stage: &pipeline_stage::Model,
    from: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<()> {
    if from.is_some() {
        deal_stage_history::Entity::update_many()
            .col_expr(deal_stage_history::Column::LeftAt, Expr::value(at))
            .filter(deal_stage_history::Column::TenantId.eq(tx.tenant_id()))
            .filter(deal_stage_history::Column::DealId.is_in(deals.iter().copied()))
            .filter(deal_stage_history::Column::LeftAt.is_null())
            .exec(&**tx)
            .await?;
    }
    let ids: Vec<Uuid> = deals.iter().map(|_| Uuid::now_v7()).collect();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO deal_stage_history (tenant_id, id, deal_id, stage_id, stage_name, from_stage_id, entered_at, moved_by)
         SELECT $1, h.id, h.deal_id, $2, $3, $4, $5, $6 FROM unnest($7::uuid[], $8::uuid[]) AS h (id, deal_id)",
        [
            tx.tenant_id().into(),
            stage.id.into(),
            stage.name.clone().into(),
            from.into(),
            at.into(),
            tx.scope().user_id.into(),
            ids.into(),
            deals.to_vec().into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn record_close(tx: &TenantTx, deal: &deal::Model, kind: StageKind) -> Result<()> {
    let event = if kind == StageKind::Won {
        EventKind::DealWon
    } else {
        EventKind::DealLost
    };
    domain_events::record(
        tx,
        event,
        deal.id,
        json!({
            "dealId": deal.id,
            "customerId": deal.customer_id,
            "stageId": deal.stage_id,
            "amount": deal.amount.normalize().to_string(),
            "currency": deal.currency,
            "reason": deal.close_reason,
        }),
    )
    .await
}

/// Moves a deal to another stage (of its pipeline or another one), if it is
/// still at `version` when one is given. Moving to a `WON` or `LOST` stage
/// closes the deal (a lost deal needs `reason`); moving back to an `OPEN`
/// stage reopens it. The stage history and the outbox record the move.
pub async fn move_deal(
    tx: &TenantTx,
    id: Uuid,
    version: Option<i32>,
    stage_id: Uuid,
    reason: Option<String>,
) -> Result<deal::Model> {
    let current = find_for_update(tx, id).await?;
    if let Some(v) = version {
        if v != current.version {
            return Err(stale(v, current.version));
        }
    }
    let stage = pipelines::find_stage(tx, stage_id)
        .await?
        .ok_or_else(|| Error::validation("stageId", "is not a stage of this workspace"))?;
    if stage.id == current.stage_id {
        return Err(Error::validation(
            "stageId",
            "the deal is already in this stage",
        ));
    }
    let kind = StageKind::parse(&stage.kind)?;
    if kind == StageKind::Lost && reason.is_none() {
        return Err(Error::validation("reason", "a lost deal needs a reason"));
    }
    let now = Utc::now();
    let closed = kind != StageKind::Open;
    let was_closed = current.status != StageKind::Open.as_str();
    let updated = Deals::update_many()
        .col_expr(Column::StageId, Expr::value(stage.id))
        .col_expr(Column::PipelineId, Expr::value(stage.pipeline_id))
        .col_expr(Column::Status, Expr::value(kind.as_str()))
        .col_expr(Column::StageEnteredAt, Expr::value(now))
        .col_expr(
            Column::ClosedAt,
            Expr::value(if closed {
                // A deal moved between closed stages keeps its close time.
                Some(if was_closed {
                    current.closed_at.unwrap_or(now)
                } else {
                    now
                })
            } else {
                None
            }),
        )
        .col_expr(
            Column::CloseReason,
            Expr::value(if closed { reason } else { None }),
        )
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("deal"))?;
    enter_stage(tx, &[id], &stage, Some(current.stage_id), now).await?;
    domain_events::record(
        tx,
        EventKind::DealStageChanged,
        id,
        json!({
            "dealId": id,
            "customerId": updated.customer_id,
            "fromStageId": current.stage_id,
            "toStageId": stage.id,
            "status": kind.as_str(),
        }),
    )
    .await?;
    if closed && !(was_closed && current.status == kind.as_str()) {
        record_close(tx, &updated, kind).await?;
    }
    recompute_rollups(tx, updated.customer_id).await?;
    Ok(updated)
}

/// Moves every deal of stage `from` to stage `to` (same kind), recording
/// the moves; returns how many moved. Used when a stage is deleted.
pub async fn move_all(
    tx: &TenantTx,
    from: &pipeline_stage::Model,
    to: &pipeline_stage::Model,
) -> Result<u64> {
    let now = Utc::now();
    let moved = Deals::update_many()
        .col_expr(Column::StageId, Expr::value(to.id))
        .col_expr(Column::StageEnteredAt, Expr::value(now))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::StageId.eq(from.id))
        .exec_with_returning(&**tx)
        .await?;
    let ids: Vec<Uuid> = moved.iter().map(|d| d.id).collect();
    enter_stage(tx, &ids, to, Some(from.id), now).await?;
    let events: Vec<(Uuid, serde_json::Value)> = moved
        .iter()
        .map(|d| {
            (
                d.id,
                json!({"dealId": d.id, "customerId": d.customer_id, "fromStageId": from.id,
                       "toStageId": to.id, "status": d.status}),
            )
        })
        .collect();
    domain_events::record_many(tx, EventKind::DealStageChanged, &events).await?;
    for d in &moved {
        tx.touch_customer(d.customer_id);
    }
    Ok(moved.len() as u64)
}

/// Changes the given fields of a deal if it is still at `version`. The
/// amount in the base currency is recomputed; given contacts and lines
/// replace the deal's (lines without an amount set the amount to their sum).
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: DealChanges,
) -> Result<deal::Model> {
    let current = find_for_update(tx, id).await?;
    if current.version != version {
        return Err(stale(version, current.version));
    }
    let currency = changes
        .currency
        .clone()
        .unwrap_or_else(|| current.currency.clone());
    let expected = changes
        .expected_close_date
        .unwrap_or(current.expected_close_date);
    if let Some(Some(owner)) = changes.owner_id {
        check_owner(tx, owner).await?;
    }
    if let Some(contacts) = &changes.contacts {
        check_contacts(tx, current.customer_id, contacts).await?;
    }
    let mut amount = changes.amount.unwrap_or(current.amount);
    if let Some(lines) = &changes.lines {
        let priced = price_lines(tx, id, &currency, lines).await?;
        if changes.amount.is_none() {
            amount = priced.total;
        }
        deal_line::Entity::delete_many()
            .filter(deal_line::Column::TenantId.eq(tx.tenant_id()))
            .filter(deal_line::Column::DealId.eq(id))
            .exec(&**tx)
            .await?;
        if !priced.rows.is_empty() {
            deal_line::Entity::insert_many(priced.rows)
                .exec_without_returning(&**tx)
                .await?;
        }
    }
    let amount_base = in_base(tx, amount, &currency, expected).await?;
    let mut update = Deals::update_many()
        .col_expr(Column::Amount, Expr::value(amount))
        .col_expr(Column::Currency, Expr::value(currency))
        .col_expr(Column::AmountBase, Expr::value(amount_base))
        .col_expr(Column::ExpectedCloseDate, Expr::value(expected))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into());
    if let Some(name) = changes.name {
        update = update.col_expr(Column::Name, Expr::value(name));
    }
    if let Some(owner) = changes.owner_id {
        update = update.col_expr(Column::OwnerId, Expr::value(owner));
    }
    let updated = update
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| stale(version, version + 1))?;
    if let Some(contacts) = changes.contacts {
        write_contacts(tx, id, contacts).await?;
    }
    recompute_rollups(tx, updated.customer_id).await?;
    Ok(updated)
}

fn stale(sent: i32, now: i32) -> Error {
    Error::conflict(
        format!("the deal was changed by someone else (you sent version {sent}, it is now at version {now}); reload it and try again"),
        Some("version"),
    )
}

/// The visible deal with `id`, locked for the rest of the transaction.
async fn find_for_update(tx: &TenantTx, id: Uuid) -> Result<deal::Model> {
    use sea_orm::QuerySelect;
    visible(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("deal"))
}

/// Recounts a customer's open deals and their amount in the base currency,
/// and drops its cached view.
pub async fn recompute_rollups(tx: &TenantTx, customer_id: Uuid) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE customers c SET
            open_deal_count = o.n, open_deal_amount = o.amount
           FROM (SELECT count(*) AS n, COALESCE(sum(amount_base), 0) AS amount
                   FROM deals d WHERE d.tenant_id = $1 AND d.customer_id = $2 AND d.status = 'OPEN') o
          WHERE c.tenant_id = $1 AND c.id = $2",
        [tx.tenant_id().into(), customer_id.into()],
    ))
    .await?;
    tx.touch_customer(customer_id);
    Ok(())
}

/// The deals the transaction's member may see: those of visible customers.
fn visible(tx: &TenantTx) -> Select<Deals> {
    super::finder::visible(tx)
}

/// The deal with `id`, if it is visible.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<deal::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// Visible deals by id, in one query.
pub async fn find_many(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, deal::Model>> {
    let rows = visible(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|d| (d.id, d)).collect())
}

/// The contacts of each of `deals`, in one query.
pub async fn contacts_of(
    tx: &TenantTx,
    deals: &[Uuid],
) -> Result<HashMap<Uuid, Vec<deal_contact::Model>>> {
    let rows = deal_contact::Entity::find()
        .filter(deal_contact::Column::TenantId.eq(tx.tenant_id()))
        .filter(deal_contact::Column::DealId.is_in(deals.iter().copied()))
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<deal_contact::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.deal_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The product lines of each of `deals`, in line order, in one query.
pub async fn lines_of(
    tx: &TenantTx,
    deals: &[Uuid],
) -> Result<HashMap<Uuid, Vec<deal_line::Model>>> {
    let rows = deal_line::Entity::find()
        .filter(deal_line::Column::TenantId.eq(tx.tenant_id()))
        .filter(deal_line::Column::DealId.is_in(deals.iter().copied()))
        .order_by_asc(deal_line::Column::DealId)
        .order_by_asc(deal_line::Column::LineNo)
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<deal_line::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.deal_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The stage history of each of `deals`, oldest stay first, in one query.
pub async fn history_of(
    tx: &TenantTx,
    deals: &[Uuid],
) -> Result<HashMap<Uuid, Vec<deal_stage_history::Model>>> {
    let rows = deal_stage_history::Entity::find()
        .filter(deal_stage_history::Column::TenantId.eq(tx.tenant_id()))
        .filter(deal_stage_history::Column::DealId.is_in(deals.iter().copied()))
        .order_by_asc(deal_stage_history::Column::DealId)
        .order_by_asc(deal_stage_history::Column::EnteredAt)
        .order_by_asc(deal_stage_history::Column::Id)
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<deal_stage_history::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.deal_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Stage-history rows by id (the timeline's deal entries).
pub async fn history_by_ids(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, deal_stage_history::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = deal_stage_history::Entity::find()
        .filter(deal_stage_history::Column::TenantId.eq(tx.tenant_id()))
        .filter(deal_stage_history::Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|h| (h.id, h)).collect())
}

/// Conditions on an amount.
pub use super::filter::DecimalFilter;

/// Conditions on a date.
#[derive(Clone, Debug, Default)]
pub struct DateRange {
    pub gte: Option<NaiveDate>,
    pub lte: Option<NaiveDate>,
    pub is_null: Option<bool>,
}

impl DateRange {
    fn condition(&self, expr: SimpleExpr) -> sea_orm::Condition {
        let mut all = sea_orm::Condition::all();
        if let Some(v) = self.gte {
            all = all.add(Expr::expr(expr.clone()).gte(v));
        }
        if let Some(v) = self.lte {
            all = all.add(Expr::expr(expr.clone()).lte(v));
        }
        match self.is_null {
            Some(true) => all = all.add(Expr::expr(expr).is_null()),
            Some(false) => all = all.add(Expr::expr(expr).is_not_null()),
            None => {}
        }
        all
    }
}

/// Which deals to list: every given condition must hold, plus the
/// `and`/`or`/`not` combinations.
#[derive(Clone, Debug, Default)]
pub struct DealFilter {
    pub name: Option<TextFilter>,
    pub status: Option<EnumFilter>,
    pub currency: Option<TextFilter>,
    pub customer_ids: Option<Vec<Uuid>>,
    pub owner_ids: Option<Vec<Uuid>>,
    pub pipeline_ids: Option<Vec<Uuid>>,
    pub stage_ids: Option<Vec<Uuid>>,
    /// On the amount in the deal's own currency.
    pub amount: Option<DecimalFilter>,
    /// On the amount in the base currency.
    pub amount_in_base_currency: Option<DecimalFilter>,
    pub expected_close_date: Option<DateRange>,
    pub created_at: Option<TimeFilter>,
    pub closed_at: Option<TimeFilter>,
    pub and: Vec<DealFilter>,
    pub or: Vec<DealFilter>,
    pub not: Option<Box<DealFilter>>,
}

impl DealFilter {
    /// Checks nesting, size and list lengths.
    pub fn validate(&self) -> Result<()> {
        self.validate_at(0, &mut FilterBudget::default())
    }

    fn validate_at(&self, depth: usize, budget: &mut FilterBudget) -> Result<()> {
        for (f, field) in [
            (&self.name, "filter.name"),
            (&self.currency, "filter.currency"),
        ] {
            if let Some(f) = f {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        if let Some(f) = &self.status {
            budget.spend(depth)?;
            f.validate("filter.status")?;
        }
        for (ids, field) in [
            (&self.customer_ids, "filter.customerId"),
            (&self.owner_ids, "filter.ownerId"),
            (&self.pipeline_ids, "filter.pipelineId"),
            (&self.stage_ids, "filter.stageId"),
        ] {
            budget.spend_ids(depth, ids, field)?;
        }
        for present in [
            self.amount.is_some(),
            self.amount_in_base_currency.is_some(),
            self.expected_close_date.is_some(),
            self.created_at.is_some(),
            self.closed_at.is_some(),
        ] {
            if present {
                budget.spend(depth)?;
            }
        }
        super::filter::validate_nested(
            (&self.and, &self.or, self.not.as_deref()),
            depth,
            budget,
            Self::validate_at,
        )
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Deals, c)).into() };
        let mut all = sea_orm::Condition::all();
        if let Some(f) = &self.name {
            all = all.add(f.condition(col(Column::Name)));
        }
        if let Some(f) = &self.currency {
            all = all.add(f.condition(col(Column::Currency)));
        }
        if let Some(f) = &self.status {
            all = all.add(f.condition(col(Column::Status)));
        }
        for (ids, column) in [
            (&self.customer_ids, Column::CustomerId),
            (&self.owner_ids, Column::OwnerId),
            (&self.pipeline_ids, Column::PipelineId),
            (&self.stage_ids, Column::StageId),
        ] {
            if let Some(ids) = ids {
                all = all.add(column.is_in(ids.iter().copied()));
            }
        }
        if let Some(f) = &self.amount {
            all = all.add(f.condition(col(Column::Amount)));
        }
        if let Some(f) = &self.amount_in_base_currency {
            all = all.add(f.condition(col(Column::AmountBase)));
        }
        if let Some(f) = &self.expected_close_date {
            all = all.add(f.condition(col(Column::ExpectedCloseDate)));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(col(Column::CreatedAt)));
        }
        if let Some(f) = &self.closed_at {
            all = all.add(f.condition(col(Column::ClosedAt)));
        }
        all.add(super::filter::nested_condition(
            (&self.and, &self.or, self.not.as_deref()),
            Self::condition,
        ))
    }
}

/// What deals can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DealSortField {
    CreatedAt,
    Name,
    /// Deals without a date sort last (ascending).
    ExpectedCloseDate,
    /// In the base currency.
    Amount,
}

/// One key of a deal order.
#[derive(Clone, Copy, Debug)]
pub struct DealSort {
    pub field: DealSortField,
    pub descending: bool,
}

/// Stands for "no date" when sorting by expected close date.
fn no_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid constant")
}

fn sort_keys(order: &[DealSort]) -> Result<Vec<SortKey>> {
    if order.len() > 3 {
        return Err(Error::validation("orderBy", "at most 3 sort keys"));
    }
    let mut keys: Vec<SortKey> = Vec::new();
    let default = [DealSort {
        field: DealSortField::CreatedAt,
        descending: true,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    for o in order {
        let key = match o.field {
            DealSortField::CreatedAt => SortKey {
                name: "createdAt",
                expr: Expr::col((Deals, Column::CreatedAt)).into(),
                kind: SortKind::Time,
                descending: o.descending,
                case_insensitive: false,
                value_cast: None,
            },
            DealSortField::Name => SortKey {
                name: "name",
                expr: Expr::col((Deals, Column::Name)).into(),
                kind: SortKind::Text,
                descending: o.descending,
                case_insensitive: true,
                value_cast: None,
            },
            DealSortField::ExpectedCloseDate => SortKey {
                name: "expectedCloseDate",
                expr: Func::coalesce([
                    Expr::col((Deals, Column::ExpectedCloseDate)).into(),
                    Expr::val(no_date()).cast_as(sea_orm::sea_query::Alias::new("date")),
                ])
                .into(),
                kind: SortKind::Date,
                descending: o.descending,
                case_insensitive: false,
                value_cast: None,
            },
            DealSortField::Amount => SortKey {
                name: "amount",
                expr: Expr::col((Deals, Column::AmountBase)).into(),
                kind: SortKind::Text,
                descending: o.descending,
                case_insensitive: false,
                value_cast: Some("numeric"),
            },
        };
        if keys.iter().any(|k| k.name == key.name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{}` is given twice", key.name),
            ));
        }
        keys.push(key);
    }
    let descending = keys[0].descending;
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Deals, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &deal::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|k| match k.name {
            "createdAt" => SortValue::Time(row.created_at),
            "name" => SortValue::Text(row.name.clone()),
            "expectedCloseDate" => SortValue::Date(row.expected_close_date.unwrap_or_else(no_date)),
            "amount" => SortValue::Text(row.amount_base.normalize().to_string()),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// One page of visible deals matching `filter`.
pub async fn list(
    tx: &TenantTx,
    filter: &DealFilter,
    order: &[DealSort],
    page: &PageRequest,
) -> Result<Page<deal::Model>> {
    filter.validate()?;
    let keys = sort_keys(order)?;
    let select = visible(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many visible deals match `filter`.
pub async fn count(tx: &TenantTx, filter: &DealFilter) -> Result<u64> {
    filter.validate()?;
    Ok(visible(tx).filter(filter.condition()).count(&**tx).await?)
}

/// The cursor of a deal in a customer's list (newest first).
pub fn cursor_of(row: &deal::Model) -> String {
    let keys = sort_keys(&[]).expect("the default order is valid");
    super::pagination::cursor(&keys, sort_values(&keys, row))
}

/// The newest `limit + 1` deals (only open ones when `open_only`) of each
/// of `customers`, in one query.
pub async fn latest_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
    open_only: bool,
) -> Result<HashMap<Uuid, Vec<deal::Model>>> {
    let visible_customers = super::customers::find_many(tx, customers).await?;
    let ids: Vec<Uuid> = visible_customers.into_keys().collect();
    let rows = deal::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT latest.*
           FROM unnest($2::uuid[]) AS c (id)
           CROSS JOIN LATERAL (
                 SELECT d.* FROM deals d
                  WHERE d.tenant_id = $1 AND d.customer_id = c.id AND (NOT $4 OR d.status = 'OPEN')
                  ORDER BY d.created_at DESC, d.id DESC
                  LIMIT $3) latest",
        [
            tx.tenant_id().into(),
            ids.into(),
            ((limit + 1) as i64).into(),
            open_only.into(),
        ],
    ))
    .all(&**tx)
    .await?;
    let mut grouped: HashMap<Uuid, Vec<deal::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.customer_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Checks that a deal is visible and belongs to `customer_id` (interactions
/// linked to a deal).
pub async fn check_of_customer(tx: &TenantTx, deal_id: Uuid, customer_id: Uuid) -> Result<()> {
    match find(tx, deal_id).await? {
        Some(d) if d.customer_id == customer_id => Ok(()),
        _ => Err(Error::validation(
            "dealId",
            "is not a deal of this customer",
        )),
    }
}
