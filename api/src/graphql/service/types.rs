//! Service types of the API: cases, their history, service levels and the
//! service summary, and their conversion into domain values.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::CaseHistoryLoader;
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::cases::{self, CaseChanges, CaseSort, CaseSortField, NewCase};
use crate::domain::filter::EnumFilter;
use crate::domain::interactions;
use crate::domain::pagination::Page;
use crate::domain::service_levels;
use crate::error::Error;
use crate::graphql::common::{
    page_request, parse_id, to_id, DateTimeFilter, IdFilter, IntFilter, OrderDirection, PageInfo,
    StringFilter,
};
use crate::graphql::context::read_tx;
use crate::graphql::customers::relations::{Contact, InteractionConnection};
use crate::graphql::customers::types::Customer;
use crate::graphql::deals::loaders::ContactLoader;
use crate::graphql::identity::types::User;
use crate::graphql::loaders::MemberLoader;
use crate::graphql::sales::loaders::CustomerLoader;

/// What the customer came with.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::cases::CaseKind")]
pub enum CaseKind {
    Inquiry,
    Complaint,
    Suggestion,
    Request,
    Problem,
}

/// Where a case stands: `NEW` until someone responds, `OPEN` while worked
/// on, `PENDING` while waiting on the customer, `RESOLVED` (may be
/// reopened), `CLOSED` (final).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::cases::CaseStatus")]
pub enum CaseStatus {
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

/// How urgent a case is; it picks the service level.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::cases::CasePriority")]
pub enum CasePriority {
    Low,
    Normal,
    High,
    Urgent,
}

/// How the customer reached the workspace.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::cases::CaseChannel")]
pub enum CaseChannel {
    Phone,
    Email,
    Web,
    Chat,
    Fax,
    InPerson,
    Social,
    Sms,
    Other,
}

/// What a case history entry records.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::cases::CaseEventKind")]
pub enum CaseEventKind {
    /// The case was opened.
    Opened,
    /// Its status changed (`from` → `to`).
    StatusChanged,
    /// Its priority changed (`from` → `to`), and with it the due times.
    PriorityChanged,
    /// It was assigned to another member (`from` → `to` are member ids; null: unassigned).
    Assigned,
    /// The customer rated it (`to` is the score).
    Rated,
    /// Its subject was edited (`from` → `to`).
    SubjectChanged,
    /// Its description was edited (`from` → `to`; null: none).
    DescriptionChanged,
    /// Its kind changed (`from` → `to`).
    KindChanged,
    /// Its channel changed (`from` → `to`).
    ChannelChanged,
    /// Its contact changed (`from` → `to` are contact ids; null: none).
    ContactChanged,
}

/// A customer's service request: an inquiry, complaint, suggestion, request
/// or problem, handled against the service level of its priority.
pub struct Case(pub entity::case::Model);

impl Case {
    fn stored_status(&self) -> Result<cases::CaseStatus, Error> {
        cases::CaseStatus::parse(&self.0.status)
    }
}

#[Object]
impl Case {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The case number, unique in the workspace, counting from 1.
    async fn number(&self) -> i64 {
        self.0.number
    }
    /// Goes up by one with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn kind(&self) -> Result<CaseKind> {
        Ok(cases::CaseKind::parse(&self.0.kind)?.into())
    }
    async fn status(&self) -> Result<CaseStatus> {
        Ok(self.stored_status()?.into())
    }
    async fn priority(&self) -> Result<CasePriority> {
        Ok(cases::CasePriority::parse(&self.0.priority)?.into())
    }
    async fn channel(&self) -> Result<CaseChannel> {
        Ok(cases::CaseChannel::parse(&self.0.channel)?.into())
    }
    /// Whether the case is still being worked on (new, open or pending).
    async fn is_open(&self) -> Result<bool> {
        Ok(self.stored_status()?.is_open())
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<CustomerLoader>>();
        Ok(loader.load_one(self.0.customer_id).await?.map(Customer))
    }
    /// The person at the customer who raised it.
    async fn contact_id(&self) -> Option<ID> {
        self.0.contact_id.map(to_id)
    }
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let Some(contact_id) = self.0.contact_id else {
            return Ok(None);
        };
        let loader = ctx.data_unchecked::<DataLoader<ContactLoader>>();
        Ok(loader.load_one(contact_id).await?.map(Contact))
    }
    /// The member handling the case; null while unassigned.
    async fn owner_id(&self) -> Option<ID> {
        self.0.owner_id.map(to_id)
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(owner_id) = self.0.owner_id else {
            return Ok(None);
        };
        let loader =
            ctx.data::<DataLoader<MemberLoader, async_graphql::dataloader::HashMapCache>>()?;
        Ok(loader.load_one(owner_id).await?.map(User))
    }
    /// When the first response is due, per the service level of the priority.
    async fn first_response_due_at(&self) -> DateTime<Utc> {
        self.0.first_response_due_at
    }
    /// When the case must be resolved, per the service level of the priority.
    async fn resolution_due_at(&self) -> DateTime<Utc> {
        self.0.resolution_due_at
    }
    /// When the customer first got an answer (an outbound interaction about
    /// the case, or its resolution).
    async fn first_responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_responded_at
    }
    /// Whether the first response came (or is still missing) after its due time.
    async fn first_response_breached(&self) -> bool {
        self.0
            .first_responded_at
            .unwrap_or_else(Utc::now)
            .gt(&self.0.first_response_due_at)
    }
    /// Whether the resolution came (or is still missing) after its due time.
    async fn resolution_breached(&self) -> bool {
        self.0
            .resolved_at
            .unwrap_or_else(Utc::now)
            .gt(&self.0.resolution_due_at)
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// How the case was resolved.
    async fn resolution(&self) -> Option<&str> {
        self.0.resolution.as_deref()
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// The customer's rating; null until rated.
    async fn satisfaction(&self) -> Option<CaseSatisfaction> {
        Some(CaseSatisfaction {
            score: i32::from(self.0.satisfaction_score?),
            comment: self.0.satisfaction_comment.clone(),
            rated_at: self.0.rated_at?,
        })
    }
    /// Interactions about the case, newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<InteractionConnection> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            None,
            None,
        )?;
        let tx = read_tx(ctx).await?;
        let page = interactions::of_case(&tx, self.0.id, &page).await?;
        Ok(InteractionConnection::of_page(page))
    }
    /// What happened to the case, oldest first: its opening, status,
    /// priority and assignee changes, and ratings.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<CaseEvent>> {
        let loader = ctx.data_unchecked::<DataLoader<CaseHistoryLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CaseEvent)
            .collect())
    }
    /// Who opened it.
    async fn created_by_id(&self) -> Option<ID> {
        self.0.created_by.map(to_id)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The customer's rating of a case.
#[derive(SimpleObject)]
pub struct CaseSatisfaction {
    /// From 1 (very unhappy) to 5 (very happy).
    pub score: i32,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
}

/// One entry of a case's history.
pub struct CaseEvent(pub entity::case_event::Model);

#[Object]
impl CaseEvent {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn case_id(&self) -> ID {
        to_id(self.0.case_id)
    }
    async fn kind(&self) -> Result<CaseEventKind> {
        Ok(cases::CaseEventKind::parse(&self.0.kind)?.into())
    }
    /// The value before (a status, priority, member id or score).
    async fn from(&self) -> Option<&str> {
        self.0.from_value.as_deref()
    }
    /// The value after.
    async fn to(&self) -> Option<&str> {
        self.0.to_value.as_deref()
    }
    /// The note given with the change (for a resolution, the resolution;
    /// for a rating, the comment).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The member who made the change.
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor.map(to_id)
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// One case in a page.
#[derive(SimpleObject)]
pub struct CaseEdge {
    pub cursor: String,
    pub node: Case,
}

/// A page of cases.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CaseConnection {
    pub edges: Vec<CaseEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: cases::CaseFilter,
}

#[ComplexObject]
impl CaseConnection {
    /// How many cases match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(cases::count(&tx, &self.filter).await? as i64)
    }
}

