//! GraphQL types of campaigns: the campaign, its members, costs and
//! results, their connections, inputs and payloads.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::campaign_step_types::CampaignStep;
use super::loaders::{
    CampaignCostsLoader, CampaignResultsLoader, CampaignStepsLoader, ChildCampaignsLoader,
};
use super::types::Segment;
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::currencies;
use crate::domain::filter::EnumFilter;
use crate::domain::marketing::campaign_results::{
    Attribution as DomainAttribution, CampaignResults as DomainResults,
};
use crate::domain::marketing::campaigns::{
    self, CampaignPlan, CampaignSort, CampaignSortField, CostKind, MemberStatus, NewCampaign,
    NewCost,
};
use crate::domain::marketing::segments;
use crate::domain::pagination::Page;
use crate::error::Error;
use crate::graphql::common::{
    page_request, parse_id, parse_ids, to_id, Date, IdFilter, Money, MoneyInput, OrderDirection,
    PageInfo, StringFilter,
};
use crate::graphql::context::{edge_into, read_tx};
use crate::graphql::customers::types::Customer;
use crate::graphql::identity::types::User;
use crate::graphql::loaders::MemberLoader;
use crate::graphql::sales::loaders::CustomerLoader;

/// The channel a campaign works through.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::campaigns::CampaignKind")]
pub enum CampaignKind {
    Email,
    Sms,
    Phone,
    Event,
    Webinar,
    DirectMail,
    Advertising,
    Social,
    Other,
}

/// Where a campaign stands: `PLANNED`, then `ACTIVE` (its audience's
/// members are taken when it starts), then `COMPLETED`; `PLANNED` and
/// `ACTIVE` campaigns may be `CANCELLED`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::campaigns::CampaignStatus")]
pub enum CampaignStatus {
    Planned,
    Active,
    Completed,
    Cancelled,
}

/// How far a campaign got with a member. Any status but `TARGETED` and
/// `BOUNCED` means the campaign reached the customer.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::campaigns::MemberStatus")]
pub enum CampaignMemberStatus {
    Targeted,
    Sent,
    Delivered,
    Opened,
    Clicked,
    Responded,
    Converted,
    Unsubscribed,
    Bounced,
}

/// Whether a cost line is budgeted or spent.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::campaigns::CostKind")]
pub enum CampaignCostKind {
    Planned,
    Actual,
}

/// How an order's revenue is shared among the campaigns that reached its
/// customer within the window before it.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::marketing::campaign_results::Attribution")]
pub enum AttributionModel {
    /// All to the earliest.
    FirstTouch,
    /// All to the latest.
    LastTouch,
    /// Split equally.
    Linear,
}

fn money(amount: Decimal, currency: &str) -> Money {
    currencies::Money::new(amount, currency).into()
}

