//! Interactions: every call, email, meeting, note, task, chat, fax, visit or
//! message with a customer, newest first. Tasks carry a due date and are
//! completed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Set, Statement};
use uuid::Uuid;

use entity::interaction::{self, Column, Entity as Interactions};

use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::{contacts, customers, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest subject, and longest body.
pub const MAX_SUBJECT_CHARS: usize = 300;
pub const MAX_BODY_CHARS: usize = 100_000;

/// What kind of contact it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InteractionKind {
    Call,
    Email,
    Meeting,
    Note,
    Task,
    Chat,
    Fax,
    Visit,
    Sms,
}

impl InteractionKind {
    const ALL: [InteractionKind; 9] = [
        InteractionKind::Call,
        InteractionKind::Email,
        InteractionKind::Meeting,
        InteractionKind::Note,
        InteractionKind::Task,
        InteractionKind::Chat,
        InteractionKind::Fax,
        InteractionKind::Visit,
        InteractionKind::Sms,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Call => "CALL",
            InteractionKind::Email => "EMAIL",
            InteractionKind::Meeting => "MEETING",
            InteractionKind::Note => "NOTE",
            InteractionKind::Task => "TASK",
            InteractionKind::Chat => "CHAT",
            InteractionKind::Fax => "FAX",
            InteractionKind::Visit => "VISIT",
            InteractionKind::Sms => "SMS",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<InteractionKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }
}

/// Who started it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
    Internal,
}

impl Direction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "INBOUND",
            Direction::Outbound => "OUTBOUND",
            Direction::Internal => "INTERNAL",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<Direction> {
        [Direction::Inbound, Direction::Outbound, Direction::Internal]
            .into_iter()
            .find(|d| d.as_str() == stored)
    }
}

/// A validated interaction to log.
#[derive(Clone, Debug)]
pub struct NewInteraction {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    /// A deal of the same customer the interaction is about.
    pub deal_id: Option<Uuid>,
    /// A case of the same customer the interaction is about.
    pub case_id: Option<Uuid>,
    pub kind: InteractionKind,
    pub direction: Direction,
    pub channel: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub duration_seconds: Option<i32>,
    pub due_at: Option<DateTime<Utc>>,
}

/// A subject line.
pub fn subject(raw: &str) -> Result<Option<String>> {
    values::optional_text("subject", raw, MAX_SUBJECT_CHARS)
}

/// A body of free text (line breaks kept).
pub fn body(raw: &str) -> Result<Option<String>> {
    values::optional_text("body", raw, MAX_BODY_CHARS)
}

/// A duration in seconds: not negative, at most a day.
pub fn duration(seconds: i32) -> Result<i32> {
    if (0..=86_400).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(Error::validation(
            "durationSeconds",
            "must be between 0 and 86400",
        ))
    }
}

/// Logs an interaction with a customer (and optionally one of its contacts).
pub async fn log(tx: &TenantTx, new: NewInteraction) -> Result<interaction::Model> {
    let by = tx.scope().user_id;
    log_by(tx, new, by).await
}

/// Logs an interaction as `logged_by` rather than the acting member: a
/// task made for someone else (a campaign's call list for an owner).
pub async fn log_by(
    tx: &TenantTx,
    new: NewInteraction,
    logged_by: Option<Uuid>,
) -> Result<interaction::Model> {
    if customers::find(tx, new.customer_id).await?.is_none() {
        return Err(Error::validation(
            "customerId",
            "is not a customer of this workspace",
        ));
    }
    if let Some(contact_id) = new.contact_id {
        let contact = contacts::find(tx, contact_id).await?;
        if contact.is_none_or(|c| c.customer_id != new.customer_id) {
            return Err(Error::validation(
                "contactId",
                "is not a contact of this customer",
            ));
        }
    }
    if let Some(deal_id) = new.deal_id {
        super::deals::check_of_customer(tx, deal_id, new.customer_id).await?;
    }
    if new.due_at.is_some() && new.kind != InteractionKind::Task {
        return Err(Error::validation("dueAt", "only tasks have a due date"));
    }
    if let Some(case_id) = new.case_id {
        super::cases::on_interaction(tx, case_id, new.customer_id, new.direction, new.occurred_at)
            .await?;
    }
    customers::adjust_rollups(
        tx,
        new.customer_id,
        customers::RollupChange::InteractionLogged {
            at: new.occurred_at,
            open_task: new.kind == InteractionKind::Task,
        },
    )
    .await?;
    tx.touch_customer(new.customer_id);
    let logged = Interactions::insert(interaction::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        customer_id: Set(new.customer_id),
        contact_id: Set(new.contact_id),
        kind: Set(new.kind.as_str().to_owned()),
        direction: Set(new.direction.as_str().to_owned()),
        channel: Set(new.channel),
        subject: Set(new.subject),
        body: Set(new.body),
        occurred_at: Set(new.occurred_at),
        duration_seconds: Set(new.duration_seconds),
        due_at: Set(new.due_at),
        completed_at: Set(None),
        logged_by: Set(logged_by),
        created_at: Set(Utc::now()),
        deal_id: Set(new.deal_id),
        case_id: Set(new.case_id),
    })
    .exec_with_returning(&**tx)
    .await?;
    super::domain_events::record(
        tx,
        super::domain_events::EventKind::InteractionLogged,
        logged.id,
        serde_json::json!({
            "interactionId": logged.id,
            "customerId": logged.customer_id,
            "kind": logged.kind,
            "direction": logged.direction,
            "occurredAt": logged.occurred_at,
            "dealId": logged.deal_id,
            "caseId": logged.case_id,
        }),
    )
    .await?;
    Ok(logged)
}

