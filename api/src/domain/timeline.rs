//! A customer's timeline: one list, newest first, of everything that happened
//! with the customer, whatever table it is kept in.
//!
//! Entries come from several sources, merged by one `UNION ALL` query:
//! interactions (`interactions`), the customer's creation (`customers`), and
//! the system events of its field history (`customer_changes`: lifecycle
//! stage and owner changes, deletes and restores), and the stage history of
//! the customer's deals (`deal_stage_history`), its orders (`orders`) and
//! the customers merged into it (`customer_merges`), and the openings and
//! status changes of its cases (`case_events`). Every source is read in
//! the timeline's order, `(at DESC, id DESC)`, from an index, and cut at the
//! page size before merging, so a page costs the same at any depth. A new
//! source (deals, orders, cases, merges) is one more branch of the union and
//! one more [`TimelineKind`].
//!
//! Pages are keyset-paginated on `(at, id)`: the row comparison
//! `(at, id) < (cursor.at, cursor.id)` makes every entry appear exactly once
//! across pages, even when many share a timestamp.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult, QueryFilter, Statement};
use uuid::Uuid;

use entity::{customer_change, deal_stage_history, interaction};

use super::customer_history::{self, ChangeAction};
use super::pagination::{self, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// What a timeline entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineKind {
    /// A call, email, meeting, note, task, … was logged.
    Interaction,
    /// The customer was created.
    CustomerCreated,
    /// The lifecycle stage changed.
    LifecycleStageChanged,
    /// The owner changed (or was set or cleared).
    OwnerChanged,
    /// The customer was deleted.
    CustomerDeleted,
    /// The deleted customer was restored.
    CustomerRestored,
    /// A deal was created (in its first stage).
    DealCreated,
    /// A deal moved to another open stage.
    DealStageChanged,
    /// A deal moved to a won stage.
    DealWon,
    /// A deal moved to a lost stage.
    DealLost,
    /// An order was placed (at its order time).
    OrderPlaced,
    /// Another customer was merged into this one.
    CustomerMerged,
    /// A case was opened.
    CaseOpened,
    /// A case moved between new, open and pending.
    CaseStatusChanged,
    /// A case was resolved.
    CaseResolved,
    /// A case was closed.
    CaseClosed,
    /// A resolved case was reopened.
    CaseReopened,
}

impl TimelineKind {
    /// The timeline kind of a history row, if the timeline shows such changes.
    fn of_change(action: ChangeAction, field: &str) -> Option<TimelineKind> {
        match (action, field) {
            (ChangeAction::Delete, _) => Some(TimelineKind::CustomerDeleted),
            (ChangeAction::Restore, _) => Some(TimelineKind::CustomerRestored),
            (ChangeAction::Update, "lifecycleStage") => Some(TimelineKind::LifecycleStageChanged),
            (ChangeAction::Update, "ownerId") => Some(TimelineKind::OwnerChanged),
            _ => None,
        }
    }
}

/// The record an entry stands for.
#[derive(Clone, Debug)]
pub enum TimelineEvent {
    /// A logged interaction.
    Interaction(interaction::Model),
    /// The customer's creation (its initial values are in its history).
    CustomerCreated,
    /// A change from the customer's field history.
    Change(customer_change::Model),
    /// A deal entering a stage (its creation, a move, a win or a loss).
    DealStage(deal_stage_history::Model),
    /// An order of the customer.
    Order(entity::order::Model),
    /// An entry of a case's history (its opening or a status change).
    Case(entity::case_event::Model),
    /// A customer merged into this one, with its name when merged.
    Merge {
        merged_id: Uuid,
        merged_name: Option<String>,
    },
}

/// One entry of a customer's timeline.
#[derive(Clone, Debug)]
pub struct TimelineEntry {
    /// The id of the record the entry stands for (interaction, change, or
    /// the customer itself for its creation).
    pub id: Uuid,
    pub customer_id: Uuid,
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    /// The member who logged or changed it.
    pub actor: Option<Uuid>,
    pub event: TimelineEvent,
}

