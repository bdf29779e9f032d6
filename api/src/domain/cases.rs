//! Service cases: a customer's inquiries, complaints, suggestions, requests
//! and problems, numbered per workspace, assigned to an agent and handled
//! against the service levels of their priority (first response, then
//! resolution), rated by the customer once resolved.
//!
//! A case is visible exactly when its customer is. Every change of status,
//! priority or assignee and every rating is kept in the case's history
//! (`case_events`); openings and status changes also reach the customer's
//! timeline and the outbox. Replies logged as interactions about the case
//! count as its first response and move it along (see [`on_interaction`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, Statement,
};
use serde_json::json;
use uuid::Uuid;

use entity::case::{self, Column, Entity as Cases};
use entity::case_event;

use super::domain_events::{self, EventKind};
use super::filter::{EnumFilter, FilterBudget, TextFilter, TimeFilter};
use super::interactions::Direction;
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::service_levels;
use super::{contacts, customers, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest subject, description, resolution and rating comment.
pub const MAX_SUBJECT_CHARS: usize = 300;
pub const MAX_TEXT_CHARS: usize = 100_000;

/// Stored enumerations of this module: each has `ALL`, `as_str` and `parse`.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $stored:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: [$name; [$($stored),+].len()] = [$($name::$variant),+];

            /// The stored (and API) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored),+
                }
            }

            /// Parses a stored name.
            pub fn parse(stored: &str) -> Result<$name> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == stored)
                    .ok_or_else(|| Error::internal(UnknownValue(stored.to_owned())))
            }
        }
    };
}

stored_enum!(
    /// What the customer came with.
    CaseKind {
        Inquiry => "INQUIRY",
        Complaint => "COMPLAINT",
        Suggestion => "SUGGESTION",
        Request => "REQUEST",
        Problem => "PROBLEM",
    }
);

stored_enum!(
    /// Where a case stands. `PENDING` waits on the customer; `RESOLVED`
    /// may be reopened, `CLOSED` is final.
    CaseStatus {
        New => "NEW",
        Open => "OPEN",
        Pending => "PENDING",
        Resolved => "RESOLVED",
        Closed => "CLOSED",
    }
);

stored_enum!(
    /// How urgent a case is, least urgent first; it picks the service level.
    CasePriority {
        Low => "LOW",
        Normal => "NORMAL",
        High => "HIGH",
        Urgent => "URGENT",
    }
);

stored_enum!(
    /// How the customer reached the workspace.
    CaseChannel {
        Phone => "PHONE",
        Email => "EMAIL",
        Web => "WEB",
        Chat => "CHAT",
        Fax => "FAX",
        InPerson => "IN_PERSON",
        Social => "SOCIAL",
        Sms => "SMS",
        Other => "OTHER",
    }
);

stored_enum!(
    /// What a history entry records.
    CaseEventKind {
        Opened => "OPENED",
        StatusChanged => "STATUS_CHANGED",
        PriorityChanged => "PRIORITY_CHANGED",
        Assigned => "ASSIGNED",
        Rated => "RATED",
        SubjectChanged => "SUBJECT_CHANGED",
        DescriptionChanged => "DESCRIPTION_CHANGED",
        KindChanged => "KIND_CHANGED",
        ChannelChanged => "CHANNEL_CHANGED",
        ContactChanged => "CONTACT_CHANGED",
    }
);

impl CaseStatus {
    /// The statuses of a case still being worked on.
    pub const OPEN: [CaseStatus; 3] = [CaseStatus::New, CaseStatus::Open, CaseStatus::Pending];

    /// Whether the case is still being worked on.
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// Whether an agent may move a case from `self` to `to`. `NEW` is only
    /// where cases start; `CLOSED` is final; a resolved case may be
    /// reopened or closed.
    pub fn may_become(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        match (self, to) {
            (_, New) | (Closed, _) => false,
            (from, to) if from == to => false,
            (New | Open | Pending, _) => true,
            (Resolved, Open | Closed) => true,
            (Resolved, _) => false,
        }
    }
}

impl CasePriority {
    /// Its rank, for sorting: 1 (low) to 4 (urgent).
    fn rank(self) -> i64 {
        Self::ALL.iter().position(|p| *p == self).unwrap_or(0) as i64 + 1
    }

    /// SQL ranking the stored priority of `cases`, like [`Self::rank`].
    fn rank_sql() -> String {
        let arms: Vec<String> = Self::ALL
            .into_iter()
            .map(|p| format!("WHEN '{}' THEN {}", p.as_str(), p.rank()))
            .collect();
        format!("(CASE \"cases\".\"priority\" {} END)", arms.join(" "))
    }
}

