//! Customer types of the API, and their conversion into domain values.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, Json, MaybeUndefined, Object, Result, SimpleObject,
    ID,
};
use chrono::{DateTime, Utc};

use super::records::{
    parse_points, points, points_change, AcquisitionChannel, ContactPoint, ContactPointInput,
    PostalAddress, PostalAddressInput,
};
use crate::auth::Permission;
use crate::domain::analytics::values::ValueSortField;
use crate::domain::contact_points::PointKind;
use crate::domain::customers::{
    self as domain, rules, CustomerChanges, CustomerDetailChanges, CustomerDetails, CustomerOrder,
    NewCustomer,
};
use crate::domain::filter::EnumFilter;
use crate::error::Error;
use crate::graphql::common::{
    parse_id, to_id, DateTimeFilter, DecimalFilter, IdFilter, IntFilter, Money, OrderDirection,
    PageInfo, StringFilter, StringListFilter,
};
use crate::graphql::context::{edge_into, read_tx};
use crate::graphql::identity::types::User;
use crate::graphql::loaders::MemberLoader;

/// A company or a person.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customers::CustomerKind")]
pub enum CustomerKind {
    Company,
    Person,
}

/// Where a customer stands in the relationship.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customers::LifecycleStage")]
pub enum LifecycleStage {
    Subscriber,
    Lead,
    Prospect,
    Opportunity,
    Customer,
    Evangelist,
    Churned,
    Other,
}