/// A marketing campaign.
pub struct Campaign(pub entity::campaign::Model);

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What orders and leads name it by (their `campaign`); never changes.
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> Result<CampaignKind> {
        Ok(campaigns::CampaignKind::parse(&self.0.kind)?.into())
    }
    async fn objective(&self) -> Option<&str> {
        self.0.objective.as_deref()
    }
    async fn status(&self) -> Result<CampaignStatus> {
        Ok(campaigns::CampaignStatus::parse(&self.0.status)?.into())
    }
    /// The programme it belongs to.
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(to_id)
    }
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Campaign>> {
        let Some(parent) = self.0.parent_id else {
            return Ok(None);
        };
        let tx = read_tx(ctx).await?;
        Ok(campaigns::find(&tx, parent).await?.map(Campaign))
    }
    /// The campaigns of this programme, by name.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Campaign>> {
        let loader = ctx.data_unchecked::<DataLoader<ChildCampaignsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Campaign)
            .collect())
    }
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
    async fn team_id(&self) -> Option<ID> {
        self.0.team_id.map(to_id)
    }
    async fn region_id(&self) -> Option<ID> {
        self.0.region_id.map(to_id)
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    async fn budget(&self) -> Option<Money> {
        let currency = self.0.currency.as_deref()?;
        self.0.budget.map(|b| money(b, currency))
    }
    async fn expected_revenue(&self) -> Option<Money> {
        let currency = self.0.currency.as_deref()?;
        self.0.expected_revenue.map(|r| money(r, currency))
    }
    async fn expected_responses(&self) -> Option<i32> {
        self.0.expected_responses
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    /// When it was completed or cancelled.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// The segments it targets; their members are taken when it starts
    /// (and at once for segments added while it is active).
    async fn audience(&self, ctx: &Context<'_>) -> Result<Vec<Segment>> {
        let tx = read_tx(ctx).await?;
        let ids = campaigns::audience_of(&tx, &[self.0.id])
            .await?
            .remove(&self.0.id)
            .unwrap_or_default();
        let mut found: Vec<_> = segments::find_many(&tx, &ids)
            .await?
            .into_values()
            .collect();
        found.sort_by_key(|s| s.name.to_lowercase());
        Ok(found.into_iter().map(Segment).collect())
    }
    /// Its scheduled steps (emails, invitations, call lists), by time.
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<CampaignStep>> {
        let loader = ctx.data_unchecked::<DataLoader<CampaignStepsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CampaignStep)
            .collect())
    }
    /// Its planned and actual cost lines, oldest first.
    async fn costs(&self, ctx: &Context<'_>) -> Result<Vec<CampaignCost>> {
        let loader = ctx.data_unchecked::<DataLoader<CampaignCostsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(CampaignCost)
            .collect())
    }
    /// Its members whose customers you may see, in the order they were
    /// added, optionally of one status.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<CampaignMemberStatus>,
    ) -> Result<CampaignMemberConnection> {
        edge_into(ctx, Permission::CustomersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            None,
            None,
        )?;
        let tx = read_tx(ctx).await?;
        let page = campaigns::members(&tx, self.0.id, status.map(Into::into), &page).await?;
        Ok(member_connection(page))
    }
    /// What it brought, in the workspace's base currency, over the
    /// customers you may see: with its sub-campaigns (`includeChildren`,
    /// the default), crediting touches within `windowDays` (1 to 730, 90
    /// by default) before each order.
    async fn results(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] include_children: bool,
        #[graphql(default = 90)] window_days: i32,
    ) -> Result<CampaignResults> {
        edge_into(ctx, Permission::OrdersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<CampaignResultsLoader>>();
        let results = loader
            .load_one((self.0.id, include_children, window_days))
            .await?
            .unwrap_or_default();
        let base = crate::graphql::deals::types::base_currency(ctx).await?;
        Ok(CampaignResults { results, base })
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A planned or actual cost of a campaign.
pub struct CampaignCost(pub entity::campaign_cost::Model);

#[Object]
impl CampaignCost {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn kind(&self) -> Result<CampaignCostKind> {
        Ok(CostKind::parse(&self.0.kind)?.into())
    }
    /// What it pays for (media, venue, agency, …).
    async fn category(&self) -> &str {
        &self.0.category
    }
    async fn amount(&self) -> Money {
        money(self.0.amount, &self.0.currency)
    }
    async fn incurred_on(&self) -> Date {
        Date(self.0.incurred_on)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A customer a campaign targets.
pub struct CampaignMember(pub entity::campaign_member::Model);

#[Object]
impl CampaignMember {
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        let loader = ctx.data_unchecked::<DataLoader<CustomerLoader>>();
        Ok(loader.load_one(self.0.customer_id).await?.map(Customer))
    }
    async fn status(&self) -> Result<CampaignMemberStatus> {
        Ok(MemberStatus::parse(&self.0.status)?.into())
    }
    /// The audience segment it came from; null when added by hand.
    async fn source_segment_id(&self) -> Option<ID> {
        self.0.source_segment_id.map(to_id)
    }
    async fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }
    /// When its status last changed.
    async fn status_changed_at(&self) -> DateTime<Utc> {
        self.0.status_at
    }
    /// When the campaign first reached it; attribution counts from then.
    async fn reached_at(&self) -> Option<DateTime<Utc>> {
        self.0.touched_at
    }
}

/// One member of a page.
#[derive(SimpleObject)]
pub struct CampaignMemberEdge {
    pub cursor: String,
    pub node: CampaignMember,
}

/// A page of a campaign's members.
#[derive(SimpleObject)]
pub struct CampaignMemberConnection {
    pub edges: Vec<CampaignMemberEdge>,
    pub page_info: PageInfo,
}

fn member_connection(page: Page<entity::campaign_member::Model>) -> CampaignMemberConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    CampaignMemberConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| CampaignMemberEdge {
                cursor,
                node: CampaignMember(row),
            })
            .collect(),
        page_info,
    }
}