/// Field rules.
pub mod rules {
    use super::*;

    /// A subject: required, at most [`MAX_SUBJECT_CHARS`].
    pub fn subject(raw: &str) -> Result<String> {
        values::required_text("subject", raw, MAX_SUBJECT_CHARS)
    }

    /// A longer free text (description, resolution, comment); blank is none.
    pub fn text(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, MAX_TEXT_CHARS)
    }

    /// A satisfaction score from 1 (very unhappy) to 5 (very happy).
    pub fn score(raw: i32) -> Result<i16> {
        if (1..=5).contains(&raw) {
            Ok(raw as i16)
        } else {
            Err(Error::validation("score", "must be between 1 and 5"))
        }
    }
}

/// A validated new case.
#[derive(Clone, Debug)]
pub struct NewCase {
    pub customer_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub subject: String,
    pub description: Option<String>,
    pub kind: CaseKind,
    pub priority: CasePriority,
    pub channel: CaseChannel,
    /// The acting member when `None`; `Some(None)` leaves it unassigned.
    pub owner_id: Option<Option<Uuid>>,
}

/// The cases the member may see: those of customers they may see.
fn visible(tx: &TenantTx) -> Select<Cases> {
    super::finder::visible(tx)
}

/// The visible case with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<case::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The visible case with this number.
pub async fn find_by_number(tx: &TenantTx, number: i64) -> Result<Option<case::Model>> {
    Ok(visible(tx)
        .filter(Column::Number.eq(number))
        .one(&**tx)
        .await?)
}

/// Visible cases by id.
pub async fn find_many(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, case::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(visible(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

async fn lock(tx: &TenantTx, id: Uuid, field: &str) -> Result<case::Model> {
    let found = visible(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?;
    match found {
        Some(found) => Ok(found),
        None if field == "id" => Err(Error::NotFound("case")),
        None => Err(Error::validation(field, "is not a case of this workspace")),
    }
}

/// The next case number of the workspace (numbers are never reused; a
/// rolled-back creation leaves no gap since the counter rolls back too).
async fn next_number(tx: &TenantTx) -> Result<i64> {
    let row = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO case_counters (tenant_id, last_number) VALUES ($1, 1)
             ON CONFLICT (tenant_id) DO UPDATE SET last_number = case_counters.last_number + 1
             RETURNING last_number",
            [tx.tenant_id().into()],
        ))
        .await?
        .ok_or_else(|| Error::internal(NoCaseNumber))?;
    Ok(row.try_get("", "last_number")?)
}

/// Checks that `contact_id` is a visible contact of `customer_id`.
async fn check_contact(tx: &TenantTx, contact_id: Uuid, customer_id: Uuid) -> Result<()> {
    match contacts::find(tx, contact_id).await? {
        Some(c) if c.customer_id == customer_id => Ok(()),
        _ => Err(Error::validation(
            "contactId",
            "is not a contact of this customer",
        )),
    }
}

/// Opens a case for a visible customer: numbered, due per the service
/// level of its priority, recorded in its history and the outbox.
pub async fn create(tx: &TenantTx, new: NewCase) -> Result<case::Model> {
    if customers::find(tx, new.customer_id).await?.is_none() {
        return Err(Error::validation(
            "customerId",
            "is not a customer of this workspace",
        ));
    }
    if let Some(contact_id) = new.contact_id {
        check_contact(tx, contact_id, new.customer_id).await?;
    }
    let level = service_levels::of(tx, new.priority).await?;
    let number = next_number(tx).await?;
    let now = Utc::now();
    let created = Cases::insert(case::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        number: Set(number),
        version: Set(1),
        customer_id: Set(new.customer_id),
        contact_id: Set(new.contact_id),
        subject: Set(new.subject),
        description: Set(new.description),
        kind: Set(new.kind.as_str().to_owned()),
        status: Set(CaseStatus::New.as_str().to_owned()),
        priority: Set(new.priority.as_str().to_owned()),
        channel: Set(new.channel.as_str().to_owned()),
        owner_id: Set(new.owner_id.unwrap_or(tx.scope().user_id)),
        first_response_due_at: Set(level.first_response_due(now)),
        resolution_due_at: Set(level.resolution_due(now)),
        first_responded_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        resolution: Set(None),
        satisfaction_score: Set(None),
        satisfaction_comment: Set(None),
        rated_at: Set(None),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(owner_error)?;
    record(
        tx,
        created.id,
        CaseEventKind::Opened,
        None,
        Some(CaseStatus::New.as_str()),
        None,
        now,
    )
    .await?;
    domain_events::record(tx, EventKind::CaseOpened, created.id, payload(&created)).await?;
    tx.touch_customer(created.customer_id);
    Ok(created)
}

/// The outbox payload of a case event.
fn payload(case: &case::Model) -> serde_json::Value {
    json!({
        "caseId": case.id,
        "number": case.number,
        "customerId": case.customer_id,
        "subject": case.subject,
        "kind": case.kind,
        "priority": case.priority,
        "status": case.status,
        "ownerId": case.owner_id,
    })
}

/// Appends one entry to a case's history.
async fn record(
    tx: &TenantTx,
    case_id: Uuid,
    kind: CaseEventKind,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    case_event::Entity::insert(case_event::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        case_id: Set(case_id),
        kind: Set(kind.as_str().to_owned()),
        from_value: Set(from.map(str::to_owned)),
        to_value: Set(to.map(str::to_owned)),
        note: Set(note.map(str::to_owned)),
        actor: Set(tx.scope().user_id),
        at: Set(at),
    })
    .exec_without_returning(&**tx)
    .await?;
    Ok(())
}

/// Changes to a case: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct CaseChanges {
    pub subject: Option<String>,
    pub description: Option<Option<String>>,
    pub kind: Option<CaseKind>,
    pub priority: Option<CasePriority>,
    pub channel: Option<CaseChannel>,
    pub contact_id: Option<Option<Uuid>>,
    pub owner_id: Option<Option<Uuid>>,
}

fn check_version(current: &case::Model, version: i32) -> Result<()> {
    if current.version == version {
        return Ok(());
    }
    Err(Error::conflict(
        format!(
            "the case was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again",
            current.version
        ),
        Some("version"),
    ))
}

fn cases_update(tx: &TenantTx, id: Uuid) -> sea_orm::UpdateMany<Cases> {
    Cases::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
}

async fn write(update: sea_orm::UpdateMany<Cases>, tx: &TenantTx) -> Result<case::Model> {
    update
        .exec_with_returning(&**tx)
        .await
        .map_err(owner_error)?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("case"))
}