/// A customer: a company or a person the workspace does business with.
pub struct Customer(pub entity::customer::Model);

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn kind(&self) -> Result<CustomerKind> {
        Ok(domain::CustomerKind::parse(&self.0.kind)?.into())
    }
    async fn name(&self) -> &str {
        &self.0.name
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
        points(domain::emails_of(&self.0))
    }
    /// Every phone, the primary one first.
    async fn phones(&self) -> Vec<ContactPoint> {
        points(domain::phones_of(&self.0))
    }
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }
    /// The postal address; null when it has no part.
    async fn address(&self) -> Option<PostalAddress> {
        PostalAddress::of(domain::address_of(&self.0))
    }
    /// Where the customer came from, in the workspace's words (a campaign, a fair, a referrer).
    async fn acquisition_source(&self) -> Option<&str> {
        self.0.acquisition_source.as_deref()
    }
    /// How the customer first found the workspace.
    async fn acquisition_channel(&self) -> Result<Option<AcquisitionChannel>> {
        Ok(self
            .0
            .acquisition_channel
            .as_deref()
            .map(domain::AcquisitionChannel::parse)
            .transpose()?
            .map(Into::into))
    }
    /// The team of the workspace the customer belongs to.
    async fn team_id(&self) -> Option<ID> {
        self.0.team_id.map(to_id)
    }
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// The customer's id in a partner system; unique in the workspace.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn lifecycle_stage(&self) -> Result<LifecycleStage> {
        Ok(domain::LifecycleStage::parse(&self.0.lifecycle_stage)?.into())
    }
    /// The member responsible for this customer.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(owner_id) = self.0.owner_id else {
            return Ok(None);
        };
        let loader =
            ctx.data::<DataLoader<MemberLoader, async_graphql::dataloader::HashMapCache>>()?;
        Ok(loader.load_one(owner_id).await?.map(User))
    }
    async fn tags(&self) -> &[String] {
        &self.0.tags
    }
    /// Workspace-defined fields, as a JSON object.
    async fn custom_fields(&self) -> Json<serde_json::Value> {
        Json(self.0.custom_fields.clone())
    }
    /// The people at this customer, oldest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::relations::ContactConnection> {
        super::relations::contacts_of(ctx, self.0.id, first, after).await
    }
    /// Every interaction with this customer, newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::relations::InteractionConnection> {
        super::relations::interactions_of(ctx, self.0.id, first, after).await
    }
    /// How many (live) contacts the customer has.
    async fn contact_count(&self) -> i32 {
        self.0.contact_count
    }
    /// How many interactions were logged with the customer.
    async fn interaction_count(&self) -> i32 {
        self.0.interaction_count
    }
    /// Tasks about the customer not done yet.
    async fn open_task_count(&self) -> i32 {
        self.0.open_task_count
    }
    /// When the customer was last contacted; null when never.
    async fn last_interaction_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_interaction_at
    }
    /// How many orders the customer placed (cancelled and refunded ones
    /// do not count).
    async fn order_count(&self, ctx: &Context<'_>) -> Result<i32> {
        edge_into(ctx, Permission::OrdersRead)?;
        Ok(self.0.order_count)
    }
    /// What those orders came to in the workspace's base currency, each at
    /// the exchange rate in force on its date (orders in a currency without
    /// a rate then add nothing until one is set).
    async fn order_total(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        edge_into(ctx, Permission::OrdersRead)?;
        let loader =
            ctx.data_unchecked::<DataLoader<crate::graphql::sales::loaders::ExchangeRateLoader>>();
        let base = loader.loader().base_currency().await?;
        Ok(crate::domain::currencies::Money::new(self.0.order_total, base).into())
    }
    /// When the customer last placed an order; null when never.
    async fn last_order_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        edge_into(ctx, Permission::OrdersRead)?;
        Ok(self.0.last_order_at)
    }
    /// Everything that happened with this customer, newest first:
    /// interactions and system events (creation, stage and owner changes,
    /// deletes and restores).
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::history::TimelineConnection> {
        super::history::timeline_of(ctx, self.0.id, first, after).await
    }
    /// What this customer bought, newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::sales::types::OrderConnection> {
        crate::graphql::sales::types::orders_of(ctx, self.0.id, first, after).await
    }
    /// The customer's deals, newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::deals::types::DealConnection> {
        crate::graphql::deals::types::deals_of(ctx, self.0.id, first, after, false).await
    }
    /// The customer's open deals, newest first (part of the cached 360 view).
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn open_deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::deals::types::DealConnection> {
        crate::graphql::deals::types::deals_of(ctx, self.0.id, first, after, true).await
    }
    /// How many of the customer's deals are open.
    async fn open_deal_count(&self, ctx: &Context<'_>) -> Result<i32> {
        edge_into(ctx, Permission::DealsRead)?;
        Ok(self.0.open_deal_count)
    }
    /// The open deals' amount in the workspace's base currency.
    async fn open_deal_amount(&self, ctx: &Context<'_>) -> Result<crate::graphql::common::Money> {
        edge_into(ctx, Permission::DealsRead)?;
        let base = crate::graphql::deals::types::base_currency(ctx).await?;
        Ok(crate::graphql::common::Money {
            amount: crate::domain::currencies::display(self.0.open_deal_amount, &base),
            currency: base,
        })
    }
    /// The customer's cases (service requests), newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::service::types::CaseConnection> {
        crate::graphql::service::query::cases_of(ctx, self.0.id, first, after, false).await
    }
    /// The customer's open cases (new, open or pending), newest first (part
    /// of the cached 360 view).
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn open_cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::service::types::CaseConnection> {
        crate::graphql::service::query::cases_of(ctx, self.0.id, first, after, true).await
    }
    /// How many of the customer's cases are open.
    async fn open_case_count(&self, ctx: &Context<'_>) -> Result<i64> {
        edge_into(ctx, Permission::CasesRead)?;
        if let Some(view) = super::relations::ViewsOfRequest::get(ctx, self.0.id) {
            return Ok(view.open_case_count);
        }
        let loader = ctx
            .data_unchecked::<DataLoader<crate::graphql::service::loaders::OpenCaseCountLoader>>();
        Ok(loader.load_one(self.0.id).await?.unwrap_or(0))
    }
    /// The marketing segments the customer is in, by name.
    async fn segments(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::marketing::types::Segment>> {
        edge_into(ctx, Permission::MarketingRead)?;
        let loader = ctx.data_unchecked::<
            DataLoader<crate::graphql::marketing::loaders::CustomerSegmentsLoader>,
        >();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::marketing::types::Segment)
            .collect())
    }
    /// Customer value figures (RFM, tier, lifetime value, churn risk) from
    /// the latest successful analytics run; null before the first
    /// computation and for customers without purchases.
    async fn value(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::graphql::analytics::types::CustomerValue>> {
        crate::graphql::analytics::types::value_of(ctx, self.0.id).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One customer in a page, with its cursor.
#[derive(SimpleObject)]
pub struct CustomerEdge {
    pub cursor: String,
    pub node: Customer,
}

/// A page of customers.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerConnection {
    pub edges: Vec<CustomerEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: domain::CustomerFilter,
}

#[ComplexObject]
impl CustomerConnection {
    /// How many customers match the filter, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(domain::count(&tx, &self.filter).await? as i64)
    }
}

