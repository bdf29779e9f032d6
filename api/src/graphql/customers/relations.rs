//! Contacts and interactions of customers: their API types, and the
//! customer's nested connections to them.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    Context, Enum, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};

use super::records::{parse_points, points, points_change, ContactPoint, ContactPointInput};
use crate::config::GraphqlLimits;
use crate::domain::contact_points::PointKind;
use crate::domain::contacts::{self, ContactChanges, NewContact};
use crate::domain::customer_view::{CustomerView, CONTACTS_IN_VIEW, INTERACTIONS_IN_VIEW};
use crate::domain::customers::rules;
use crate::domain::interactions::{self, NewInteraction};
use crate::error::Error;
use crate::graphql::common::{page_request, parse_id, to_id, PageInfo};
use crate::graphql::context::read_tx;
use crate::graphql::loaders::{ContactsLoader, InteractionsLoader};

/// How a contact prefers to be reached.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::contacts::Channel")]
pub enum ContactChannel {
    Email,
    Phone,
    Sms,
    Chat,
    Fax,
    Mail,
    InPerson,
}

/// What kind of contact an interaction was.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::interactions::InteractionKind")]
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

/// Who started an interaction.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::interactions::Direction")]
pub enum InteractionDirection {
    Inbound,
    Outbound,
    Internal,
}

/// A person at a customer.
pub struct Contact(pub entity::contact::Model);

#[Object]
impl Contact {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// The primary email.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// The primary phone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Every email, the primary one first.
    async fn emails(&self) -> Vec<ContactPoint> {
        points(contacts::emails_of(&self.0))
    }
    /// Every phone, the primary one first.
    async fn phones(&self) -> Vec<ContactPoint> {
        points(contacts::phones_of(&self.0))
    }
    /// Workspace-defined fields (object `CONTACT`), as a JSON object.
    async fn custom_fields(&self) -> Json<serde_json::Value> {
        Json(self.0.custom_fields.clone())
    }
    async fn preferred_channel(&self) -> Option<ContactChannel> {
        self.0
            .preferred_channel
            .as_deref()
            .and_then(contacts::Channel::parse)
            .map(Into::into)
    }
    /// A language tag such as `en` or `zh-CN`.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One contact in a page.
#[derive(SimpleObject)]
pub struct ContactEdge {
    pub cursor: String,
    pub node: Contact,
}

/// A page of a customer's contacts, oldest first.
#[derive(SimpleObject)]
pub struct ContactConnection {
    pub edges: Vec<ContactEdge>,
    pub page_info: PageInfo,
}

/// One call, email, meeting, note, task, … with a customer.
pub struct Interaction(pub entity::interaction::Model);

#[Object]
impl Interaction {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    /// The deal the interaction is about, if any.
    async fn deal_id(&self) -> Option<ID> {
        self.0.deal_id.map(to_id)
    }
    /// The case the interaction is about, if any.
    async fn case_id(&self) -> Option<ID> {
        self.0.case_id.map(to_id)
    }
    async fn contact_id(&self) -> Option<ID> {
        self.0.contact_id.map(to_id)
    }
    async fn kind(&self) -> Option<InteractionKind> {
        interactions::InteractionKind::parse(&self.0.kind).map(Into::into)
    }
    async fn direction(&self) -> Option<InteractionDirection> {
        interactions::Direction::parse(&self.0.direction).map(Into::into)
    }
    /// Free-form channel detail, such as a phone line or mailbox.
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    async fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }
    /// For tasks: when they are due.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// For tasks: when they were done.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// The member who logged it.
    async fn logged_by(&self) -> Option<ID> {
        self.0.logged_by.map(to_id)
    }
}

/// One interaction in a page.
#[derive(SimpleObject)]
pub struct InteractionEdge {
    pub cursor: String,
    pub node: Interaction,
}

/// A page of a customer's interactions, newest first.
#[derive(SimpleObject)]
pub struct InteractionConnection {
    pub edges: Vec<InteractionEdge>,
    pub page_info: PageInfo,
}

impl InteractionConnection {
    /// The connection of one page of interactions.
    pub fn of_page(page: crate::domain::pagination::Page<entity::interaction::Model>) -> Self {
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        InteractionConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| InteractionEdge {
                    cursor,
                    node: Interaction(row),
                })
                .collect(),
            page_info,
        }
    }
}

/// Customer 360 views loaded by this request (`customer(id)`), so the
/// customer's nested contacts and interactions are served from the view;
/// with the version of each view read, which a response built from them
/// alone depends on.
///
/// Clones share one record, so the request's handler can read it after
/// execution.
#[derive(Clone, Default)]
pub struct ViewsOfRequest {
    views: std::sync::Arc<
        std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::sync::Arc<CustomerView>>>,
    >,
    versions: std::sync::Arc<std::sync::Mutex<Vec<ViewVersion>>>,
}