fn sort_keys() -> [SortKey; 2] {
    // The expressions are not used: the timeline builds its own SQL. The keys
    // give the cursor its signature and value types.
    [
        SortKey {
            name: "at",
            expr: Expr::cust("at"),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::cust("id"),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// The cursor of an entry.
pub fn cursor_of(entry: &TimelineEntry) -> String {
    pagination::cursor(
        &sort_keys(),
        vec![SortValue::Time(entry.at), SortValue::Uuid(entry.id)],
    )
}

/// Where a page starts: strictly after this `(at, id)`.
fn position(page: &PageRequest) -> Result<Option<(DateTime<Utc>, Uuid)>> {
    let Some(cursor) = page.cursor.as_deref() else {
        return Ok(None);
    };
    match pagination::cursor_values(&sort_keys(), page.cursor_field, cursor)?.as_slice() {
        [SortValue::Time(at), SortValue::Uuid(id)] => Ok(Some((*at, *id))),
        _ => Err(Error::validation(
            page.cursor_field,
            "is not a cursor of this list and order",
        )),
    }
}

/// One merged row: which source, which record, when, by whom.
#[derive(FromQueryResult)]
struct Row {
    customer_id: Uuid,
    source: String,
    id: Uuid,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
}

/// Each source in timeline order after the cursor (if `after_cursor`), cut
/// at the limit, merged, cut again; for many customers at once (`LATERAL`).
/// Parameters: tenant, customer ids, limit, then the cursor's `at` and `id`.
///
/// The cursor condition is a row comparison on plain parameters, which
/// PostgreSQL turns into an index bound; without a cursor it is left out
/// rather than replaced by a sentinel or a `COALESCE`, which would make it a
/// filter over every newer row. The history branch's condition is the
/// predicate of the partial index `customer_changes_timeline_idx`
/// (migration 0005), verbatim, so that index serves it.
fn timeline_sql(after_cursor: bool) -> String {
    let after = |at: &str, id: &str| {
        if after_cursor {
            format!("AND ({at}, {id}) < ($4, $5)")
        } else {
            String::new()
        }
    };
    format!(
        "
SELECT c.customer_id, t.source, t.id, t.at, t.actor
  FROM unnest($2::uuid[]) AS c (customer_id)
 CROSS JOIN LATERAL (
        (SELECT 'INTERACTION' AS source, i.id, i.occurred_at AS at, i.logged_by AS actor
           FROM interactions i
          WHERE i.tenant_id = $1 AND i.customer_id = c.customer_id
            {interactions_after}
          ORDER BY i.occurred_at DESC, i.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'CHANGE', ch.id, ch.changed_at, ch.changed_by
           FROM customer_changes ch
          WHERE ch.tenant_id = $1 AND ch.customer_id = c.customer_id
            AND (ch.action IN ('DELETE', 'RESTORE')
                 OR (ch.action = 'UPDATE' AND ch.field IN ('lifecycleStage', 'ownerId')))
            {changes_after}
          ORDER BY ch.changed_at DESC, ch.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'DEAL', h.id, h.entered_at, h.moved_by
           FROM deals d
           JOIN deal_stage_history h ON h.tenant_id = d.tenant_id AND h.deal_id = d.id
          WHERE d.tenant_id = $1 AND d.customer_id = c.customer_id
            {deals_after}
          ORDER BY h.entered_at DESC, h.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'ORDER', o.id, o.ordered_at, o.created_by
           FROM orders o
          WHERE o.tenant_id = $1 AND o.customer_id = c.customer_id
            {orders_after}
          ORDER BY o.ordered_at DESC, o.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'MERGE', m.id, m.merged_at, m.merged_by
           FROM customer_merges m
          WHERE m.tenant_id = $1 AND m.survivor_id = c.customer_id
            {merges_after}
          ORDER BY m.merged_at DESC, m.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'CASE', e.id, e.at, e.actor
           FROM cases k
           JOIN case_events e ON e.tenant_id = k.tenant_id AND e.case_id = k.id
          WHERE k.tenant_id = $1 AND k.customer_id = c.customer_id
            AND e.kind IN ('OPENED', 'STATUS_CHANGED')
            {cases_after}
          ORDER BY e.at DESC, e.id DESC
          LIMIT $3)
        UNION ALL
        (SELECT 'CREATED', cu.id, cu.created_at, cu.created_by
           FROM customers cu
          WHERE cu.tenant_id = $1 AND cu.id = c.customer_id
            {created_after})
        ORDER BY at DESC, id DESC
        LIMIT $3
       ) t
 ORDER BY c.customer_id, t.at DESC, t.id DESC",
        interactions_after = after("i.occurred_at", "i.id"),
        changes_after = after("ch.changed_at", "ch.id"),
        deals_after = after("h.entered_at", "h.id"),
        orders_after = after("o.ordered_at", "o.id"),
        merges_after = after("m.merged_at", "m.id"),
        cases_after = after("e.at", "e.id"),
        created_after = after("cu.created_at", "cu.id"),
    )
}

/// Up to `limit` entries of each of `customers`, newest first, after
/// `position` (none: from the newest).
async fn load(
    tx: &TenantTx,
    customers: &[Uuid],
    position: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<HashMap<Uuid, Vec<TimelineEntry>>> {
    let mut values: Vec<sea_orm::Value> = vec![
        tx.tenant_id().into(),
        customers.to_vec().into(),
        (limit as i64).into(),
    ];
    if let Some((at, id)) = position {
        values.extend([at.into(), id.into()]);
    }
    let rows = Row::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        timeline_sql(position.is_some()),
        values,
    ))
    .all(&**tx)
    .await?;

    let ids_of = |source: &str| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.source == source)
            .map(|r| r.id)
            .collect()
    };
    let interaction_ids = ids_of("INTERACTION");
    let mut interactions: HashMap<Uuid, interaction::Model> = if interaction_ids.is_empty() {
        HashMap::new()
    } else {
        super::finder::visible::<interaction::Entity>(tx)
            .filter(interaction::Column::Id.is_in(interaction_ids))
            .all(&**tx)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect()
    };
    let mut changes: HashMap<Uuid, customer_change::Model> =
        customer_history::by_ids(tx, &ids_of("CHANGE"))
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();

    let mut visits = super::deals::history_by_ids(tx, &ids_of("DEAL")).await?;
    let stage_ids: Vec<Uuid> = visits.values().map(|v| v.stage_id).collect();
    let stages = super::pipelines::find_stages(tx, &stage_ids).await?;

    let order_ids = ids_of("ORDER");
    let mut orders: HashMap<Uuid, entity::order::Model> = if order_ids.is_empty() {
        HashMap::new()
    } else {
        super::finder::visible::<entity::order::Entity>(tx)
            .filter(entity::order::Column::Id.is_in(order_ids))
            .all(&**tx)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect()
    };
    let mut merges = merges_by_ids(tx, &ids_of("MERGE")).await?;
    let mut case_events = super::cases::events_by_ids(tx, &ids_of("CASE")).await?;

    let mut timelines: HashMap<Uuid, Vec<TimelineEntry>> = HashMap::new();
    for row in rows {
        let missing = || Error::internal(MissingTimelineRecord(row.source.clone(), row.id));
        let (kind, event) = match row.source.as_str() {
            "INTERACTION" => {
                let found = interactions.remove(&row.id).ok_or_else(missing)?;
                (TimelineKind::Interaction, TimelineEvent::Interaction(found))
            }
            "CHANGE" => {
                let found = changes.remove(&row.id).ok_or_else(missing)?;
                let action = ChangeAction::parse(&found.action)?;
                let kind = TimelineKind::of_change(action, &found.field).ok_or_else(missing)?;
                (kind, TimelineEvent::Change(found))
            }
            "DEAL" => {
                let found = visits.remove(&row.id).ok_or_else(missing)?;
                let kind = match (
                    found.from_stage_id,
                    stages.get(&found.stage_id).map(|s| s.kind.as_str()),
                ) {
                    (None, _) => TimelineKind::DealCreated,
                    (Some(_), Some("WON")) => TimelineKind::DealWon,
                    (Some(_), Some("LOST")) => TimelineKind::DealLost,
                    (Some(_), _) => TimelineKind::DealStageChanged,
                };
                (kind, TimelineEvent::DealStage(found))
            }
            "ORDER" => {
                let found = orders.remove(&row.id).ok_or_else(missing)?;
                (TimelineKind::OrderPlaced, TimelineEvent::Order(found))
            }
            "MERGE" => {
                let (merged_id, merged_name) = merges.remove(&row.id).ok_or_else(missing)?;
                (
                    TimelineKind::CustomerMerged,
                    TimelineEvent::Merge {
                        merged_id,
                        merged_name,
                    },
                )
            }
            "CASE" => {
                let found = case_events.remove(&row.id).ok_or_else(missing)?;
                let kind = match (
                    found.kind.as_str(),
                    found.from_value.as_deref(),
                    found.to_value.as_deref(),
                ) {
                    ("OPENED", _, _) => TimelineKind::CaseOpened,
                    (_, _, Some("RESOLVED")) => TimelineKind::CaseResolved,
                    (_, _, Some("CLOSED")) => TimelineKind::CaseClosed,
                    (_, Some("RESOLVED"), _) => TimelineKind::CaseReopened,
                    _ => TimelineKind::CaseStatusChanged,
                };
                (kind, TimelineEvent::Case(found))
            }
            "CREATED" => (
                TimelineKind::CustomerCreated,
                TimelineEvent::CustomerCreated,
            ),
            _ => return Err(missing()),
        };
        timelines
            .entry(row.customer_id)
            .or_default()
            .push(TimelineEntry {
                id: row.id,
                customer_id: row.customer_id,
                at: row.at,
                kind,
                actor: row.actor,
                event,
            });
    }
    Ok(timelines)
}