/// Conditions on the lifecycle stage.
#[derive(InputObject, Clone, Debug, Default)]
pub struct LifecycleStageFilter {
    pub eq: Option<LifecycleStage>,
    pub ne: Option<LifecycleStage>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<LifecycleStage>>,
}

impl From<LifecycleStageFilter> for EnumFilter {
    fn from(f: LifecycleStageFilter) -> Self {
        let name = |s: LifecycleStage| domain::LifecycleStage::from(s).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: f.ne.map(name),
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

/// Conditions on the customer kind.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CustomerKindFilter {
    pub eq: Option<CustomerKind>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<CustomerKind>>,
}

impl From<CustomerKindFilter> for EnumFilter {
    fn from(f: CustomerKindFilter) -> Self {
        let name = |k: CustomerKind| domain::CustomerKind::from(k).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: None,
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

/// Conditions on the acquisition channel.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AcquisitionChannelFilter {
    pub eq: Option<AcquisitionChannel>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<AcquisitionChannel>>,
}

impl From<AcquisitionChannelFilter> for EnumFilter {
    fn from(f: AcquisitionChannelFilter) -> Self {
        let name = |c: AcquisitionChannel| domain::AcquisitionChannel::from(c).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: None,
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

/// Which customers to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CustomerFilter {
    pub name: Option<StringFilter>,
    /// Any of the customer's emails (`ne`: none of them; `isNull`: has none).
    pub email: Option<StringFilter>,
    /// Any of the customer's phones, as written (`ne`: none of them; `isNull`: has none).
    pub phone: Option<StringFilter>,
    pub region: Option<StringFilter>,
    pub city: Option<StringFilter>,
    /// ISO 3166-1 alpha-2 codes, upper case.
    pub country: Option<StringFilter>,
    pub acquisition_source: Option<StringFilter>,
    pub acquisition_channel: Option<AcquisitionChannelFilter>,
    pub team_id: Option<IdFilter>,
    pub industry: Option<StringFilter>,
    pub external_id: Option<StringFilter>,
    pub lifecycle_stage: Option<LifecycleStageFilter>,
    pub kind: Option<CustomerKindFilter>,
    pub owner_id: Option<IdFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub updated_at: Option<DateTimeFilter>,
    pub tags: Option<StringListFilter>,
    /// When the customer was last contacted (null: never).
    pub last_interaction_at: Option<DateTimeFilter>,
    pub interaction_count: Option<IntFilter>,
    pub open_task_count: Option<IntFilter>,
    pub contact_count: Option<IntFilter>,
    /// Orders placed, cancelled and refunded ones left out.
    pub order_count: Option<IntFilter>,
    /// Order total in the workspace's base currency.
    pub order_total: Option<DecimalFilter>,
    /// When the customer last placed an order (null: never).
    pub last_order_at: Option<DateTimeFilter>,
    /// How many of the customer's deals are open.
    pub open_deal_count: Option<IntFilter>,
    /// The open deals' amount in the base currency.
    pub open_deal_amount: Option<DecimalFilter>,
    /// Customers with at least one contact matching all of these.
    pub contacts: Option<ContactMatchFilter>,
    /// Customers with at least one interaction matching all of these.
    pub interactions: Option<InteractionMatchFilter>,
    /// Conditions on workspace-defined fields (see `customFieldDefinitions`).
    pub custom_fields: Option<Vec<CustomFieldFilter>>,
    /// Conditions on the customer value figures (`Customer.value`).
    pub value: Option<crate::graphql::analytics::types::CustomerValueFilter>,
    /// Customers in this marketing segment (`eq`) or in any of these (`in`).
    /// Not allowed in a segment's own filter.
    pub segment_id: Option<IdFilter>,
    pub and: Option<Vec<CustomerFilter>>,
    pub or: Option<Vec<CustomerFilter>>,
    pub not: Option<Box<CustomerFilter>>,
}

impl CustomerFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<domain::CustomerFilter, Error> {
        let nested =
            |list: Option<Vec<CustomerFilter>>| -> Result<Vec<domain::CustomerFilter>, Error> {
                list.unwrap_or_default()
                    .into_iter()
                    .map(CustomerFilter::into_domain)
                    .collect()
            };
        Ok(domain::CustomerFilter {
            name: self.name.map(Into::into),
            email: self.email.map(Into::into),
            phone: self.phone.map(Into::into),
            region: self.region.map(Into::into),
            city: self.city.map(Into::into),
            country: self.country.map(Into::into),
            acquisition_source: self.acquisition_source.map(Into::into),
            acquisition_channel: self.acquisition_channel.map(Into::into),
            team_id: self
                .team_id
                .map(|f| f.into_ids("filter.teamId"))
                .transpose()?,
            industry: self.industry.map(Into::into),
            external_id: self.external_id.map(Into::into),
            lifecycle_stage: self.lifecycle_stage.map(Into::into),
            kind: self.kind.map(Into::into),
            owner_id: self
                .owner_id
                .map(|f| f.into_ids("filter.ownerId"))
                .transpose()?,
            created_at: self.created_at.map(Into::into),
            updated_at: self.updated_at.map(Into::into),
            tags: self.tags.map(Into::into),
            last_interaction_at: self.last_interaction_at.map(Into::into),
            interaction_count: self.interaction_count.map(Into::into),
            open_task_count: self.open_task_count.map(Into::into),
            contact_count: self.contact_count.map(Into::into),
            order_count: self.order_count.map(Into::into),
            order_total: self.order_total.map(Into::into),
            last_order_at: self.last_order_at.map(Into::into),
            open_deal_count: self.open_deal_count.map(Into::into),
            open_deal_amount: self.open_deal_amount.map(Into::into),
            contacts: self.contacts.map(|m| domain::ContactMatch {
                name: m.name.map(Into::into),
                email: m.email.map(Into::into),
                title: m.title.map(Into::into),
                phone: m.phone.map(Into::into),
            }),
            interactions: self.interactions.map(|m| domain::InteractionMatch {
                kind: m.kind.map(|kinds| EnumFilter {
                    eq: None,
                    ne: None,
                    in_list: Some(
                        kinds
                            .into_iter()
                            .map(|k| crate::domain::interactions::InteractionKind::from(k).as_str())
                            .collect(),
                    ),
                }),
                subject: m.subject.map(Into::into),
                occurred_at: m.occurred_at.map(Into::into),
                open_task: m.open_task,
            }),
            custom_fields: self
                .custom_fields
                .unwrap_or_default()
                .into_iter()
                .map(CustomFieldFilter::into_domain)
                .collect(),
            value: self.value.map(Into::into),
            segment_ids: self
                .segment_id
                .map(|f| f.into_ids("filter.segmentId"))
                .transpose()?,
            and: nested(self.and)?,
            or: nested(self.or)?,
            not: self
                .not
                .map(|f| f.into_domain().map(Box::new))
                .transpose()?,
        })
    }
}

/// Conditions on one custom field; values are JSON of the field's type
/// (numbers, `"YYYY-MM-DD"` dates, option names, money amounts).
#[derive(InputObject, Clone, Debug)]
pub struct CustomFieldFilter {
    /// The field's key.
    pub key: String,
    pub eq: Option<Json<serde_json::Value>>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<Json<serde_json::Value>>>,
    pub gt: Option<Json<serde_json::Value>>,
    pub gte: Option<Json<serde_json::Value>>,
    pub lt: Option<Json<serde_json::Value>>,
    pub lte: Option<Json<serde_json::Value>>,
    /// Text fields: case-insensitive substring; multi-select: holds this option.
    pub contains: Option<String>,
    /// True: the record has no value for the field.
    pub is_null: Option<bool>,
}

impl CustomFieldFilter {
    /// The domain condition.
    pub fn into_domain(self) -> crate::domain::custom_fields::FieldFilter {
        crate::domain::custom_fields::FieldFilter {
            key: self.key,
            eq: self.eq.map(|j| j.0),
            in_list: self.in_list.map(|l| l.into_iter().map(|j| j.0).collect()),
            gt: self.gt.map(|j| j.0),
            gte: self.gte.map(|j| j.0),
            lt: self.lt.map(|j| j.0),
            lte: self.lte.map(|j| j.0),
            contains: self.contains,
            is_null: self.is_null,
        }
    }
}

/// Conditions on one of a customer's contacts.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ContactMatchFilter {
    pub name: Option<StringFilter>,
    pub email: Option<StringFilter>,
    pub title: Option<StringFilter>,
    pub phone: Option<StringFilter>,
}

/// Conditions on one of a customer's interactions.
#[derive(InputObject, Clone, Debug, Default)]
pub struct InteractionMatchFilter {
    /// Any of these kinds.
    pub kind: Option<Vec<super::relations::InteractionKind>>,
    pub subject: Option<StringFilter>,
    pub occurred_at: Option<DateTimeFilter>,
    /// Only tasks not yet done (true) or anything else (false).
    pub open_task: Option<bool>,
}

/// Fields customers can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CustomerOrderField {
    /// Case-insensitive.
    Name,
    CreatedAt,
    UpdatedAt,
    /// Never-contacted customers count as the oldest.
    LastInteractionAt,
    InteractionCount,
    OrderCount,
    /// Order total in the workspace's base currency.
    OrderTotal,
    /// Customers without orders count as the oldest.
    LastOrderAt,
    /// Customers without a country come first.
    Country,
    /// Case-insensitive; customers without a city come first.
    City,
    /// The custom field named in `customField`; records without a value come first.
    CustomField,
    OpenDealCount,
    /// The open deals' amount in the base currency.
    OpenDealAmount,
    /// Customer value figures (`Customer.value`); customers without figures
    /// count as −1 (first ascending, last descending).
    #[graphql(name = "CLV_12M")]
    Clv12m,
    ChurnRisk,
    MonetaryTotal,
    ProbabilityAlive,
    /// Days since the last purchase.
    Recency,
    PotentialValue,
}