/// A customer whose view was read, with the version Redis vouched for.
type ViewVersion = (uuid::Uuid, Option<String>);

impl ViewsOfRequest {
    /// Remembers a read of a customer's view for the rest of the request.
    pub fn keep(&self, customer_id: uuid::Uuid, read: &crate::domain::customer_view::Read) {
        if let Some(view) = &read.view {
            if let Ok(mut views) = self.views.lock() {
                views.insert(customer_id, view.clone());
            }
        }
        if let Ok(mut versions) = self.versions.lock() {
            versions.push((customer_id, read.version.clone()));
        }
    }

    /// The view of this customer loaded earlier in the request, if any.
    pub fn get(ctx: &Context<'_>, customer_id: uuid::Uuid) -> Option<std::sync::Arc<CustomerView>> {
        let views = ctx.data_opt::<ViewsOfRequest>()?;
        views.views.lock().ok()?.get(&customer_id).cloned()
    }

    /// The Redis lifetime the views were read in, and the Redis keys and
    /// values of the versions of every view read (each once); `None` when no
    /// view was read, one came without a version, or they span lifetimes.
    pub fn dependencies(
        &self,
        cache: &crate::cache::Cache,
        tenant_id: uuid::Uuid,
    ) -> Option<(String, Vec<(String, String)>)> {
        let versions = self.versions.lock().ok()?;
        if versions.is_empty() {
            return None;
        }
        let mut read_in: Option<String> = None;
        let mut dependencies: Vec<(String, String)> = Vec::new();
        for (customer_id, version) in versions.iter() {
            let (lifetime, parts) = crate::domain::customer_view::version_parts(
                cache,
                tenant_id,
                *customer_id,
                version.as_deref()?,
            )?;
            // Views read from two Redis lifetimes (a restart mid-request)
            // do not make a response worth keeping.
            if read_in.get_or_insert_with(|| lifetime.clone()) != &lifetime {
                return None;
            }
            for part in parts {
                if !dependencies.contains(&part) {
                    dependencies.push(part);
                }
            }
        }
        Some((read_in?, dependencies))
    }
}

/// Contacts and interactions of a whole page of customers, read in one
/// query per relation as soon as the page is known (from the query's
/// selection), so nested connections cost the same for 5 customers or 100.
#[derive(Default)]
pub struct PrefetchedRelations {
    contacts:
        std::sync::Mutex<std::collections::HashMap<(uuid::Uuid, u64), Vec<entity::contact::Model>>>,
    interactions: std::sync::Mutex<
        std::collections::HashMap<(uuid::Uuid, u64), Vec<entity::interaction::Model>>,
    >,
}

/// The page sizes asked for a nested connection, from each place it is
/// selected (aliases may ask twice); selections with `after` are left out.
fn requested_page_sizes(
    fields: Vec<async_graphql::SelectionField<'_>>,
    limits: &GraphqlLimits,
) -> Vec<u64> {
    let mut sizes = Vec::new();
    for field in fields {
        let Ok(arguments) = field.arguments() else {
            continue;
        };
        let argument = |name: &str| {
            arguments
                .iter()
                .find(|(n, _)| n.as_str() == name)
                .map(|(_, v)| v.clone())
        };
        if argument("after").is_some_and(|v| v != async_graphql::Value::Null) {
            continue;
        }
        let size = match argument("first") {
            Some(async_graphql::Value::Number(n)) => n.as_u64().unwrap_or(limits.default_page_size),
            _ => limits.default_page_size,
        };
        if size <= limits.max_page_size && !sizes.contains(&size) {
            sizes.push(size);
        }
    }
    sizes
}

/// Reads the relations the query selects for a page of customers.
pub async fn prefetch_for_page(
    ctx: &Context<'_>,
    tx: &crate::tenancy::TenantTx,
    customers: &[uuid::Uuid],
) -> Result<()> {
    let Some(prefetched) = ctx.data_opt::<PrefetchedRelations>() else {
        return Ok(());
    };
    if customers.is_empty() {
        return Ok(());
    }
    let limits = ctx.data_unchecked::<GraphqlLimits>();
    let node = ctx.look_ahead().field("edges").field("node");
    for size in requested_page_sizes(node.field("contacts").selection_fields(), limits) {
        let mut rows = contacts::first_of_customers(tx, customers, size).await?;
        if let Ok(mut map) = prefetched.contacts.lock() {
            for id in customers {
                map.insert((*id, size), rows.remove(id).unwrap_or_default());
            }
        }
    }
    for size in requested_page_sizes(node.field("interactions").selection_fields(), limits) {
        let mut rows = interactions::latest_of_customers(tx, customers, size).await?;
        if let Ok(mut map) = prefetched.interactions.lock() {
            for id in customers {
                map.insert((*id, size), rows.remove(id).unwrap_or_default());
            }
        }
    }
    Ok(())
}