/// Changes a visible case that is not closed. A new priority moves the due
/// times to that priority's service level, counted from the opening; a new
/// priority or assignee is kept in the history.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: CaseChanges,
) -> Result<case::Model> {
    let current = lock(tx, id, "id").await?;
    check_version(&current, version)?;
    if CaseStatus::parse(&current.status)? == CaseStatus::Closed {
        return Err(Error::conflict(
            "a closed case cannot be changed; open a new case",
            Some("id"),
        ));
    }
    if let Some(Some(contact_id)) = changes.contact_id {
        check_contact(tx, contact_id, current.customer_id).await?;
    }
    let mut update = cases_update(tx, id);
    if let Some(subject) = changes.subject {
        update = update.col_expr(Column::Subject, Expr::value(subject));
    }
    if let Some(description) = changes.description {
        update = update.col_expr(Column::Description, Expr::value(description));
    }
    if let Some(kind) = changes.kind {
        update = update.col_expr(Column::Kind, Expr::value(kind.as_str()));
    }
    if let Some(channel) = changes.channel {
        update = update.col_expr(Column::Channel, Expr::value(channel.as_str()));
    }
    if let Some(contact_id) = changes.contact_id {
        update = update.col_expr(Column::ContactId, Expr::value(contact_id));
    }
    let new_priority = changes.priority.filter(|p| p.as_str() != current.priority);
    if let Some(priority) = new_priority {
        let level = service_levels::of(tx, priority).await?;
        update = update
            .col_expr(Column::Priority, Expr::value(priority.as_str()))
            .col_expr(
                Column::FirstResponseDueAt,
                Expr::value(level.first_response_due(current.created_at)),
            )
            .col_expr(
                Column::ResolutionDueAt,
                Expr::value(level.resolution_due(current.created_at)),
            );
    }
    let new_owner = changes.owner_id.filter(|o| *o != current.owner_id);
    if let Some(owner_id) = new_owner {
        update = update.col_expr(Column::OwnerId, Expr::value(owner_id));
    }
    let updated = write(update, tx).await?;
    let now = Utc::now();
    for (kind, from, to) in edits(&current, &updated) {
        record(tx, id, kind, from.as_deref(), to.as_deref(), None, now).await?;
    }
    if let Some(priority) = new_priority {
        record(
            tx,
            id,
            CaseEventKind::PriorityChanged,
            Some(&current.priority),
            Some(priority.as_str()),
            None,
            now,
        )
        .await?;
    }
    if let Some(owner_id) = new_owner {
        let name = |o: Option<Uuid>| o.map(|o| o.to_string());
        record(
            tx,
            id,
            CaseEventKind::Assigned,
            name(current.owner_id).as_deref(),
            name(owner_id).as_deref(),
            None,
            now,
        )
        .await?;
    }
    tx.touch_customer(updated.customer_id);
    Ok(updated)
}