/// One sort key; ties are broken by id.
#[derive(InputObject, Clone, Debug)]
pub struct CustomerOrderBy {
    pub field: CustomerOrderField,
    /// With `field: CUSTOM_FIELD`: the custom field's key.
    pub custom_field: Option<String>,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<CustomerOrderBy> for CustomerOrder {
    fn from(o: CustomerOrderBy) -> Self {
        CustomerOrder {
            field: match o.field {
                CustomerOrderField::Name => domain::CustomerOrderField::Name,
                CustomerOrderField::CreatedAt => domain::CustomerOrderField::CreatedAt,
                CustomerOrderField::UpdatedAt => domain::CustomerOrderField::UpdatedAt,
                CustomerOrderField::LastInteractionAt => {
                    domain::CustomerOrderField::LastInteractionAt
                }
                CustomerOrderField::InteractionCount => {
                    domain::CustomerOrderField::InteractionCount
                }
                CustomerOrderField::OrderCount => domain::CustomerOrderField::OrderCount,
                CustomerOrderField::OrderTotal => domain::CustomerOrderField::OrderTotal,
                CustomerOrderField::LastOrderAt => domain::CustomerOrderField::LastOrderAt,
                CustomerOrderField::Country => domain::CustomerOrderField::Country,
                CustomerOrderField::City => domain::CustomerOrderField::City,
                CustomerOrderField::CustomField => domain::CustomerOrderField::CustomField,
                CustomerOrderField::OpenDealCount => domain::CustomerOrderField::OpenDealCount,
                CustomerOrderField::OpenDealAmount => domain::CustomerOrderField::OpenDealAmount,
                CustomerOrderField::Clv12m => {
                    domain::CustomerOrderField::Value(ValueSortField::Clv12m)
                }
                CustomerOrderField::ChurnRisk => {
                    domain::CustomerOrderField::Value(ValueSortField::ChurnRisk)
                }
                CustomerOrderField::MonetaryTotal => {
                    domain::CustomerOrderField::Value(ValueSortField::MonetaryTotal)
                }
                CustomerOrderField::ProbabilityAlive => {
                    domain::CustomerOrderField::Value(ValueSortField::ProbabilityAlive)
                }
                CustomerOrderField::Recency => {
                    domain::CustomerOrderField::Value(ValueSortField::RecencyDays)
                }
                CustomerOrderField::PotentialValue => {
                    domain::CustomerOrderField::Value(ValueSortField::PotentialValue)
                }
            },
            descending: o.direction == OrderDirection::Desc,
            custom_field: o.custom_field,
        }
    }
}

/// A new customer.
#[derive(InputObject)]
pub struct CreateCustomerInput {
    pub kind: CustomerKind,
    pub name: String,
    /// The primary email; with `emails`, it is made their primary one.
    pub email: Option<String>,
    /// The primary phone; with `phones`, it is made their primary one.
    pub phone: Option<String>,
    /// Every email with its label; one may be marked primary (else the first is).
    pub emails: Option<Vec<ContactPointInput>>,
    /// Every phone with its label; one may be marked primary (else the first is).
    pub phones: Option<Vec<ContactPointInput>>,
    pub address: Option<PostalAddressInput>,
    pub acquisition_source: Option<String>,
    pub acquisition_channel: Option<AcquisitionChannel>,
    /// A team of the workspace.
    pub team_id: Option<ID>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    /// The customer's id in a partner system; unique in the workspace.
    pub external_id: Option<String>,
    /// `LEAD` when not given.
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<ID>,
    /// At most 50 tags, each one line of at most 50 characters.
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<serde_json::Value>>,
}

impl CreateCustomerInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<(NewCustomer, CustomerDetails), Error> {
        let optional =
            |raw: Option<String>, rule: &dyn Fn(&str) -> Result<Option<String>, Error>| {
                raw.map(|v| rule(&v)).transpose().map(Option::flatten)
            };
        let details = CustomerDetails {
            emails: self
                .emails
                .map(|l| parse_points(PointKind::Email, "emails", l))
                .transpose()?,
            phones: self
                .phones
                .map(|l| parse_points(PointKind::Phone, "phones", l))
                .transpose()?,
            address: self
                .address
                .map(|a| a.into_domain("address"))
                .transpose()?
                .unwrap_or_default(),
            acquisition_source: optional(self.acquisition_source, &|v| {
                rules::short_text("acquisitionSource", v)
            })?,
            acquisition_channel: self.acquisition_channel.map(Into::into),
            team_id: self.team_id.map(|id| parse_id("teamId", &id)).transpose()?,
        };
        let new = NewCustomer {
            kind: self.kind.into(),
            name: rules::name(&self.name)?,
            email: optional(self.email, &rules::email)?,
            phone: optional(self.phone, &rules::phone)?,
            website: optional(self.website, &rules::website)?,
            industry: optional(self.industry, &|v| rules::short_text("industry", v))?,
            region: optional(self.region, &|v| rules::short_text("region", v))?,
            external_id: optional(self.external_id, &|v| rules::short_text("externalId", v))?,
            lifecycle_stage: self
                .lifecycle_stage
                .map(Into::into)
                .unwrap_or(domain::LifecycleStage::Lead),
            owner_id: self
                .owner_id
                .map(|id| parse_id("ownerId", &id))
                .transpose()?,
            tags: rules::tags(&self.tags.unwrap_or_default())?,
            custom_fields: rules::custom_fields(
                self.custom_fields
                    .map(|j| j.0)
                    .unwrap_or_else(|| serde_json::json!({})),
            )?,
        };
        Ok((new, details))
    }
}