/// A customer's contacts: from the request's 360 view when it covers the
/// page; else the first page of many customers is loaded in one query; later
/// pages (`after`) are read directly.
pub async fn contacts_of(
    ctx: &Context<'_>,
    customer_id: uuid::Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ContactConnection> {
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    if page.cursor.is_none() {
        let prefetched = ctx.data_opt::<PrefetchedRelations>().and_then(|p| {
            p.contacts
                .lock()
                .ok()?
                .get(&(customer_id, page.limit))
                .cloned()
        });
        let rows = match ViewsOfRequest::get(ctx, customer_id) {
            _ if prefetched.is_some() => prefetched.unwrap_or_default(),
            Some(view) if page.limit <= CONTACTS_IN_VIEW => view.contacts.clone(),
            _ => {
                let loader = ctx.data::<DataLoader<ContactsLoader>>()?;
                loader
                    .load_one((customer_id, page.limit))
                    .await?
                    .unwrap_or_default()
            }
        };
        let (edges, page_info) = crate::graphql::common::first_page(
            rows,
            page.limit,
            contacts::cursor_of,
            |cursor, row| ContactEdge {
                cursor,
                node: Contact(row),
            },
        );
        return Ok(ContactConnection { edges, page_info });
    }
    let tx = read_tx(ctx).await?;
    let page = contacts::of_customer(&tx, customer_id, &page).await?;
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    Ok(ContactConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| ContactEdge {
                cursor,
                node: Contact(row),
            })
            .collect(),
        page_info,
    })
}

/// A customer's interactions, newest first, loaded like [`contacts_of`].
pub async fn interactions_of(
    ctx: &Context<'_>,
    customer_id: uuid::Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<InteractionConnection> {
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    if page.cursor.is_none() {
        let prefetched = ctx.data_opt::<PrefetchedRelations>().and_then(|p| {
            p.interactions
                .lock()
                .ok()?
                .get(&(customer_id, page.limit))
                .cloned()
        });
        let rows = match ViewsOfRequest::get(ctx, customer_id) {
            _ if prefetched.is_some() => prefetched.unwrap_or_default(),
            Some(view) if page.limit <= INTERACTIONS_IN_VIEW => view.interactions.clone(),
            _ => {
                let loader = ctx.data::<DataLoader<InteractionsLoader>>()?;
                loader
                    .load_one((customer_id, page.limit))
                    .await?
                    .unwrap_or_default()
            }
        };
        let (edges, page_info) = crate::graphql::common::first_page(
            rows,
            page.limit,
            interactions::cursor_of,
            |cursor, row| InteractionEdge {
                cursor,
                node: Interaction(row),
            },
        );
        return Ok(InteractionConnection { edges, page_info });
    }
    let tx = read_tx(ctx).await?;
    let page = interactions::of_customer(&tx, customer_id, &page).await?;
    Ok(InteractionConnection::of_page(page))
}

/// A new contact at a customer.
#[derive(InputObject)]
pub struct CreateContactInput {
    pub customer_id: ID,
    pub name: String,
    pub title: Option<String>,
    /// The primary email; with `emails`, it is made their primary one.
    pub email: Option<String>,
    /// The primary phone; with `phones`, it is made their primary one.
    pub phone: Option<String>,
    /// Every email with its label; one may be marked primary (else the first is).
    pub emails: Option<Vec<ContactPointInput>>,
    /// Every phone with its label; one may be marked primary (else the first is).
    pub phones: Option<Vec<ContactPointInput>>,
    pub preferred_channel: Option<ContactChannel>,
    /// A language tag such as `en` or `zh-CN`.
    pub language: Option<String>,
    /// Values of the workspace's contact fields, a JSON object.
    pub custom_fields: Option<Json<serde_json::Value>>,
}

impl CreateContactInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewContact, Error> {
        Ok(NewContact {
            customer_id: parse_id("customerId", &self.customer_id)?,
            name: contacts::name(&self.name)?,
            title: self
                .title
                .map(|t| rules::short_text("title", &t))
                .transpose()?
                .flatten(),
            email: self.email.map(|e| rules::email(&e)).transpose()?.flatten(),
            phone: self.phone.map(|p| rules::phone(&p)).transpose()?.flatten(),
            preferred_channel: self.preferred_channel.map(Into::into),
            language: self
                .language
                .map(|l| contacts::language(&l))
                .transpose()?
                .flatten(),
            emails: self
                .emails
                .map(|l| parse_points(PointKind::Email, "emails", l))
                .transpose()?,
            phones: self
                .phones
                .map(|l| parse_points(PointKind::Phone, "phones", l))
                .transpose()?,
            custom_fields: rules::custom_fields(
                self.custom_fields
                    .map(|j| j.0)
                    .unwrap_or_else(|| serde_json::json!({})),
            )?,
        })
    }
}