/// The connection of a page of cases.
pub fn case_connection(
    page: Page<entity::case::Model>,
    filter: cases::CaseFilter,
) -> CaseConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    CaseConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| CaseEdge {
                cursor,
                node: Case(row),
            })
            .collect(),
        page_info,
        filter,
    }
}

/// Conditions on an enumerated case field, like [`StringFilter`] for names.
macro_rules! case_enum_filter {
    ($(#[$doc:meta])* $name:ident, $enum:ident) => {
        $(#[$doc])*
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            pub eq: Option<$enum>,
            pub ne: Option<$enum>,
            #[graphql(name = "in")]
            pub in_list: Option<Vec<$enum>>,
        }

        impl From<$name> for EnumFilter {
            fn from(f: $name) -> Self {
                let name = |v: $enum| cases::$enum::from(v).as_str();
                EnumFilter {
                    eq: f.eq.map(name),
                    ne: f.ne.map(name),
                    in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
                }
            }
        }
    };
}

case_enum_filter!(
    /// Conditions on a case's status.
    CaseStatusFilter,
    CaseStatus
);
case_enum_filter!(
    /// Conditions on a case's kind.
    CaseKindFilter,
    CaseKind
);
case_enum_filter!(
    /// Conditions on a case's priority.
    CasePriorityFilter,
    CasePriority
);
case_enum_filter!(
    /// Conditions on a case's channel.
    CaseChannelFilter,
    CaseChannel
);

/// Which cases to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CaseFilter {
    pub number: Option<i64>,
    pub subject: Option<StringFilter>,
    pub status: Option<CaseStatusFilter>,
    pub kind: Option<CaseKindFilter>,
    pub priority: Option<CasePriorityFilter>,
    pub channel: Option<CaseChannelFilter>,
    pub customer_id: Option<IdFilter>,
    pub contact_id: Option<IdFilter>,
    pub owner_id: Option<IdFilter>,
    /// `true`: only cases nobody handles yet; `false`: only assigned ones.
    pub unassigned: Option<bool>,
    /// `true`: new, open or pending cases; `false`: resolved or closed ones.
    pub open: Option<bool>,
    /// `true`: open cases past their resolution due time, or past their
    /// first-response due time without a response; `false`: all others.
    pub overdue: Option<bool>,
    pub created_at: Option<DateTimeFilter>,
    pub resolution_due_at: Option<DateTimeFilter>,
    pub resolved_at: Option<DateTimeFilter>,
    pub satisfaction_score: Option<IntFilter>,
    pub and: Option<Vec<CaseFilter>>,
    pub or: Option<Vec<CaseFilter>>,
    pub not: Option<Box<CaseFilter>>,
}