/// How many members have a status.
#[derive(SimpleObject)]
pub struct CampaignMemberStatusCount {
    pub status: CampaignMemberStatus,
    pub count: i64,
}

/// What a campaign brought; money in the workspace's base currency.
pub struct CampaignResults {
    results: DomainResults,
    base: String,
}

#[Object]
impl CampaignResults {
    /// Members whose customers you may see.
    async fn member_count(&self) -> i64 {
        self.results.members
    }
    /// Members per status (statuses with none left out).
    async fn members_by_status(&self) -> Vec<CampaignMemberStatusCount> {
        MemberStatus::ALL
            .iter()
            .filter_map(|s| {
                self.results
                    .by_status
                    .get(s)
                    .map(|n| CampaignMemberStatusCount {
                        status: (*s).into(),
                        count: *n,
                    })
            })
            .collect()
    }
    /// Members the campaign reached.
    async fn reached(&self) -> i64 {
        self.results.reached
    }
    /// Members who responded or converted.
    async fn responses(&self) -> i64 {
        self.results.responses()
    }
    /// Leads naming the campaign.
    async fn leads(&self) -> i64 {
        self.results.leads
    }
    async fn converted_leads(&self) -> i64 {
        self.results.converted_leads
    }
    /// Orders naming the campaign (cancelled and refunded ones left out).
    async fn orders(&self) -> i64 {
        self.results.orders
    }
    /// Their revenue.
    async fn order_revenue(&self) -> Money {
        money(self.results.revenue, &self.base)
    }
    async fn planned_cost(&self) -> Money {
        money(self.results.planned_cost, &self.base)
    }
    async fn actual_cost(&self) -> Money {
        money(self.results.actual_cost, &self.base)
    }
    /// Cost lines left out of the costs: their currency had no exchange
    /// rate on the day they were incurred.
    async fn costs_without_rate(&self) -> i64 {
        self.results.costs_without_rate
    }
    /// Revenue credited to the campaign under `model`.
    async fn attributed_revenue(
        &self,
        #[graphql(default_with = "AttributionModel::LastTouch")] model: AttributionModel,
    ) -> Money {
        let credited = self.results.credited.get(&model.into());
        money(credited.map(|c| c.revenue).unwrap_or_default(), &self.base)
    }
    /// Orders credited (in part, for `LINEAR`) to the campaign.
    async fn attributed_orders(
        &self,
        #[graphql(default_with = "AttributionModel::LastTouch")] model: AttributionModel,
    ) -> i64 {
        let credited = self.results.credited.get(&DomainAttribution::from(model));
        credited.map(|c| c.orders).unwrap_or(0)
    }
    /// Customers with a credited order: the campaign's acquisitions.
    async fn acquisitions(
        &self,
        #[graphql(default_with = "AttributionModel::LastTouch")] model: AttributionModel,
    ) -> i64 {
        let credited = self.results.credited.get(&DomainAttribution::from(model));
        credited.map(|c| c.customers).unwrap_or(0)
    }
    /// (attributed revenue − actual cost) / actual cost; null without costs.
    async fn roi(
        &self,
        #[graphql(default_with = "AttributionModel::LastTouch")] model: AttributionModel,
    ) -> Option<f64> {
        self.results.roi(model.into())
    }
    /// Actual cost per lead; null without leads.
    async fn cost_per_lead(&self) -> Option<Money> {
        self.results
            .cost_per_lead()
            .map(|c| money(currencies::round(c, &self.base), &self.base))
    }
    /// Actual cost per acquisition; null without acquisitions.
    async fn cost_per_acquisition(
        &self,
        #[graphql(default_with = "AttributionModel::LastTouch")] model: AttributionModel,
    ) -> Option<Money> {
        self.results
            .cost_per_acquisition(model.into())
            .map(|c| money(currencies::round(c, &self.base), &self.base))
    }
}

/// One campaign of a page.
#[derive(SimpleObject)]
pub struct CampaignEdge {
    pub cursor: String,
    pub node: Campaign,
}

/// A page of campaigns.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CampaignConnection {
    pub edges: Vec<CampaignEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: campaigns::CampaignFilter,
}

#[ComplexObject]
impl CampaignConnection {
    /// How many campaigns match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(campaigns::count(&tx, &self.filter).await? as i64)
    }
}