/// The merged customer and its name (as it was when merged) of each merge.
async fn merges_by_ids(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (Uuid, Option<String>)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, merged_id, snapshot->>'name' AS merged_name
               FROM customer_merges WHERE tenant_id = $1 AND id = ANY($2)",
            [tx.tenant_id().into(), ids.to_vec().into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<Uuid>("", "id")?,
                (
                    row.try_get::<Uuid>("", "merged_id")?,
                    row.try_get::<Option<String>>("", "merged_name")?,
                ),
            ))
        })
        .collect()
}

/// The newest `limit + 1` entries of each of `customers`, in one round of
/// queries (the extra entry tells whether there is a next page).
pub async fn first_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
) -> Result<HashMap<Uuid, Vec<TimelineEntry>>> {
    load(tx, customers, None, limit + 1).await
}

/// One page of a customer's timeline, newest first. Only forward paging
/// (`first`/`after`) is offered.
pub async fn of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    page: &PageRequest,
) -> Result<Page<TimelineEntry>> {
    if page.backward {
        return Err(Error::validation(
            page.cursor_field,
            "the timeline pages forward only: use `first` and `after`",
        ));
    }
    let position = position(page)?;
    let mut entries = load(tx, &[customer_id], position, page.limit + 1)
        .await?
        .remove(&customer_id)
        .unwrap_or_default();
    let more = entries.len() as u64 > page.limit;
    entries.truncate(page.limit as usize);
    Ok(Page {
        rows: entries.into_iter().map(|e| (cursor_of(&e), e)).collect(),
        has_next_page: more,
        // The cursor's own entry lies before this page.
        has_previous_page: position.is_some(),
    })
}

