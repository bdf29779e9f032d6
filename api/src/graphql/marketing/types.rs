//! GraphQL types of the marketing area: segments, their connections,
//! inputs and payloads.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, InputType, Json, MaybeUndefined, Object, Result,
    SimpleObject, ID,
};
use chrono::{DateTime, Duration, Utc};

use super::loaders::SegmentMemberCountLoader;
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::customers::CustomerFilter as DomainCustomerFilter;
use crate::domain::filter::EnumFilter;
use crate::domain::marketing::segments::{
    self, Definition, FillReport, NewSegment, SegmentChanges, SegmentSort, SegmentSortField,
};
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::graphql::common::{
    page_request, parse_id, to_id, IdFilter, OrderDirection, PageInfo, StringFilter,
};
use crate::graphql::context::{edge_into, read_tx};
use crate::graphql::customers::types::{CustomerConnection, CustomerFilter, CustomerOrderBy};
use crate::graphql::identity::types::User;
use crate::graphql::loaders::MemberLoader;

/// How a segment's members are chosen.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::segments::SegmentKind")]
pub enum SegmentKind {
    /// Every customer matching its filter, kept current as customers,
    /// their orders and their value figures change.
    Dynamic,
    /// The customers put in it, by hand or from a CSV file.
    Static,
}

/// A saved group of customers: the audience of marketing.
pub struct Segment(pub entity::segment::Model);

#[Object]
impl Segment {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change; `updateSegment` needs the current one.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn kind(&self) -> Result<SegmentKind> {
        Ok(segments::SegmentKind::parse(&self.0.kind)?.into())
    }
    /// A dynamic segment's filter, as it was given (a `CustomerFilter`);
    /// null for static lists.
    async fn filter(&self) -> Option<Json<serde_json::Value>> {
        self.0.definition.clone().map(Json)
    }
    /// How many of its members you may see (live customers only).
    async fn member_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let loader = ctx.data_unchecked::<DataLoader<SegmentMemberCountLoader>>();
        Ok(loader.load_one(self.0.id).await?.unwrap_or(0) as i64)
    }
    /// Its members that you may see, filtered and ordered as `customers`.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<CustomerFilter>,
        order_by: Option<Vec<CustomerOrderBy>>,
    ) -> Result<CustomerConnection> {
        edge_into(ctx, Permission::CustomersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = members_filter(self.0.id, filter)?;
        crate::graphql::customers::query::customer_page(ctx, &page, filter, order_by).await
    }
    /// Its size at the end of each of the last `days` days (1 to 366, 30
    /// by default) on which it was counted, oldest first. The counts are of
    /// every member, so they are null for members whose customer
    /// visibility is restricted (`OWN` or `TEAM`).
    async fn size_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 30)] days: i32,
    ) -> Result<Option<Vec<SegmentSize>>> {
        if !(1..=366).contains(&days) {
            return Err(Error::validation("days", "must be between 1 and 366").into());
        }
        let tx = read_tx(ctx).await?;
        if tx.scope().customers.is_some() {
            return Ok(None);
        }
        let since = Utc::now().date_naive() - Duration::days(i64::from(days) - 1);
        let sizes = segments::sizes(&tx, self.0.id, since).await?;
        Ok(Some(
            sizes
                .into_iter()
                .map(|(day, size)| SegmentSize {
                    day: crate::graphql::common::Date(day),
                    size,
                })
                .collect(),
        ))
    }
    /// When a dynamic segment was last refilled from its whole filter (at
    /// creation, on a new filter, after each customer value run); it is
    /// kept current between refills.
    async fn refreshed_at(&self) -> Option<DateTime<Utc>> {
        self.0.refreshed_at
    }
    /// The member responsible for it.
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
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// The customer filter of a segment's members: `filter` (if any) and
/// membership of the segment.
fn members_filter(
    segment_id: uuid::Uuid,
    filter: Option<CustomerFilter>,
) -> Result<DomainCustomerFilter, Error> {
    Ok(DomainCustomerFilter {
        segment_ids: Some(vec![segment_id]),
        and: filter
            .map(CustomerFilter::into_domain)
            .transpose()?
            .into_iter()
            .collect(),
        ..DomainCustomerFilter::default()
    })
}

/// A segment's size on one day.
#[derive(SimpleObject)]
pub struct SegmentSize {
    pub day: crate::graphql::common::Date,
    pub size: i64,
}

/// One segment of a page.
#[derive(SimpleObject)]
pub struct SegmentEdge {
    pub cursor: String,
    pub node: Segment,
}

/// A page of segments.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SegmentConnection {
    pub edges: Vec<SegmentEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: segments::SegmentFilter,
}

#[ComplexObject]
impl SegmentConnection {
    /// How many segments match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(segments::count(&tx, &self.filter).await? as i64)
    }
}

/// The connection of a page of segments.
pub fn segment_connection(
    page: Page<entity::segment::Model>,
    filter: segments::SegmentFilter,
) -> SegmentConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    SegmentConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| SegmentEdge {
                cursor,
                node: Segment(row),
            })
            .collect(),
        page_info,
        filter,
    }
}

/// Which segments to list; every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SegmentFilter {
    pub name: Option<StringFilter>,
    pub kind: Option<SegmentKind>,
    pub owner_id: Option<IdFilter>,
}

impl SegmentFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<segments::SegmentFilter, Error> {
        Ok(segments::SegmentFilter {
            name: self.name.map(Into::into),
            kind: self.kind.map(|k| EnumFilter {
                eq: Some(segments::SegmentKind::from(k).as_str()),
                ..EnumFilter::default()
            }),
            owner_id: self
                .owner_id
                .map(|f| f.into_ids("filter.ownerId"))
                .transpose()?,
        })
    }
}