/// The edits history records besides priority and owner (which have
/// their own entries): each field that differs between `before` and
/// `after`, from and to (ids as text; `None`: no value).
fn edits(
    before: &case::Model,
    after: &case::Model,
) -> Vec<(CaseEventKind, Option<String>, Option<String>)> {
    let id = |v: Option<Uuid>| v.map(|v| v.to_string());
    [
        (
            CaseEventKind::SubjectChanged,
            Some(before.subject.clone()),
            Some(after.subject.clone()),
        ),
        (
            CaseEventKind::DescriptionChanged,
            before.description.clone(),
            after.description.clone(),
        ),
        (
            CaseEventKind::KindChanged,
            Some(before.kind.clone()),
            Some(after.kind.clone()),
        ),
        (
            CaseEventKind::ChannelChanged,
            Some(before.channel.clone()),
            Some(after.channel.clone()),
        ),
        (
            CaseEventKind::ContactChanged,
            id(before.contact_id),
            id(after.contact_id),
        ),
    ]
    .into_iter()
    .filter(|(_, from, to)| from != to)
    .collect()
}

/// Moves a visible case to `to` (see [`CaseStatus::may_become`]), with an
/// optional note (for `RESOLVED`, the resolution). Resolving or closing
/// stops both service-level clocks; reopening restarts resolution.
/// `version`, when given, must be the current one.
pub async fn change_status(
    tx: &TenantTx,
    id: Uuid,
    version: Option<i32>,
    to: CaseStatus,
    note: Option<String>,
) -> Result<case::Model> {
    let current = lock(tx, id, "id").await?;
    if let Some(version) = version {
        check_version(&current, version)?;
    }
    let from = CaseStatus::parse(&current.status)?;
    if !from.may_become(to) {
        return Err(Error::conflict(
            format!("a {} case cannot become {}", from.as_str(), to.as_str()),
            Some("status"),
        ));
    }
    let updated = write(status_update(tx, id, from, to, note.as_deref()), tx).await?;
    status_changed(tx, &updated, from, to, note.as_deref()).await?;
    Ok(updated)
}

/// The update moving a case from `from` to `to`.
fn status_update(
    tx: &TenantTx,
    id: Uuid,
    from: CaseStatus,
    to: CaseStatus,
    note: Option<&str>,
) -> sea_orm::UpdateMany<Cases> {
    let now = || -> SimpleExpr { Expr::current_timestamp().into() };
    let keep_or_now = |column: Column| -> SimpleExpr {
        sea_orm::sea_query::Func::coalesce([Expr::col(column).into(), now()]).into()
    };
    let mut update = cases_update(tx, id).col_expr(Column::Status, Expr::value(to.as_str()));
    match to {
        CaseStatus::Resolved => {
            update = update
                .col_expr(Column::ResolvedAt, now())
                .col_expr(
                    Column::FirstRespondedAt,
                    keep_or_now(Column::FirstRespondedAt),
                )
                .col_expr(Column::Resolution, Expr::value(note.map(str::to_owned)));
        }
        CaseStatus::Closed => {
            update = update
                .col_expr(Column::ClosedAt, now())
                .col_expr(Column::ResolvedAt, keep_or_now(Column::ResolvedAt))
                .col_expr(
                    Column::FirstRespondedAt,
                    keep_or_now(Column::FirstRespondedAt),
                );
        }
        CaseStatus::Open | CaseStatus::Pending if from == CaseStatus::Resolved => {
            update = update
                .col_expr(Column::ResolvedAt, Expr::value(None::<DateTime<Utc>>))
                .col_expr(Column::Resolution, Expr::value(None::<String>));
        }
        _ => {}
    }
    update
}

/// Records a status change: history, outbox, the customer's view.
async fn status_changed(
    tx: &TenantTx,
    case: &case::Model,
    from: CaseStatus,
    to: CaseStatus,
    note: Option<&str>,
) -> Result<()> {
    record(
        tx,
        case.id,
        CaseEventKind::StatusChanged,
        Some(from.as_str()),
        Some(to.as_str()),
        note,
        case.updated_at,
    )
    .await?;
    let mut body = payload(case);
    body["fromStatus"] = json!(from.as_str());
    domain_events::record(tx, EventKind::CaseStatusChanged, case.id, body).await?;
    tx.touch_customer(case.customer_id);
    Ok(())
}