/// A merged row whose record could not be read back (an inconsistency).
#[derive(Debug, thiserror::Error)]
#[error("timeline row {0} {1} has no readable record")]
struct MissingTimelineRecord(String, Uuid);

#[cfg(test)]
mod tests {
    use super::*;

    /// The history rows the query selects, as the partial index predicate.
    const PREDICATE: &str = "action IN ('DELETE', 'RESTORE')
       OR (action = 'UPDATE' AND field IN ('lifecycleStage', 'ownerId'))";

    #[test]
    fn the_query_selects_exactly_the_changes_the_timeline_shows_and_the_index_holds() {
        let migration = include_str!("../../../migration/src/sql/0005_history_up.sql");
        assert!(migration.contains(&format!("WHERE {PREDICATE}")));
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        for sql in [timeline_sql(false), timeline_sql(true)] {
            assert!(squash(&sql).contains(&squash(
                &PREDICATE
                    .replace("action", "ch.action")
                    .replace("field", "ch.field")
            )));
        }
        for action in ChangeAction::ALL {
            for field in customer_history::FIELDS {
                let shown = matches!(action, ChangeAction::Delete | ChangeAction::Restore)
                    || (action == ChangeAction::Update
                        && ["lifecycleStage", "ownerId"].contains(&field));
                assert_eq!(
                    TimelineKind::of_change(action, field).is_some(),
                    shown,
                    "{action:?} {field}"
                );
            }
        }
    }

    #[test]
    fn the_cursor_condition_is_there_only_after_a_cursor() {
        assert!(!timeline_sql(false).contains("$4"));
        // Every source of the union is cut at the cursor.
        let sql = timeline_sql(true);
        assert_eq!(
            sql.matches("< ($4, $5)").count(),
            sql.matches("UNION ALL").count() + 1
        );
        assert_eq!(sql.matches("UNION ALL").count(), 6);
    }
}