/// The connection of a page of campaigns.
pub fn campaign_connection(
    page: Page<entity::campaign::Model>,
    filter: campaigns::CampaignFilter,
) -> CampaignConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    CampaignConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| CampaignEdge {
                cursor,
                node: Campaign(row),
            })
            .collect(),
        page_info,
        filter,
    }
}

/// Which campaigns to list; every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CampaignFilter {
    pub name: Option<StringFilter>,
    pub code: Option<StringFilter>,
    /// Any of these kinds.
    pub kind: Option<Vec<CampaignKind>>,
    /// Any of these statuses.
    pub status: Option<Vec<CampaignStatus>>,
    pub owner_id: Option<IdFilter>,
    /// Campaigns of these programmes.
    pub parent_id: Option<IdFilter>,
    /// True: only programmes and campaigns without one; false: only the
    /// campaigns of programmes.
    pub top_level: Option<bool>,
}

impl CampaignFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<campaigns::CampaignFilter, Error> {
        let any = |names: Vec<&'static str>| EnumFilter {
            in_list: Some(names),
            ..EnumFilter::default()
        };
        Ok(campaigns::CampaignFilter {
            name: self.name.map(Into::into),
            code: self.code.map(Into::into),
            kind: self.kind.map(|k| {
                any(k
                    .into_iter()
                    .map(|k| campaigns::CampaignKind::from(k).as_str())
                    .collect())
            }),
            status: self.status.map(|s| {
                any(s
                    .into_iter()
                    .map(|s| campaigns::CampaignStatus::from(s).as_str())
                    .collect())
            }),
            owner_id: self
                .owner_id
                .map(|f| f.into_ids("filter.ownerId"))
                .transpose()?,
            parent_id: self
                .parent_id
                .map(|f| f.into_ids("filter.parentId"))
                .transpose()?,
            top_level: self.top_level,
        })
    }
}

/// What campaigns can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CampaignOrderField {
    /// Ignoring case.
    Name,
    /// Unscheduled campaigns last.
    StartsOn,
    CreatedAt,
}

/// One key of a campaign order (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug)]
pub struct CampaignOrderBy {
    pub field: CampaignOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<CampaignOrderBy> for CampaignSort {
    fn from(o: CampaignOrderBy) -> Self {
        CampaignSort {
            field: match o.field {
                CampaignOrderField::Name => CampaignSortField::Name,
                CampaignOrderField::StartsOn => CampaignSortField::StartsOn,
                CampaignOrderField::CreatedAt => CampaignSortField::CreatedAt,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

fn amount_of(field: &str, m: &MoneyInput) -> Result<campaigns::Amount, Error> {
    campaigns::amount(field, m.amount, &m.currency)
}

fn optional_id(field: &str, id: MaybeUndefined<ID>) -> Result<Option<Option<uuid::Uuid>>, Error> {
    Ok(match id {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(parse_id(field, &id)?)),
    })
}

fn optional<T, U>(
    value: MaybeUndefined<T>,
    convert: impl FnOnce(T) -> Result<U, Error>,
) -> Result<Option<Option<U>>, Error> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(convert(v)?)),
    })
}

/// A campaign's plan; in updates, only the fields given change (null
/// clears an optional one).
#[derive(InputObject)]
pub struct CampaignPlanInput {
    pub name: Option<String>,
    pub kind: Option<CampaignKind>,
    pub objective: MaybeUndefined<String>,
    /// The programme it belongs to.
    pub parent_id: MaybeUndefined<ID>,
    pub owner_id: MaybeUndefined<ID>,
    pub team_id: MaybeUndefined<ID>,
    pub region_id: MaybeUndefined<ID>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub budget: MaybeUndefined<MoneyInput>,
    /// In the budget's currency.
    pub expected_revenue: MaybeUndefined<MoneyInput>,
    pub expected_responses: MaybeUndefined<i32>,
}

impl CampaignPlanInput {
    fn into_domain(self) -> Result<CampaignPlan, Error> {
        Ok(CampaignPlan {
            name: self.name.as_deref().map(campaigns::name).transpose()?,
            kind: self.kind.map(Into::into),
            objective: optional(self.objective, |o| campaigns::objective(&o))?.map(Option::flatten),
            parent_id: optional_id("parentId", self.parent_id)?,
            owner_id: optional_id("ownerId", self.owner_id)?,
            team_id: optional_id("teamId", self.team_id)?,
            region_id: optional_id("regionId", self.region_id)?,
            starts_on: optional(self.starts_on, |d| Ok(d.0))?,
            ends_on: optional(self.ends_on, |d| Ok(d.0))?,
            budget: optional(self.budget, |m| amount_of("budget", &m))?,
            expected_revenue: optional(self.expected_revenue, |m| {
                amount_of("expectedRevenue", &m)
            })?,
            expected_responses: optional(self.expected_responses, Ok)?,
        })
    }
}