/// Records the customer's satisfaction with a resolved or closed case
/// (a later rating replaces an earlier one).
pub async fn rate(
    tx: &TenantTx,
    id: Uuid,
    score: i16,
    comment: Option<String>,
) -> Result<case::Model> {
    let current = lock(tx, id, "id").await?;
    if CaseStatus::parse(&current.status)?.is_open() {
        return Err(Error::conflict(
            "only a resolved or closed case is rated",
            Some("id"),
        ));
    }
    let updated = write(
        cases_update(tx, id)
            .col_expr(Column::SatisfactionScore, Expr::value(score))
            .col_expr(Column::SatisfactionComment, Expr::value(comment.clone()))
            .col_expr(Column::RatedAt, Expr::current_timestamp().into()),
        tx,
    )
    .await?;
    record(
        tx,
        id,
        CaseEventKind::Rated,
        current.satisfaction_score.map(|s| s.to_string()).as_deref(),
        Some(&score.to_string()),
        comment.as_deref(),
        updated.updated_at,
    )
    .await?;
    domain_events::record(
        tx,
        EventKind::CaseRated,
        updated.id,
        json!({
            "caseId": updated.id,
            "number": updated.number,
            "customerId": updated.customer_id,
            "score": score,
        }),
    )
    .await?;
    tx.touch_customer(updated.customer_id);
    Ok(updated)
}

/// An interaction about a case is being logged: the case must be a visible,
/// not closed case of the same customer. An outbound interaction is the
/// case's first response (if it had none) and opens a new case; an inbound
/// one (the customer answering) reopens a pending case.
pub async fn on_interaction(
    tx: &TenantTx,
    case_id: Uuid,
    customer_id: Uuid,
    direction: Direction,
    occurred_at: DateTime<Utc>,
) -> Result<()> {
    let current = lock(tx, case_id, "caseId").await?;
    if current.customer_id != customer_id {
        return Err(Error::validation(
            "caseId",
            "is not a case of this customer",
        ));
    }
    let from = CaseStatus::parse(&current.status)?;
    if from == CaseStatus::Closed {
        return Err(Error::validation(
            "caseId",
            "the case is closed; open a new case",
        ));
    }
    let to = match (direction, from) {
        (Direction::Outbound, CaseStatus::New) => Some(CaseStatus::Open),
        (Direction::Inbound, CaseStatus::Pending) => Some(CaseStatus::Open),
        _ => None,
    };
    let first_response = direction == Direction::Outbound && current.first_responded_at.is_none();
    if to.is_none() && !first_response {
        return Ok(());
    }
    let mut update = match to {
        Some(to) => status_update(tx, case_id, from, to, None),
        None => cases_update(tx, case_id),
    };
    if first_response {
        update = update.col_expr(Column::FirstRespondedAt, Expr::value(occurred_at));
    }
    let updated = write(update, tx).await?;
    match to {
        Some(to) => status_changed(tx, &updated, from, to, None).await?,
        None => tx.touch_customer(updated.customer_id),
    }
    Ok(())
}

/// A write refused by the owner's foreign key: the owner is not a member.
fn owner_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
            Error::validation("ownerId", "is not a member of this workspace")
        }
        _ => err.into(),
    }
}

/// Which cases to list: every given condition must hold, plus the
/// `and`/`or`/`not` combinations.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub number: Option<i64>,
    pub subject: Option<TextFilter>,
    pub status: Option<EnumFilter>,
    pub kind: Option<EnumFilter>,
    pub priority: Option<EnumFilter>,
    pub channel: Option<EnumFilter>,
    pub customer_ids: Option<Vec<Uuid>>,
    pub contact_ids: Option<Vec<Uuid>>,
    pub owner_ids: Option<Vec<Uuid>>,
    /// `true`: only unassigned cases; `false`: only assigned ones.
    pub unassigned: Option<bool>,
    /// `true`: new, open or pending; `false`: resolved or closed.
    pub open: Option<bool>,
    /// `true`: open cases past their resolution due time, or past their
    /// first-response due time without a response; `false`: the others.
    pub overdue: Option<bool>,
    pub created_at: Option<TimeFilter>,
    pub resolution_due_at: Option<TimeFilter>,
    pub resolved_at: Option<TimeFilter>,
    pub satisfaction_score: Option<super::filter::IntFilter>,
    pub and: Vec<CaseFilter>,
    pub or: Vec<CaseFilter>,
    pub not: Option<Box<CaseFilter>>,
}

impl CaseFilter {
    /// Checks nesting, size and list lengths.
    pub fn validate(&self) -> Result<()> {
        self.validate_at(0, &mut FilterBudget::default())
    }