/// What segments can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SegmentOrderField {
    /// Ignoring case.
    Name,
    CreatedAt,
    UpdatedAt,
}

/// One key of a segment order (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug)]
pub struct SegmentOrderBy {
    pub field: SegmentOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<SegmentOrderBy> for SegmentSort {
    fn from(o: SegmentOrderBy) -> Self {
        SegmentSort {
            field: match o.field {
                SegmentOrderField::Name => SegmentSortField::Name,
                SegmentOrderField::CreatedAt => SegmentSortField::CreatedAt,
                SegmentOrderField::UpdatedAt => SegmentSortField::UpdatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// A filter as a segment's definition: checked as `customers` checks it,
/// and kept as given so clients can show and edit it.
fn definition(filter: CustomerFilter) -> Result<Definition, Error> {
    let as_sent = without_nulls(filter.to_value().into_json().map_err(Error::internal)?);
    let filter = filter.into_domain()?;
    Ok(Definition { filter, as_sent })
}

/// `value` without its null fields (what the client left out), at every depth.
fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k, without_nulls(v)))
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(without_nulls).collect(),
        other => other,
    }
}

/// A new segment.
#[derive(InputObject)]
pub struct CreateSegmentInput {
    /// Unique in the workspace, ignoring case.
    pub name: String,
    pub description: Option<String>,
    pub kind: SegmentKind,
    /// Required for `DYNAMIC` segments (the language of `customers`, without
    /// `segmentId`); not allowed for `STATIC` lists.
    pub filter: Option<CustomerFilter>,
    /// The member responsible; by default whoever creates it.
    pub owner_id: Option<ID>,
}

impl CreateSegmentInput {
    /// The domain input; values are checked here.
    pub fn into_domain(self, creator: Option<uuid::Uuid>) -> Result<NewSegment, Error> {
        Ok(NewSegment {
            name: segments::name(&self.name)?,
            description: self
                .description
                .as_deref()
                .map(segments::description)
                .transpose()?
                .flatten(),
            kind: self.kind.into(),
            definition: self.filter.map(definition).transpose()?,
            owner_id: match &self.owner_id {
                Some(id) => Some(parse_id("ownerId", id)?),
                None => creator,
            },
        })
    }
}

/// Changes to a segment: only the fields given change.
#[derive(InputObject)]
pub struct UpdateSegmentInput {
    pub id: ID,
    /// The version you read; a newer one on the server is a `CONFLICT`.
    pub version: i32,
    pub name: Option<String>,
    /// Null removes it.
    pub description: MaybeUndefined<String>,
    /// Null leaves it without an owner.
    pub owner_id: MaybeUndefined<ID>,
    /// A new filter (dynamic segments only): its members are refilled.
    pub filter: Option<CustomerFilter>,
}

impl UpdateSegmentInput {
    /// The segment, the version and the domain changes.
    pub fn into_domain(self) -> Result<(uuid::Uuid, i32, SegmentChanges), Error> {
        let id = parse_id("id", &self.id)?;
        let changes = SegmentChanges {
            name: self.name.as_deref().map(segments::name).transpose()?,
            description: match self.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(segments::description(&d)?),
            },
            owner_id: match self.owner_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(o) => Some(Some(parse_id("ownerId", &o)?)),
            },
            definition: self.filter.map(definition).transpose()?,
        };
        Ok((id, self.version, changes))
    }
}

/// The segment a mutation wrote.
#[derive(SimpleObject)]
pub struct SegmentPayload {
    pub segment: Segment,
}

/// Customers put in or taken out of a static list.
#[derive(InputObject)]
pub struct SegmentMembersInput {
    pub segment_id: ID,
    /// 1 to 1,000 customers you may see.
    pub customer_ids: Vec<ID>,
}

impl SegmentMembersInput {
    /// The list and the customers' ids.
    pub fn parse(&self) -> Result<(uuid::Uuid, Vec<uuid::Uuid>), Error> {
        Ok((
            parse_id("segmentId", &self.segment_id)?,
            crate::graphql::common::parse_ids("customerIds", &self.customer_ids)?,
        ))
    }
}

/// What adding or removing members did.
#[derive(SimpleObject)]
pub struct SegmentMembersPayload {
    pub segment: Segment,
    /// Customers that were added (not already in it) or removed (were in it).
    pub changed: i64,
}

/// A static list filled from a CSV file.
#[derive(InputObject)]
pub struct ImportSegmentMembersInput {
    pub segment_id: ID,
    /// The file: a header naming a column `id`, `externalId` or `email`
    /// (the first found is used; other columns are ignored, so a customer
    /// export can be sent back), then one customer per row.
    pub csv: String,
}

/// A row of the file that named no customer.
#[derive(SimpleObject)]
pub struct SegmentImportError {
    /// 1 = the first row after the header.
    pub row: i64,
    pub message: String,
}

/// What filling a static list from a file did.
#[derive(SimpleObject)]
pub struct SegmentImportReport {
    pub segment: Segment,
    /// Customers put in the list.
    pub added: i64,
    /// Rows naming a customer already in it (or named twice).
    pub already_members: i64,
    /// Rows that named no customer you may see.
    pub error_count: i64,
    /// The first 1,000 of them.
    pub errors: Vec<SegmentImportError>,
}

impl SegmentImportReport {
    /// The report of `fill` on `segment`.
    pub fn new(segment: entity::segment::Model, fill: FillReport) -> Self {
        SegmentImportReport {
            segment: Segment(segment),
            added: fill.added as i64,
            already_members: fill.already_members as i64,
            error_count: fill.errors.len() as i64,
            errors: fill
                .errors
                .into_iter()
                .take(1_000)
                .map(|e| SegmentImportError {
                    row: e.row as i64,
                    message: e.message,
                })
                .collect(),
        }
    }
}