impl CaseFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<cases::CaseFilter, Error> {
        let nested = |list: Option<Vec<CaseFilter>>| -> Result<Vec<cases::CaseFilter>, Error> {
            list.unwrap_or_default()
                .into_iter()
                .map(CaseFilter::into_domain)
                .collect()
        };
        let ids = |f: Option<IdFilter>, field: &str| f.map(|f| f.into_ids(field)).transpose();
        Ok(cases::CaseFilter {
            number: self.number,
            subject: self.subject.map(Into::into),
            status: self.status.map(Into::into),
            kind: self.kind.map(Into::into),
            priority: self.priority.map(Into::into),
            channel: self.channel.map(Into::into),
            customer_ids: ids(self.customer_id, "filter.customerId")?,
            contact_ids: ids(self.contact_id, "filter.contactId")?,
            owner_ids: ids(self.owner_id, "filter.ownerId")?,
            unassigned: self.unassigned,
            open: self.open,
            overdue: self.overdue,
            created_at: self.created_at.map(Into::into),
            resolution_due_at: self.resolution_due_at.map(Into::into),
            resolved_at: self.resolved_at.map(Into::into),
            satisfaction_score: self.satisfaction_score.map(Into::into),
            and: nested(self.and)?,
            or: nested(self.or)?,
            not: self.not.map(|n| n.into_domain()).transpose()?.map(Box::new),
        })
    }
}

/// Fields cases can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CaseOrderField {
    CreatedAt,
    UpdatedAt,
    Number,
    /// By urgency: `LOW` first when ascending.
    Priority,
    ResolutionDueAt,
}

/// One sort key; ties are broken by id.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct CaseOrderBy {
    pub field: CaseOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<CaseOrderBy> for CaseSort {
    fn from(o: CaseOrderBy) -> Self {
        CaseSort {
            field: match o.field {
                CaseOrderField::CreatedAt => CaseSortField::CreatedAt,
                CaseOrderField::UpdatedAt => CaseSortField::UpdatedAt,
                CaseOrderField::Number => CaseSortField::Number,
                CaseOrderField::Priority => CaseSortField::Priority,
                CaseOrderField::ResolutionDueAt => CaseSortField::ResolutionDueAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// A new case.
#[derive(InputObject)]
pub struct CreateCaseInput {
    pub customer_id: ID,
    /// The person at the customer who raised it.
    pub contact_id: Option<ID>,
    pub subject: String,
    pub description: Option<String>,
    pub kind: CaseKind,
    /// `NORMAL` when not given.
    pub priority: Option<CasePriority>,
    pub channel: CaseChannel,
    /// You when not given; `null` leaves the case unassigned.
    pub owner_id: MaybeUndefined<ID>,
}

impl CreateCaseInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewCase, Error> {
        Ok(NewCase {
            customer_id: parse_id("customerId", &self.customer_id)?,
            contact_id: self
                .contact_id
                .map(|id| parse_id("contactId", &id))
                .transpose()?,
            subject: cases::rules::subject(&self.subject)?,
            description: self
                .description
                .map(|d| cases::rules::text("description", &d))
                .transpose()?
                .flatten(),
            kind: self.kind.into(),
            priority: self
                .priority
                .map(Into::into)
                .unwrap_or(cases::CasePriority::Normal),
            channel: self.channel.into(),
            owner_id: match self.owner_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(parse_id("ownerId", &id)?)),
            },
        })
    }
}

/// Changes to a case that is not closed; only the given fields change, and
/// `null` clears one.
#[derive(InputObject)]
pub struct UpdateCaseInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub subject: Option<String>,
    pub description: MaybeUndefined<String>,
    pub kind: Option<CaseKind>,
    /// Moves the due times to the new priority's service level, counted
    /// from the case's opening.
    pub priority: Option<CasePriority>,
    pub channel: Option<CaseChannel>,
    pub contact_id: MaybeUndefined<ID>,
    /// Assigns the case; `null` unassigns it.
    pub owner_id: MaybeUndefined<ID>,
}