    fn validate_at(&self, depth: usize, budget: &mut FilterBudget) -> Result<()> {
        if let Some(f) = &self.subject {
            budget.spend(depth)?;
            f.validate("filter.subject")?;
        }
        for (f, field) in [
            (&self.status, "filter.status"),
            (&self.kind, "filter.kind"),
            (&self.priority, "filter.priority"),
            (&self.channel, "filter.channel"),
        ] {
            if let Some(f) = f {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        for (ids, field) in [
            (&self.customer_ids, "filter.customerId"),
            (&self.contact_ids, "filter.contactId"),
            (&self.owner_ids, "filter.ownerId"),
        ] {
            budget.spend_ids(depth, ids, field)?;
        }
        for present in [
            self.number.is_some(),
            self.unassigned.is_some(),
            self.open.is_some(),
            self.overdue.is_some(),
            self.created_at.is_some(),
            self.resolution_due_at.is_some(),
            self.resolved_at.is_some(),
            self.satisfaction_score.is_some(),
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
        let col = |c: Column| -> SimpleExpr { Expr::col((Cases, c)).into() };
        let open_statuses = || CaseStatus::OPEN.into_iter().map(CaseStatus::as_str);
        let mut all = sea_orm::Condition::all();
        if let Some(number) = self.number {
            all = all.add(Column::Number.eq(number));
        }
        if let Some(f) = &self.subject {
            all = all.add(f.condition(col(Column::Subject)));
        }
        for (f, column) in [
            (&self.status, Column::Status),
            (&self.kind, Column::Kind),
            (&self.priority, Column::Priority),
            (&self.channel, Column::Channel),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(col(column)));
            }
        }
        for (ids, column) in [
            (&self.customer_ids, Column::CustomerId),
            (&self.contact_ids, Column::ContactId),
            (&self.owner_ids, Column::OwnerId),
        ] {
            if let Some(ids) = ids {
                all = all.add(column.is_in(ids.iter().copied()));
            }
        }
        if let Some(unassigned) = self.unassigned {
            all = all.add(if unassigned {
                Column::OwnerId.is_null()
            } else {
                Column::OwnerId.is_not_null()
            });
        }
        if let Some(open) = self.open {
            all = all.add(if open {
                Column::Status.is_in(open_statuses())
            } else {
                Column::Status.is_not_in(open_statuses())
            });
        }
        if let Some(overdue) = self.overdue {
            let now: SimpleExpr = Expr::current_timestamp().into();
            let late = sea_orm::Condition::all()
                .add(Column::Status.is_in(open_statuses()))
                .add(
                    sea_orm::Condition::any()
                        .add(Expr::col((Cases, Column::ResolutionDueAt)).lt(now.clone()))
                        .add(
                            sea_orm::Condition::all()
                                .add(Column::FirstRespondedAt.is_null())
                                .add(Expr::col((Cases, Column::FirstResponseDueAt)).lt(now)),
                        ),
                );
            all = all.add(if overdue { late } else { late.not() });
        }
        for (f, column) in [
            (&self.created_at, Column::CreatedAt),
            (&self.resolution_due_at, Column::ResolutionDueAt),
            (&self.resolved_at, Column::ResolvedAt),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(col(column)));
            }
        }
        if let Some(f) = &self.satisfaction_score {
            all = all.add(f.condition(col(Column::SatisfactionScore)));
        }
        all.add(super::filter::nested_condition(
            (&self.and, &self.or, self.not.as_deref()),
            Self::condition,
        ))
    }
}

/// What cases can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseSortField {
    CreatedAt,
    UpdatedAt,
    Number,
    /// By urgency (low to urgent ascending).
    Priority,
    ResolutionDueAt,
}

/// One key of a case order.
#[derive(Clone, Copy, Debug)]
pub struct CaseSort {
    pub field: CaseSortField,
    pub descending: bool,
}