/// Changes to a customer. Only the fields given change; `null` clears an
/// optional field.
#[derive(InputObject)]
pub struct UpdateCustomerInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub kind: Option<CustomerKind>,
    pub name: Option<String>,
    /// The primary email: replaces the current primary one (`null` drops it,
    /// and the next becomes primary).
    pub email: MaybeUndefined<String>,
    /// The primary phone, like `email`.
    pub phone: MaybeUndefined<String>,
    /// Replaces every email (`null` or `[]` removes them all).
    pub emails: MaybeUndefined<Vec<ContactPointInput>>,
    /// Replaces every phone (`null` or `[]` removes them all).
    pub phones: MaybeUndefined<Vec<ContactPointInput>>,
    /// Replaces the whole address; `null` clears it.
    pub address: MaybeUndefined<PostalAddressInput>,
    pub acquisition_source: MaybeUndefined<String>,
    pub acquisition_channel: MaybeUndefined<AcquisitionChannel>,
    pub team_id: MaybeUndefined<ID>,
    pub website: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub region: MaybeUndefined<String>,
    pub external_id: MaybeUndefined<String>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: MaybeUndefined<ID>,
    /// Replaces the tags: at most 50, each one line of at most 50 characters.
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Json<serde_json::Value>>,
}

/// `Some(None)` clears, `Some(Some(v))` sets, `None` leaves as is; blank text clears.
fn change(
    value: MaybeUndefined<String>,
    rule: &dyn Fn(&str) -> Result<Option<String>, Error>,
) -> Result<Option<Option<String>>, Error> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(rule(&v)?)),
    }
}