impl UpdateCaseInput {
    /// The case id, its expected version and the validated changes.
    pub fn into_domain(self) -> Result<(Uuid, i32, CaseChanges), Error> {
        let id_change = |value: MaybeUndefined<ID>, field: &str| -> Result<_, Error> {
            Ok(match value {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(parse_id(field, &id)?)),
            })
        };
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            CaseChanges {
                subject: self
                    .subject
                    .map(|s| cases::rules::subject(&s))
                    .transpose()?,
                description: match self.description {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(d) => Some(cases::rules::text("description", &d)?),
                },
                kind: self.kind.map(Into::into),
                priority: self.priority.map(Into::into),
                channel: self.channel.map(Into::into),
                contact_id: id_change(self.contact_id, "contactId")?,
                owner_id: id_change(self.owner_id, "ownerId")?,
            },
        ))
    }
}

/// A status change of a case.
#[derive(InputObject)]
pub struct ChangeCaseStatusInput {
    pub id: ID,
    /// The version you read; when given, a stale one is a `CONFLICT`.
    pub version: Option<i32>,
    pub status: CaseStatus,
    /// Why; for `RESOLVED`, how the case was resolved.
    pub note: Option<String>,
}

/// The customer's rating of a resolved or closed case.
#[derive(InputObject)]
pub struct RateCaseInput {
    pub id: ID,
    /// From 1 (very unhappy) to 5 (very happy).
    pub score: i32,
    pub comment: Option<String>,
}

/// The case a mutation wrote.
#[derive(SimpleObject)]
pub struct CasePayload {
    pub case: Case,
}

/// The service level of one priority.
#[derive(SimpleObject)]
pub struct CaseServiceLevel {
    pub priority: CasePriority,
    /// Minutes from opening to the first response.
    pub first_response_minutes: i32,
    /// Minutes from opening to resolution.
    pub resolution_minutes: i32,
    /// Whether these are the product defaults (never set by the workspace).
    pub is_default: bool,
}

impl From<service_levels::ServiceLevel> for CaseServiceLevel {
    fn from(l: service_levels::ServiceLevel) -> Self {
        CaseServiceLevel {
            priority: l.priority.into(),
            first_response_minutes: l.first_response_minutes,
            resolution_minutes: l.resolution_minutes,
            is_default: l.is_default,
        }
    }
}

/// New targets for one priority.
#[derive(InputObject)]
pub struct SetCaseServiceLevelInput {
    pub priority: CasePriority,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
}

/// Service figures over the cases opened in a period (those you may see).
#[derive(SimpleObject)]
pub struct ServiceSummary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Cases opened in the period.
    pub opened: i64,
    /// Of those, still new, open or pending.
    pub open_now: i64,
    /// Of those still open, past a due time.
    pub overdue_now: i64,
    /// Of those, resolved (or closed).
    pub resolved: i64,
    /// Share (0–1) of first responses given in time; null without any.
    pub first_response_met_share: Option<f64>,
    /// Share (0–1) of resolutions in time; null without any.
    pub resolution_met_share: Option<f64>,
    pub average_first_response_minutes: Option<f64>,
    pub average_resolution_minutes: Option<f64>,
    /// Cases rated by the customer.
    pub rated: i64,
    /// Mean score (1–5) of the ratings.
    pub average_satisfaction: Option<f64>,
    /// Share (0–1) of ratings of 4 or 5 (CSAT).
    pub satisfied_share: Option<f64>,
}

impl ServiceSummary {
    /// The API figures of a domain summary.
    pub fn of(s: cases::ServiceSummary, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        ServiceSummary {
            from,
            to,
            opened: s.opened,
            open_now: s.open_now,
            overdue_now: s.overdue_now,
            resolved: s.resolved,
            first_response_met_share: s.first_response_met_share,
            resolution_met_share: s.resolution_met_share,
            average_first_response_minutes: s.average_first_response_minutes,
            average_resolution_minutes: s.average_resolution_minutes,
            rated: s.rated,
            average_satisfaction: s.average_satisfaction,
            satisfied_share: s.satisfied_share,
        }
    }
}