/// Changes to a contact; only the given fields change, `null` clears.
#[derive(InputObject)]
pub struct UpdateContactInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub title: MaybeUndefined<String>,
    /// The primary email: replaces the current primary one (`null` drops it,
    /// and the next becomes primary).
    pub email: MaybeUndefined<String>,
    /// The primary phone, like `email`.
    pub phone: MaybeUndefined<String>,
    /// Replaces every email (`null` or `[]` removes them all).
    pub emails: MaybeUndefined<Vec<ContactPointInput>>,
    /// Replaces every phone (`null` or `[]` removes them all).
    pub phones: MaybeUndefined<Vec<ContactPointInput>>,
    pub preferred_channel: MaybeUndefined<ContactChannel>,
    pub language: MaybeUndefined<String>,
    /// Merged into the stored values; `null` removes a value.
    pub custom_fields: Option<Json<serde_json::Value>>,
}

fn text_change(
    value: MaybeUndefined<String>,
    rule: impl Fn(&str) -> Result<Option<String>, Error>,
) -> Result<Option<Option<String>>, Error> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(rule(&v)?)),
    }
}

impl UpdateContactInput {
    /// The contact id, expected version and validated changes.
    pub fn into_domain(self) -> Result<(uuid::Uuid, i32, ContactChanges), Error> {
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            ContactChanges {
                name: self.name.map(|n| contacts::name(&n)).transpose()?,
                title: text_change(self.title, |v| rules::short_text("title", v))?,
                email: text_change(self.email, rules::email)?,
                phone: text_change(self.phone, rules::phone)?,
                preferred_channel: match self.preferred_channel {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(c) => Some(Some(c.into())),
                },
                language: text_change(self.language, contacts::language)?,
                emails: points_change(PointKind::Email, "emails", self.emails)?,
                phones: points_change(PointKind::Phone, "phones", self.phones)?,
                custom_fields: self
                    .custom_fields
                    .map(|j| rules::custom_fields(j.0))
                    .transpose()?,
            },
        ))
    }
}

/// The contact a mutation wrote.
#[derive(SimpleObject)]
pub struct ContactPayload {
    pub contact: Contact,
}

/// An interaction to record.
#[derive(InputObject)]
pub struct LogInteractionInput {
    pub customer_id: ID,
    pub contact_id: Option<ID>,
    pub kind: InteractionKind,
    /// `INTERNAL` when not given.
    pub direction: Option<InteractionDirection>,
    pub channel: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    /// When it happened; now when not given.
    pub occurred_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
    /// Tasks only: when the task is due.
    pub due_at: Option<DateTime<Utc>>,
    /// The deal of the customer the interaction is about.
    pub deal_id: Option<ID>,
    /// The case of the customer the interaction is about. An outbound
    /// interaction is the case's first response (and opens a new case); an
    /// inbound one reopens a case pending on the customer.
    pub case_id: Option<ID>,
}

impl LogInteractionInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewInteraction, Error> {
        Ok(NewInteraction {
            customer_id: parse_id("customerId", &self.customer_id)?,
            deal_id: self.deal_id.map(|id| parse_id("dealId", &id)).transpose()?,
            case_id: self.case_id.map(|id| parse_id("caseId", &id)).transpose()?,
            contact_id: self
                .contact_id
                .map(|id| parse_id("contactId", &id))
                .transpose()?,
            kind: self.kind.into(),
            direction: self
                .direction
                .map(Into::into)
                .unwrap_or(interactions::Direction::Internal),
            channel: self
                .channel
                .map(|c| rules::short_text("channel", &c))
                .transpose()?
                .flatten(),
            subject: self
                .subject
                .map(|s| interactions::subject(&s))
                .transpose()?
                .flatten(),
            body: self
                .body
                .map(|b| interactions::body(&b))
                .transpose()?
                .flatten(),
            occurred_at: self.occurred_at.unwrap_or_else(Utc::now),
            duration_seconds: self
                .duration_seconds
                .map(interactions::duration)
                .transpose()?,
            due_at: self.due_at,
        })
    }
}

/// The interaction a mutation wrote.
#[derive(SimpleObject)]
pub struct InteractionPayload {
    pub interaction: Interaction,
}