impl UpdateCustomerInput {
    /// The record id, its expected version and the validated changes.
    pub fn into_domain(
        self,
    ) -> Result<(uuid::Uuid, i32, CustomerChanges, CustomerDetailChanges), Error> {
        let id = parse_id("id", &self.id)?;
        let details = CustomerDetailChanges {
            emails: points_change(PointKind::Email, "emails", self.emails)?,
            phones: points_change(PointKind::Phone, "phones", self.phones)?,
            address: match self.address {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Default::default()),
                MaybeUndefined::Value(a) => Some(a.into_domain("address")?),
            },
            acquisition_source: change(self.acquisition_source, &|v| {
                rules::short_text("acquisitionSource", v)
            })?,
            acquisition_channel: match self.acquisition_channel {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(c) => Some(Some(c.into())),
            },
            team_id: match self.team_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(parse_id("teamId", &id)?)),
            },
        };
        let changes = CustomerChanges {
            kind: self.kind.map(Into::into),
            name: self.name.map(|n| rules::name(&n)).transpose()?,
            email: change(self.email, &rules::email)?,
            phone: change(self.phone, &rules::phone)?,
            website: change(self.website, &rules::website)?,
            industry: change(self.industry, &|v| rules::short_text("industry", v))?,
            region: change(self.region, &|v| rules::short_text("region", v))?,
            external_id: change(self.external_id, &|v| rules::short_text("externalId", v))?,
            lifecycle_stage: self.lifecycle_stage.map(Into::into),
            owner_id: match self.owner_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(parse_id("ownerId", &id)?)),
            },
            tags: self.tags.map(|t| rules::tags(&t)).transpose()?,
            custom_fields: self
                .custom_fields
                .map(|j| rules::custom_fields(j.0))
                .transpose()?,
        };
        Ok((id, self.version, changes, details))
    }
}

/// The customer a mutation wrote.
#[derive(SimpleObject)]
pub struct CustomerPayload {
    pub customer: Customer,
    /// Existing customers that look like this one (same email, same phone,
    /// similar name), most likely first, at most 10; reported by
    /// `createCustomer`, empty otherwise.
    pub duplicates: Vec<super::search::DuplicateCandidate>,
}
