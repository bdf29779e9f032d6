//! A customer's past: its field history (`customerHistory`) and its timeline
//! (`Customer.timeline`).
//!
//! The timeline is a list of `TimelineEntry` objects rather than a union of
//! record types: every entry has the same `id`, `at`, `kind` and `actor`
//! whatever it stands for, so a client renders a timeline from those and
//! reads the one detail field its `kind` names (`interaction` or `change`).
//! Entries for deals, orders, cases and merges will be added as new kinds
//! with their own detail fields, without breaking existing clients. Entries
//! carry no display text: clients word them in the reader's language from
//! `kind` and the details.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::relations::Interaction;
use crate::config::GraphqlLimits;
use crate::domain::customer_history;
use crate::domain::timeline::{self, TimelineEvent};
use crate::graphql::common::{page_request, to_id, PageInfo};
use crate::graphql::context::read_tx;
use crate::graphql::identity::types::User;
use crate::graphql::loaders::{MemberLoader, TimelineLoader};

/// What kind of write changed a customer.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customer_history::ChangeAction")]
pub enum CustomerChangeAction {
    /// The customer was created; the change gives a field's first value.
    Create,
    /// A field was edited.
    Update,
    /// The customer was deleted (`deletedAt` got a value).
    Delete,
    /// The customer was restored (`deletedAt` was cleared).
    Restore,
}

/// One changed field of a customer: who changed it from what to what, and when.
pub struct CustomerChange(pub entity::customer_change::Model);

/// One changed field of a customer: who changed it from what to what, and when.
#[Object]
impl CustomerChange {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    /// Shared by every field one write changed.
    async fn change_set_id(&self) -> ID {
        to_id(self.0.change_set_id)
    }
    async fn action(&self) -> Result<CustomerChangeAction> {
        Ok(customer_history::ChangeAction::parse(&self.0.action)?.into())
    }
    /// The field as the API spells it, such as `lifecycleStage`, `ownerId`,
    /// `customFields` or `deletedAt`.
    async fn field(&self) -> &str {
        &self.0.field
    }
    /// The value before the change, as the API shows it; null when it had none.
    async fn old_value(&self) -> Option<Json<serde_json::Value>> {
        self.0.old_value.clone().map(Json)
    }
    /// The value after the change; null when it has none.
    async fn new_value(&self) -> Option<Json<serde_json::Value>> {
        self.0.new_value.clone().map(Json)
    }
    /// The customer's version after the change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
    /// The member who made the change (for an API key, its creator).
    async fn changed_by(&self) -> Option<ID> {
        self.0.changed_by.map(to_id)
    }
}

/// One change in a page.
#[derive(SimpleObject)]
pub struct CustomerChangeEdge {
    pub cursor: String,
    pub node: CustomerChange,
}

/// A page of a customer's changes, newest first.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerChangeConnection {
    pub edges: Vec<CustomerChangeEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub customer_id: Uuid,
    #[graphql(skip)]
    pub field: Option<&'static str>,
}

#[ComplexObject]
impl CustomerChangeConnection {
    /// How many changes match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(customer_history::count_of_customer(&tx, self.customer_id, self.field).await? as i64)
    }
}

/// What a timeline entry is about. Kinds may be added: treat an unknown
/// kind as a generic entry.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::timeline::TimelineKind")]
pub enum TimelineEntryKind {
    /// An interaction was logged: see `interaction`.
    Interaction,
    /// The customer was created; its first values are in `customerHistory`.
    CustomerCreated,
    /// The lifecycle stage changed: see `change`.
    LifecycleStageChanged,
    /// The owner was set, changed or cleared: see `change`.
    OwnerChanged,
    /// The customer was deleted: see `change`.
    CustomerDeleted,
    /// The customer was restored: see `change`.
    CustomerRestored,
    /// A deal was created: see `dealStage`.
    DealCreated,
    /// A deal moved to another open stage: see `dealStage`.
    DealStageChanged,
    /// A deal was won: see `dealStage`.
    DealWon,
    /// A deal was lost: see `dealStage`.
    DealLost,
    /// An order was placed: see `order`.
    OrderPlaced,
    /// Another customer was merged into this one: see `mergedCustomerId`.
    CustomerMerged,
    /// A case was opened: see `caseEvent`.
    CaseOpened,
    /// A case moved between new, open and pending: see `caseEvent`.
    CaseStatusChanged,
    /// A case was resolved: see `caseEvent`.
    CaseResolved,
    /// A case was closed: see `caseEvent`.
    CaseClosed,
    /// A resolved case was reopened: see `caseEvent`.
    CaseReopened,
}

/// One entry of a customer's timeline.
pub struct TimelineEntry(pub timeline::TimelineEntry);