/// Marks a task done (once).
pub async fn complete_task(tx: &TenantTx, id: Uuid) -> Result<interaction::Model> {
    let done = Interactions::update_many()
        .col_expr(Column::CompletedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Kind.eq(InteractionKind::Task.as_str()))
        .filter(Column::CompletedAt.is_null())
        .filter(customers::of_visible_customer(tx, Column::CustomerId))
        .exec_with_returning(&**tx)
        .await?;
    if let Some(task) = done.into_iter().next() {
        customers::adjust_rollups(tx, task.customer_id, customers::RollupChange::TaskCompleted)
            .await?;
        tx.touch_customer(task.customer_id);
        return Ok(task);
    }
    let existing = super::finder::visible::<Interactions>(tx)
        .filter(Column::Id.eq(id))
        .one(&**tx)
        .await?;
    match existing {
        None => Err(Error::NotFound("interaction")),
        Some(i) if i.kind != InteractionKind::Task.as_str() => {
            Err(Error::validation("id", "is not a task"))
        }
        Some(_) => Err(Error::conflict("the task is already completed", Some("id"))),
    }
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "occurredAt",
            expr: Expr::col((Interactions, Column::OccurredAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Interactions, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// The cursor an interaction has in a customer's list.
pub fn cursor_of(row: &interaction::Model) -> String {
    super::pagination::cursor(
        &sort_keys(),
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)],
    )
}

/// One page of a customer's interactions, newest first.
pub async fn of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    let select =
        super::finder::visible::<Interactions>(tx).filter(Column::CustomerId.eq(customer_id));
    fetch_page(tx, select, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// One page of a case's interactions, newest first.
pub async fn of_case(
    tx: &TenantTx,
    case_id: Uuid,
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    let select = super::finder::visible::<Interactions>(tx).filter(Column::CaseId.eq(case_id));
    fetch_page(tx, select, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// One page of a deal's interactions, newest first.
pub async fn of_deal(
    tx: &TenantTx,
    deal_id: Uuid,
    page: &PageRequest,
) -> Result<Page<interaction::Model>> {
    let select = super::finder::visible::<Interactions>(tx).filter(Column::DealId.eq(deal_id));
    fetch_page(tx, select, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.occurred_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// The newest `limit + 1` interactions of each of `customers`, in one query.
pub async fn latest_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
) -> Result<HashMap<Uuid, Vec<interaction::Model>>> {
    let rows = interaction::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT tenant_id, id, customer_id, contact_id, kind, direction, channel, subject, body, occurred_at,
                duration_seconds, due_at, completed_at, logged_by, created_at, deal_id, case_id
           FROM (SELECT i.*, row_number() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC, id DESC) AS n
                   FROM interactions i
                  WHERE tenant_id = $1 AND customer_id = ANY($2)) ranked
          WHERE n <= $3
          ORDER BY customer_id, occurred_at DESC, id DESC",
        [tx.tenant_id().into(), customers.to_vec().into(), ((limit + 1) as i64).into()],
    ))
    .all(&**tx)
    .await?;
    let mut grouped: HashMap<Uuid, Vec<interaction::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.customer_id).or_default().push(row);
    }
    Ok(grouped)
}