/// A new campaign, `PLANNED`.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// What orders and leads name it by (their `campaign`), unique in the
    /// workspace; the name when not given.
    pub code: Option<String>,
    /// Its plan; `name` is required.
    pub plan: CampaignPlanInput,
}

impl CreateCampaignInput {
    /// The domain input; values are checked here.
    pub fn into_domain(self) -> Result<NewCampaign, Error> {
        let plan = self.plan.into_domain().map_err(|e| e.within("plan"))?;
        if plan.name.is_none() {
            return Err(Error::validation("plan.name", "is required"));
        }
        Ok(NewCampaign {
            code: self.code.as_deref().map(campaigns::code).transpose()?,
            plan,
        })
    }
}

/// Changes to a campaign's plan.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    pub id: ID,
    /// The version you read; a newer one on the server is a `CONFLICT`.
    pub version: i32,
    pub plan: CampaignPlanInput,
}

impl UpdateCampaignInput {
    /// The campaign, the version and the plan's changes.
    pub fn into_domain(self) -> Result<(uuid::Uuid, i32, CampaignPlan), Error> {
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            self.plan.into_domain().map_err(|e| e.within("plan"))?,
        ))
    }
}

/// A campaign moved to another status.
#[derive(InputObject)]
pub struct ChangeCampaignStatusInput {
    pub id: ID,
    pub version: i32,
    pub status: CampaignStatus,
}

/// The segments a campaign targets.
#[derive(InputObject)]
pub struct SetCampaignAudienceInput {
    pub campaign_id: ID,
    /// Up to 20 segments; an empty list targets none.
    pub segment_ids: Vec<ID>,
}

/// Customers added to or taken out of a campaign.
#[derive(InputObject)]
pub struct CampaignMembersInput {
    pub campaign_id: ID,
    /// 1 to 1,000 customers you may see.
    pub customer_ids: Vec<ID>,
}

impl CampaignMembersInput {
    /// The campaign and the customers' ids.
    pub fn parse(&self) -> Result<(uuid::Uuid, Vec<uuid::Uuid>), Error> {
        Ok((
            parse_id("campaignId", &self.campaign_id)?,
            parse_ids("customerIds", &self.customer_ids)?,
        ))
    }
}

/// Members moved to a status.
#[derive(InputObject)]
pub struct SetCampaignMemberStatusInput {
    pub campaign_id: ID,
    /// 1 to 1,000 customers you may see.
    pub customer_ids: Vec<ID>,
    pub status: CampaignMemberStatus,
}

/// A cost line.
#[derive(InputObject)]
pub struct AddCampaignCostInput {
    pub campaign_id: ID,
    pub kind: CampaignCostKind,
    /// What it pays for (media, venue, agency, …).
    pub category: String,
    pub amount: MoneyInput,
    pub incurred_on: Date,
    pub note: Option<String>,
}

impl AddCampaignCostInput {
    /// The campaign and the domain cost line.
    pub fn into_domain(self) -> Result<(uuid::Uuid, NewCost), Error> {
        Ok((
            parse_id("campaignId", &self.campaign_id)?,
            NewCost {
                kind: self.kind.into(),
                category: crate::domain::values::required_text("category", &self.category, 100)?,
                amount: amount_of("amount", &self.amount)?,
                incurred_on: self.incurred_on.0,
                note: self
                    .note
                    .as_deref()
                    .map(|n| crate::domain::values::optional_text("note", n, 2_000))
                    .transpose()?
                    .flatten(),
            },
        ))
    }
}

/// The campaign a mutation wrote.
#[derive(SimpleObject)]
pub struct CampaignPayload {
    pub campaign: Campaign,
}

/// What adding, removing or moving members did.
#[derive(SimpleObject)]
pub struct CampaignMembersPayload {
    pub campaign: Campaign,
    /// Members added, removed or moved (those already as asked left out).
    pub changed: i64,
}