fn sort_keys(order: &[CaseSort]) -> Result<Vec<SortKey>> {
    if order.len() > 3 {
        return Err(Error::validation("orderBy", "at most 3 sort keys"));
    }
    let default = [CaseSort {
        field: CaseSortField::CreatedAt,
        descending: true,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    let mut keys: Vec<SortKey> = Vec::new();
    for o in order {
        let (name, expr, kind): (&'static str, SimpleExpr, SortKind) = match o.field {
            CaseSortField::CreatedAt => (
                "createdAt",
                Expr::col((Cases, Column::CreatedAt)).into(),
                SortKind::Time,
            ),
            CaseSortField::UpdatedAt => (
                "updatedAt",
                Expr::col((Cases, Column::UpdatedAt)).into(),
                SortKind::Time,
            ),
            CaseSortField::Number => (
                "number",
                Expr::col((Cases, Column::Number)).into(),
                SortKind::Int,
            ),
            CaseSortField::Priority => (
                "priority",
                Expr::cust(CasePriority::rank_sql()),
                SortKind::Int,
            ),
            CaseSortField::ResolutionDueAt => (
                "resolutionDueAt",
                Expr::col((Cases, Column::ResolutionDueAt)).into(),
                SortKind::Time,
            ),
        };
        if keys.iter().any(|k| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        keys.push(SortKey {
            name,
            expr,
            kind,
            descending: o.descending,
            case_insensitive: false,
            value_cast: None,
        });
    }
    let descending = keys[0].descending;
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Cases, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &case::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|k| match k.name {
            "createdAt" => SortValue::Time(row.created_at),
            "updatedAt" => SortValue::Time(row.updated_at),
            "number" => SortValue::Int(row.number),
            "priority" => SortValue::Int(
                CasePriority::parse(&row.priority)
                    .map(CasePriority::rank)
                    .unwrap_or(0),
            ),
            "resolutionDueAt" => SortValue::Time(row.resolution_due_at),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// One page of visible cases matching `filter`.
pub async fn list(
    tx: &TenantTx,
    filter: &CaseFilter,
    order: &[CaseSort],
    page: &PageRequest,
) -> Result<Page<case::Model>> {
    filter.validate()?;
    let keys = sort_keys(order)?;
    let select = visible(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many visible cases match `filter`.
pub async fn count(tx: &TenantTx, filter: &CaseFilter) -> Result<u64> {
    filter.validate()?;
    Ok(visible(tx).filter(filter.condition()).count(&**tx).await?)
}

/// The cursor of a case in a customer's list (newest first).
pub fn cursor_of(row: &case::Model) -> String {
    let keys = sort_keys(&[]).expect("the default order is valid");
    super::pagination::cursor(&keys, sort_values(&keys, row))
}

/// The newest `limit + 1` cases (only open ones when `open_only`) of each
/// of the visible ones of `customers`, in one query.
pub async fn latest_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
    open_only: bool,
) -> Result<HashMap<Uuid, Vec<case::Model>>> {
    let visible_customers = customers::find_many(tx, customers).await?;
    let ids: Vec<Uuid> = visible_customers.into_keys().collect();
    let open: Vec<&str> = CaseStatus::OPEN.iter().map(|s| s.as_str()).collect();
    let rows = case::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "SELECT latest.*
               FROM unnest($2::uuid[]) AS c (id)
              CROSS JOIN LATERAL (
                    SELECT k.* FROM cases k
                     WHERE k.tenant_id = $1 AND k.customer_id = c.id
                       AND (NOT $4 OR k.status IN ('{}'))
                     ORDER BY k.created_at DESC, k.id DESC
                     LIMIT $3) latest",
            open.join("', '")
        ),
        [
            tx.tenant_id().into(),
            ids.into(),
            ((limit + 1) as i64).into(),
            open_only.into(),
        ],
    ))
    .all(&**tx)
    .await?;
    let mut grouped: HashMap<Uuid, Vec<case::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.customer_id).or_default().push(row);
    }
    Ok(grouped)
}

/// How many open cases each of `customers` has (the visible ones).
pub async fn open_counts(tx: &TenantTx, customers: &[Uuid]) -> Result<HashMap<Uuid, i64>> {
    if customers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = visible(tx)
        .select_only()
        .column(Column::CustomerId)
        .column_as(Expr::cust("count(*)"), "open")
        .filter(Column::CustomerId.is_in(customers.iter().copied()))
        .filter(Column::Status.is_in(CaseStatus::OPEN.into_iter().map(CaseStatus::as_str)))
        .group_by(Column::CustomerId)
        .into_tuple::<(Uuid, i64)>()
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The history of visible cases, oldest first per case.
pub async fn history_of(
    tx: &TenantTx,
    case_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<case_event::Model>>> {
    let visible_cases = find_many(tx, case_ids).await?;
    if visible_cases.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = case_event::Entity::find()
        .filter(case_event::Column::TenantId.eq(tx.tenant_id()))
        .filter(case_event::Column::CaseId.is_in(visible_cases.into_keys()))
        .order_by_asc(case_event::Column::At)
        .order_by_asc(case_event::Column::Id)
        .all(&**tx)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<case_event::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.case_id).or_default().push(row);
    }
    Ok(grouped)
}

/// History entries by id (for the customer timeline).
pub async fn events_by_ids(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, case_event::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(case_event::Entity::find()
        .filter(case_event::Column::TenantId.eq(tx.tenant_id()))
        .filter(case_event::Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// Service figures over the visible cases opened in a period.
#[derive(Clone, Debug, Default, PartialEq, FromQueryResult)]
pub struct ServiceSummary {
    pub opened: i64,
    pub open_now: i64,
    pub overdue_now: i64,
    pub resolved: i64,
    /// Of the cases with a first response, the share that came in time.
    pub first_response_met_share: Option<f64>,
    /// Of the resolved cases, the share resolved in time.
    pub resolution_met_share: Option<f64>,
    pub average_first_response_minutes: Option<f64>,
    pub average_resolution_minutes: Option<f64>,
    pub rated: i64,
    pub average_satisfaction: Option<f64>,
    /// Share of ratings of 4 or 5 (CSAT).
    pub satisfied_share: Option<f64>,
}

/// The service summary of the visible cases opened in `[from, to)`.
pub async fn summary(
    tx: &TenantTx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ServiceSummary> {
    if to <= from {
        return Err(Error::validation("to", "must be after `from`"));
    }
    let select = visible(tx)
        .filter(Column::CreatedAt.gte(from))
        .filter(Column::CreatedAt.lt(to))
        .select_only()
        .column_as(Expr::cust("count(*)"), "opened")
        .column_as(
            Expr::cust("count(*) FILTER (WHERE status IN ('NEW', 'OPEN', 'PENDING'))"),
            "open_now",
        )
        .column_as(
            Expr::cust(
                "count(*) FILTER (WHERE status IN ('NEW', 'OPEN', 'PENDING')
                   AND (resolution_due_at < now()
                        OR (first_responded_at IS NULL AND first_response_due_at < now())))",
            ),
            "overdue_now",
        )
        .column_as(
            Expr::cust("count(*) FILTER (WHERE resolved_at IS NOT NULL)"),
            "resolved",
        )
        .column_as(
            Expr::cust(
                "(avg((first_responded_at <= first_response_due_at)::int)
                    FILTER (WHERE first_responded_at IS NOT NULL))::float8",
            ),
            "first_response_met_share",
        )
        .column_as(
            Expr::cust(
                "(avg((resolved_at <= resolution_due_at)::int)
                    FILTER (WHERE resolved_at IS NOT NULL))::float8",
            ),
            "resolution_met_share",
        )
        .column_as(
            Expr::cust("(avg(extract(epoch FROM first_responded_at - created_at)) / 60)::float8"),
            "average_first_response_minutes",
        )
        .column_as(
            Expr::cust("(avg(extract(epoch FROM resolved_at - created_at)) / 60)::float8"),
            "average_resolution_minutes",
        )
        .column_as(
            Expr::cust("count(satisfaction_score)"),
            "rated",
        )
        .column_as(
            Expr::cust("avg(satisfaction_score)::float8"),
            "average_satisfaction",
        )
        .column_as(
            Expr::cust(
                "(avg((satisfaction_score >= 4)::int) FILTER (WHERE satisfaction_score IS NOT NULL))::float8",
            ),
            "satisfied_share",
        );
    Ok(select
        .into_model::<ServiceSummary>()
        .one(&**tx)
        .await?
        .unwrap_or_default())
}

/// A stored name this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored case value `{0}`")]
struct UnknownValue(String);

/// The counter upsert returned no row (an inconsistency).
#[derive(Debug, thiserror::Error)]
#[error("no case number was returned")]
struct NoCaseNumber;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_moves_follow_the_case_lifecycle() {
        use CaseStatus::*;
        assert!(New.may_become(Open));
        assert!(New.may_become(Resolved));
        assert!(Open.may_become(Pending));
        assert!(Pending.may_become(Open));
        assert!(Resolved.may_become(Open));
        assert!(Resolved.may_become(Closed));
        assert!(!Resolved.may_become(Pending));
        for to in CaseStatus::ALL {
            assert!(!Closed.may_become(to), "closed is final, not {to:?}");
            assert!(!to.may_become(New), "nothing goes back to new");
            assert!(!to.may_become(to));
        }
    }

    #[test]
    fn priorities_rank_from_low_to_urgent() {
        let ranks: Vec<i64> = CasePriority::ALL
            .into_iter()
            .map(CasePriority::rank)
            .collect();
        assert_eq!(ranks, vec![1, 2, 3, 4]);
        let sql = CasePriority::rank_sql();
        assert!(sql.contains("WHEN 'URGENT' THEN 4") && sql.contains("WHEN 'LOW' THEN 1"));
    }
}