/// One entry of a customer's timeline: an interaction or a system event.
/// `kind` says which, and which detail field (`interaction`, `change`) is set.
#[Object]
impl TimelineEntry {
    /// The id of the record the entry stands for: the interaction, the
    /// change, or the customer itself for `CUSTOMER_CREATED`.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// When it happened (for interactions, when they took place).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    async fn kind(&self) -> TimelineEntryKind {
        self.0.kind.into()
    }
    /// The member who logged or changed it.
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor.map(to_id)
    }
    /// The member who logged or changed it, while still a member.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(actor) = self.0.actor else {
            return Ok(None);
        };
        let loader =
            ctx.data::<DataLoader<MemberLoader, async_graphql::dataloader::HashMapCache>>()?;
        Ok(loader.load_one(actor).await?.map(User))
    }
    /// For `INTERACTION`: the interaction.
    async fn interaction(&self) -> Option<Interaction> {
        match &self.0.event {
            TimelineEvent::Interaction(row) => Some(Interaction(row.clone())),
            _ => None,
        }
    }
    /// For stage and owner changes, deletes and restores: the change.
    async fn change(&self) -> Option<CustomerChange> {
        match &self.0.event {
            TimelineEvent::Change(row) => Some(CustomerChange(row.clone())),
            _ => None,
        }
    }
    /// For deal entries: the deal's stay in the stage it entered.
    async fn deal_stage(&self) -> Option<crate::graphql::deals::types::DealStageVisit> {
        match &self.0.event {
            TimelineEvent::DealStage(row) => {
                Some(crate::graphql::deals::types::DealStageVisit(row.clone()))
            }
            _ => None,
        }
    }
    /// For deal entries: the deal's id.
    async fn deal_id(&self) -> Option<ID> {
        match &self.0.event {
            TimelineEvent::DealStage(row) => Some(to_id(row.deal_id)),
            _ => None,
        }
    }
    /// For `ORDER_PLACED`: the order.
    async fn order(&self) -> Option<crate::graphql::sales::types::Order> {
        match &self.0.event {
            TimelineEvent::Order(row) => Some(crate::graphql::sales::types::Order(row.clone())),
            _ => None,
        }
    }
    /// For case entries: the entry of the case's history.
    async fn case_event(&self) -> Option<crate::graphql::service::types::CaseEvent> {
        match &self.0.event {
            TimelineEvent::Case(row) => {
                Some(crate::graphql::service::types::CaseEvent(row.clone()))
            }
            _ => None,
        }
    }
    /// For case entries: the case's id.
    async fn case_id(&self) -> Option<ID> {
        match &self.0.event {
            TimelineEvent::Case(row) => Some(to_id(row.case_id)),
            _ => None,
        }
    }
    /// For `CUSTOMER_MERGED`: the customer merged into this one (now deleted).
    async fn merged_customer_id(&self) -> Option<ID> {
        match &self.0.event {
            TimelineEvent::Merge { merged_id, .. } => Some(to_id(*merged_id)),
            _ => None,
        }
    }
    /// For `CUSTOMER_MERGED`: the merged customer's name when it was merged.
    async fn merged_customer_name(&self) -> Option<String> {
        match &self.0.event {
            TimelineEvent::Merge { merged_name, .. } => merged_name.clone(),
            _ => None,
        }
    }
}

/// One timeline entry in a page.
#[derive(SimpleObject)]
pub struct TimelineEdge {
    pub cursor: String,
    pub node: TimelineEntry,
}

/// A page of a customer's timeline, newest first.
#[derive(SimpleObject)]
pub struct TimelineConnection {
    pub edges: Vec<TimelineEdge>,
    pub page_info: PageInfo,
}

/// A customer's timeline: the first page of many customers is loaded in one
/// round of queries; later pages (`after`) are read directly.
pub async fn timeline_of(
    ctx: &Context<'_>,
    customer_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<TimelineConnection> {
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    let (entries, has_next_page, has_previous_page) = if page.cursor.is_none() {
        let loader = ctx.data::<DataLoader<TimelineLoader>>()?;
        let mut entries = loader
            .load_one((customer_id, page.limit))
            .await?
            .unwrap_or_default();
        let more = entries.len() as u64 > page.limit;
        entries.truncate(page.limit as usize);
        let entries = entries
            .into_iter()
            .map(|e| (timeline::cursor_of(&e), e))
            .collect();
        (entries, more, false)
    } else {
        let tx = read_tx(ctx).await?;
        let page = timeline::of_customer(&tx, customer_id, &page).await?;
        (page.rows, page.has_next_page, page.has_previous_page)
    };
    let edges: Vec<TimelineEdge> = entries
        .into_iter()
        .map(|(cursor, entry)| TimelineEdge {
            cursor,
            node: TimelineEntry(entry),
        })
        .collect();
    let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
    let page_info = PageInfo::new(&cursors, has_next_page, has_previous_page);
    Ok(TimelineConnection { edges, page_info })
}
