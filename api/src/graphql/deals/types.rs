//! Types of the deals API (pipelines, stages, deals, their history, contacts
//! and lines, domain events) and their conversion into domain values.

use async_graphql::dataloader::DataLoader;
use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::loaders::{
    CustomerDealsLoader, DealContactsLoader, DealHistoryLoader, DealLinesLoader,
    PipelineStagesLoader, StageLoader,
};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::customer_view::OPEN_DEALS_IN_VIEW;
use crate::domain::deals::{self, DealChanges, DealContactInput, NewDeal};
use crate::domain::filter::EnumFilter;
use crate::domain::pipelines::{self, NewStage, StageChanges};
use crate::domain::{currencies, domain_events, interactions};
use crate::error::Error;
use crate::graphql::common::{
    page_request, parse_id, to_id, Date, DateTimeFilter, IdFilter, Money, OrderDirection, PageInfo,
    StringFilter,
};
use crate::graphql::context::{authorize, read_tx};
use crate::graphql::customers::relations::{Contact, InteractionConnection};
use crate::graphql::customers::types::Customer;
use crate::graphql::sales::loaders::{CustomerLoader, ExchangeRateLoader, ProductLoader};
use crate::graphql::sales::types::{OrderLineInput, Product};

fn money(amount: Decimal, currency: &str) -> Money {
    Money {
        amount: currencies::display(amount, currency),
        currency: currency.to_owned(),
    }
}

/// The workspace's base currency, read once per request.
pub async fn base_currency(ctx: &Context<'_>) -> Result<String> {
    let loader = ctx.data_unchecked::<DataLoader<ExchangeRateLoader>>();
    Ok(loader.loader().base_currency().await?)
}

// ------------------------------------------------------------------ pipelines

/// Whether deals in a stage are open, won or lost.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::pipelines::StageKind")]
pub enum StageKind {
    Open,
    Won,
    Lost,
}

/// Which forecast figure open deals in a stage count towards.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::pipelines::ForecastCategory")]
pub enum ForecastCategory {
    /// Only the weighted pipeline.
    Pipeline,
    /// Best case (and the pipeline).
    BestCase,
    /// Commit, best case and the pipeline.
    Commit,
}

/// An ordered list of stages that deals move through.
pub struct Pipeline(pub entity::pipeline::Model);

#[Object]
impl Pipeline {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change of the pipeline or its stages.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// New deals go to the default pipeline when none is named.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }
    /// The stages, first to last.
    async fn stages(&self, ctx: &Context<'_>) -> Result<Vec<PipelineStage>> {
        let loader = ctx.data_unchecked::<DataLoader<PipelineStagesLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(PipelineStage)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One stage of a pipeline.
pub struct PipelineStage(pub entity::pipeline_stage::Model);

#[Object]
impl PipelineStage {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn pipeline_id(&self) -> ID {
        to_id(self.0.pipeline_id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 1 for the first stage.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Percent chance that a deal in this stage is won.
    async fn probability(&self) -> Decimal {
        self.0.probability.normalize()
    }
    async fn kind(&self) -> Result<StageKind> {
        Ok(pipelines::StageKind::parse(&self.0.kind)?.into())
    }
    async fn forecast_category(&self) -> Result<ForecastCategory> {
        Ok(pipelines::ForecastCategory::parse(&self.0.forecast_category)?.into())
    }
}

/// A stage of a new pipeline, or one to add.
#[derive(InputObject)]
pub struct PipelineStageInput {
    pub name: String,
    /// Percent, 0 to 100.
    pub probability: Decimal,
    pub kind: StageKind,
    /// From the probability when not given: 70 % and more COMMIT, 40 % and
    /// more BEST_CASE, else PIPELINE.
    pub forecast_category: Option<ForecastCategory>,
}

impl PipelineStageInput {
    /// Validates every field; `at` prefixes field names.
    pub fn into_domain(self, at: &str) -> Result<NewStage, Error> {
        let probability =
            pipelines::rules::probability(&format!("{at}probability"), self.probability)?;
        Ok(NewStage {
            name: pipelines::rules::stage_name(&format!("{at}name"), &self.name)?,
            probability,
            kind: self.kind.into(),
            forecast_category: self
                .forecast_category
                .map(Into::into)
                .unwrap_or_else(|| pipelines::ForecastCategory::from_probability(probability)),
        })
    }
}

/// A new pipeline.
#[derive(InputObject)]
pub struct CreatePipelineInput {
    pub name: String,
    /// First to last; at least one OPEN stage.
    pub stages: Vec<PipelineStageInput>,
}

/// A new name for a pipeline.
#[derive(InputObject)]
pub struct UpdatePipelineInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub name: String,
}

/// A stage to add to a pipeline.
#[derive(InputObject)]
pub struct AddPipelineStageInput {
    pub pipeline_id: ID,
    pub stage: PipelineStageInput,
    /// 1 puts it first; at the end when not given.
    pub position: Option<i32>,
}

/// Changes to a stage; only the given fields change. The kind is fixed.
#[derive(InputObject)]
pub struct UpdatePipelineStageInput {
    pub id: ID,
    pub name: Option<String>,
    pub probability: Option<Decimal>,
    pub forecast_category: Option<ForecastCategory>,
}

impl UpdatePipelineStageInput {
    /// The stage id and the validated changes.
    pub fn into_domain(self) -> Result<(Uuid, StageChanges), Error> {
        Ok((
            parse_id("id", &self.id)?,
            StageChanges {
                name: self
                    .name
                    .map(|n| pipelines::rules::stage_name("name", &n))
                    .transpose()?,
                probability: self
                    .probability
                    .map(|p| pipelines::rules::probability("probability", p))
                    .transpose()?,
                forecast_category: self.forecast_category.map(Into::into),
            },
        ))
    }
}

/// A new order of a pipeline's stages.
#[derive(InputObject)]
pub struct ReorderPipelineStagesInput {
    pub pipeline_id: ID,
    /// Every stage of the pipeline, once, first to last.
    pub stage_ids: Vec<ID>,
}

/// A stage to delete.
#[derive(InputObject)]
pub struct DeletePipelineStageInput {
    pub id: ID,
    /// Required when the stage holds deals: another stage of the same
    /// pipeline and kind they move to.
    pub move_deals_to: Option<ID>,
}

/// The pipeline a mutation wrote.
#[derive(SimpleObject)]
pub struct PipelinePayload {
    pub pipeline: Pipeline,
}

// ------------------------------------------------------------------ deals

/// A sales opportunity with a customer.
pub struct Deal(pub entity::deal::Model);

#[Object]
impl Deal {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// Goes up by one with every change; send it back with updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn customer_id(&self) -> ID {
        to_id(self.0.customer_id)
    }
    async fn customer(&self, ctx: &Context<'_>) -> Result<Option<Customer>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<CustomerLoader>>();
        Ok(loader.load_one(self.0.customer_id).await?.map(Customer))
    }
    async fn pipeline_id(&self) -> ID {
        to_id(self.0.pipeline_id)
    }
    async fn stage_id(&self) -> ID {
        to_id(self.0.stage_id)
    }
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<PipelineStage>> {
        let loader = ctx.data_unchecked::<DataLoader<StageLoader>>();
        Ok(loader.load_one(self.0.stage_id).await?.map(PipelineStage))
    }
    /// OPEN, WON or LOST: the kind of the deal's stage.
    async fn status(&self) -> Result<StageKind> {
        Ok(pipelines::StageKind::parse(&self.0.status)?.into())
    }
    /// The member who owns the deal.
    async fn owner_id(&self) -> Option<ID> {
        self.0.owner_id.map(to_id)
    }
    async fn amount(&self) -> Money {
        money(self.0.amount, &self.0.currency)
    }
    /// The amount in the workspace's base currency at the rate in force on
    /// the expected close date (the day of the last change without one).
    async fn amount_in_base_currency(&self, ctx: &Context<'_>) -> Result<Money> {
        Ok(money(self.0.amount_base, &base_currency(ctx).await?))
    }
    async fn expected_close_date(&self) -> Option<Date> {
        self.0.expected_close_date.map(Date)
    }
    /// Why the deal was won or lost.
    async fn close_reason(&self) -> Option<&str> {
        self.0.close_reason.as_deref()
    }
    /// When the deal was won or lost.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// When the deal entered its current stage.
    async fn stage_entered_at(&self) -> DateTime<Utc> {
        self.0.stage_entered_at
    }
    /// The people on the customer's side, with their roles.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<DealContact>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<DealContactsLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(DealContact)
            .collect())
    }
    /// The products the deal is about, in line order.
    async fn lines(&self, ctx: &Context<'_>) -> Result<Vec<DealLine>> {
        let loader = ctx.data_unchecked::<DataLoader<DealLinesLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|line| DealLine {
                line,
                currency: self.0.currency.clone(),
            })
            .collect())
    }
    /// Every stage the deal has been in, oldest first, with the time spent there.
    async fn stage_history(&self, ctx: &Context<'_>) -> Result<Vec<DealStageVisit>> {
        let loader = ctx.data_unchecked::<DataLoader<DealHistoryLoader>>();
        Ok(loader
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(DealStageVisit)
            .collect())
    }
    /// The orders that close this deal, newest first.
    #[graphql(complexity = "crate::graphql::common::page_cost(first, None, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<crate::graphql::sales::types::OrderConnection> {
        authorize(ctx, Permission::OrdersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            None,
            None,
        )?;
        let filter = crate::domain::orders::OrderFilter {
            deal_ids: Some(vec![self.0.id]),
            ..Default::default()
        };
        let tx = read_tx(ctx).await?;
        let page = crate::domain::orders::list(&tx, &filter, Default::default(), &page).await?;
        Ok(crate::graphql::sales::types::order_connection(page, filter))
    }
    /// Interactions logged about this deal, newest first.
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
        let page = interactions::of_deal(&tx, self.0.id, &page).await?;
        Ok(InteractionConnection::of_page(page))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A contact taking part in a deal.
pub struct DealContact(entity::deal_contact::Model);

#[Object]
impl DealContact {
    async fn contact_id(&self) -> ID {
        to_id(self.0.contact_id)
    }
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        crate::graphql::context::edge_into(ctx, Permission::CustomersRead)?;
        let loader = ctx.data_unchecked::<DataLoader<super::loaders::ContactLoader>>();
        Ok(loader.load_one(self.0.contact_id).await?.map(Contact))
    }
    /// Decision maker, champion, user, …
    async fn role(&self) -> Option<&str> {
        self.0.role.as_deref()
    }
}

/// A product line of a deal.
pub struct DealLine {
    line: entity::deal_line::Model,
    currency: String,
}

#[Object]
impl DealLine {
    async fn line_no(&self) -> i32 {
        self.line.line_no
    }
    async fn product_id(&self) -> ID {
        to_id(self.line.product_id)
    }
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let loader = ctx.data_unchecked::<DataLoader<ProductLoader>>();
        Ok(loader.load_one(self.line.product_id).await?.map(Product))
    }
    async fn quantity(&self) -> Decimal {
        self.line.quantity.normalize()
    }
    async fn unit_price(&self) -> Money {
        money(self.line.unit_price, &self.currency)
    }
    async fn discount_percent(&self) -> Decimal {
        self.line.discount_percent.normalize()
    }
    /// Quantity × unit price less the discount, rounded to the currency.
    async fn total(&self) -> Money {
        money(self.line.net_amount, &self.currency)
    }
}

/// One stay of a deal in a stage.
pub struct DealStageVisit(pub entity::deal_stage_history::Model);

#[Object]
impl DealStageVisit {
    async fn stage_id(&self) -> ID {
        to_id(self.0.stage_id)
    }
    /// The stage's name when the deal entered it (kept if the stage is deleted).
    async fn stage_name(&self) -> &str {
        &self.0.stage_name
    }
    /// The stage the deal came from; null for the stage it was created in.
    async fn from_stage_id(&self) -> Option<ID> {
        self.0.from_stage_id.map(to_id)
    }
    async fn entered_at(&self) -> DateTime<Utc> {
        self.0.entered_at
    }
    /// Null while the deal is still in the stage.
    async fn left_at(&self) -> Option<DateTime<Utc>> {
        self.0.left_at
    }
    /// Seconds spent in the stage (until now while the deal is still there).
    async fn duration_seconds(&self) -> i64 {
        let end = self.0.left_at.unwrap_or_else(Utc::now);
        (end - self.0.entered_at).num_seconds().max(0)
    }
    /// The member who moved the deal into the stage.
    async fn moved_by(&self) -> Option<ID> {
        self.0.moved_by.map(to_id)
    }
}

/// One deal in a page.
#[derive(SimpleObject)]
pub struct DealEdge {
    pub cursor: String,
    pub node: Deal,
}

/// A page of deals.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DealConnection {
    pub edges: Vec<DealEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: deals::DealFilter,
}

#[ComplexObject]
impl DealConnection {
    /// How many deals match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(deals::count(&tx, &self.filter).await? as i64)
    }
}

/// A connection from a page of deals.
pub fn deal_connection(
    page: crate::domain::pagination::Page<entity::deal::Model>,
    filter: deals::DealFilter,
) -> DealConnection {
    let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
    let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
    DealConnection {
        edges: page
            .rows
            .into_iter()
            .map(|(cursor, row)| DealEdge {
                cursor,
                node: Deal(row),
            })
            .collect(),
        page_info,
        filter,
    }
}

/// A customer's deals (only open ones when `open_only`), newest first: open
/// deals from the request's 360 view when it covers the page; else the
/// first page of many customers is loaded in one query; later pages
/// (`after`) are read directly.
pub async fn deals_of(
    ctx: &Context<'_>,
    customer_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
    open_only: bool,
) -> Result<DealConnection> {
    authorize(ctx, Permission::DealsRead)?;
    let page = page_request(
        ctx.data_unchecked::<GraphqlLimits>(),
        first,
        after,
        None,
        None,
    )?;
    let filter = deals::DealFilter {
        customer_ids: Some(vec![customer_id]),
        status: open_only.then(|| EnumFilter {
            eq: Some(pipelines::StageKind::Open.as_str()),
            ..EnumFilter::default()
        }),
        ..deals::DealFilter::default()
    };
    if page.cursor.is_none() {
        let view = crate::graphql::customers::relations::ViewsOfRequest::get(ctx, customer_id);
        let rows = match view {
            Some(view) if open_only && page.limit <= OPEN_DEALS_IN_VIEW => view.open_deals.clone(),
            _ => {
                let loader = ctx.data_unchecked::<DataLoader<CustomerDealsLoader>>();
                loader
                    .load_one((customer_id, page.limit, open_only))
                    .await?
                    .unwrap_or_default()
            }
        };
        let (edges, page_info) = crate::graphql::common::first_page(
            rows,
            page.limit,
            deals::cursor_of,
            |cursor, row| DealEdge {
                cursor,
                node: Deal(row),
            },
        );
        return Ok(DealConnection {
            edges,
            page_info,
            filter,
        });
    }
    let tx = read_tx(ctx).await?;
    let page = deals::list(&tx, &filter, &[], &page).await?;
    Ok(deal_connection(page, filter))
}

/// Conditions on a deal's status.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DealStatusFilter {
    pub eq: Option<StageKind>,
    pub ne: Option<StageKind>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<StageKind>>,
}

impl From<DealStatusFilter> for EnumFilter {
    fn from(f: DealStatusFilter) -> Self {
        let name = |s: StageKind| pipelines::StageKind::from(s).as_str();
        EnumFilter {
            eq: f.eq.map(name),
            ne: f.ne.map(name),
            in_list: f.in_list.map(|v| v.into_iter().map(name).collect()),
        }
    }
}

pub use crate::graphql::common::DecimalFilter;

/// Conditions on a calendar date; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DealDateFilter {
    pub gte: Option<Date>,
    pub lte: Option<Date>,
    pub is_null: Option<bool>,
}

/// Which deals to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DealFilter {
    pub name: Option<StringFilter>,
    pub status: Option<DealStatusFilter>,
    pub currency: Option<StringFilter>,
    pub customer_id: Option<IdFilter>,
    pub owner_id: Option<IdFilter>,
    pub pipeline_id: Option<IdFilter>,
    pub stage_id: Option<IdFilter>,
    /// The amount in the deal's own currency.
    pub amount: Option<DecimalFilter>,
    /// The amount in the workspace's base currency.
    pub amount_in_base_currency: Option<DecimalFilter>,
    pub expected_close_date: Option<DealDateFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub closed_at: Option<DateTimeFilter>,
    pub and: Option<Vec<DealFilter>>,
    pub or: Option<Vec<DealFilter>>,
    pub not: Option<Box<DealFilter>>,
}

impl DealFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<deals::DealFilter, Error> {
        let nested = |list: Option<Vec<DealFilter>>| -> Result<Vec<deals::DealFilter>, Error> {
            list.unwrap_or_default()
                .into_iter()
                .map(DealFilter::into_domain)
                .collect()
        };
        let ids = |f: Option<IdFilter>, field: &str| f.map(|f| f.into_ids(field)).transpose();
        Ok(deals::DealFilter {
            name: self.name.map(Into::into),
            status: self.status.map(Into::into),
            currency: self.currency.map(Into::into),
            customer_ids: ids(self.customer_id, "filter.customerId")?,
            owner_ids: ids(self.owner_id, "filter.ownerId")?,
            pipeline_ids: ids(self.pipeline_id, "filter.pipelineId")?,
            stage_ids: ids(self.stage_id, "filter.stageId")?,
            amount: self.amount.map(Into::into),
            amount_in_base_currency: self.amount_in_base_currency.map(Into::into),
            expected_close_date: self.expected_close_date.map(|f| deals::DateRange {
                gte: f.gte.map(|d| d.0),
                lte: f.lte.map(|d| d.0),
                is_null: f.is_null,
            }),
            created_at: self.created_at.map(Into::into),
            closed_at: self.closed_at.map(Into::into),
            and: nested(self.and)?,
            or: nested(self.or)?,
            not: self.not.map(|n| n.into_domain()).transpose()?.map(Box::new),
        })
    }
}

/// Fields deals can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DealOrderField {
    CreatedAt,
    /// Case-insensitive.
    Name,
    /// Deals without a date sort last (ascending).
    ExpectedCloseDate,
    /// The amount in the base currency.
    Amount,
}

/// One sort key; ties are broken by id.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct DealOrderBy {
    pub field: DealOrderField,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<DealOrderBy> for deals::DealSort {
    fn from(o: DealOrderBy) -> Self {
        deals::DealSort {
            field: match o.field {
                DealOrderField::CreatedAt => deals::DealSortField::CreatedAt,
                DealOrderField::Name => deals::DealSortField::Name,
                DealOrderField::ExpectedCloseDate => deals::DealSortField::ExpectedCloseDate,
                DealOrderField::Amount => deals::DealSortField::Amount,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// A contact on a deal, in a role.
#[derive(InputObject)]
pub struct DealContactRoleInput {
    pub contact_id: ID,
    /// Decision maker, champion, user, …
    pub role: Option<String>,
}

fn contacts_input(list: Vec<DealContactRoleInput>) -> Result<Vec<DealContactInput>, Error> {
    list.into_iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(DealContactInput {
                contact_id: parse_id(&format!("contacts[{i}].contactId"), &c.contact_id)?,
                role: c
                    .role
                    .map(|r| deals::rules::role(&format!("contacts[{i}].role"), &r))
                    .transpose()?
                    .flatten(),
            })
        })
        .collect()
}

fn lines_input(
    list: Vec<OrderLineInput>,
) -> Result<Vec<crate::domain::orders::NewOrderLine>, Error> {
    crate::graphql::sales::types::order_lines(list)
}

/// A new deal.
#[derive(InputObject)]
pub struct CreateDealInput {
    pub name: String,
    pub customer_id: ID,
    /// The default pipeline when not given.
    pub pipeline_id: Option<ID>,
    /// The pipeline's first open stage when not given.
    pub stage_id: Option<ID>,
    /// You when not given.
    pub owner_id: Option<ID>,
    /// Not negative; the sum of the lines when not given.
    pub amount: Option<Decimal>,
    /// ISO 4217 code of the amount and the lines.
    pub currency: String,
    pub expected_close_date: Option<Date>,
    pub contacts: Option<Vec<DealContactRoleInput>>,
    pub lines: Option<Vec<OrderLineInput>>,
    /// Why it was won or lost, when created in such a stage.
    pub reason: Option<String>,
}

impl CreateDealInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewDeal, Error> {
        Ok(NewDeal {
            name: deals::rules::name(&self.name)?,
            customer_id: parse_id("customerId", &self.customer_id)?,
            pipeline_id: self
                .pipeline_id
                .map(|id| parse_id("pipelineId", &id))
                .transpose()?,
            stage_id: self
                .stage_id
                .map(|id| parse_id("stageId", &id))
                .transpose()?,
            owner_id: self
                .owner_id
                .map(|id| parse_id("ownerId", &id))
                .transpose()?,
            amount: self
                .amount
                .map(|a| deals::rules::amount("amount", a))
                .transpose()?,
            currency: currencies::currency("currency", &self.currency)?,
            expected_close_date: self.expected_close_date.map(|d| d.0),
            contacts: contacts_input(self.contacts.unwrap_or_default())?,
            lines: lines_input(self.lines.unwrap_or_default())?,
            reason: self
                .reason
                .map(|r| deals::rules::reason("reason", &r))
                .transpose()?
                .flatten(),
        })
    }
}

/// Changes to a deal; only the given fields change. Contacts and lines,
/// when given, replace the deal's.
#[derive(InputObject)]
pub struct UpdateDealInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub name: Option<String>,
    pub owner_id: MaybeUndefined<ID>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub expected_close_date: MaybeUndefined<Date>,
    pub contacts: Option<Vec<DealContactRoleInput>>,
    pub lines: Option<Vec<OrderLineInput>>,
}

impl UpdateDealInput {
    /// The deal id, its expected version and the validated changes.
    pub fn into_domain(self) -> Result<(Uuid, i32, DealChanges), Error> {
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            DealChanges {
                name: self.name.map(|n| deals::rules::name(&n)).transpose()?,
                owner_id: match self.owner_id {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(id) => Some(Some(parse_id("ownerId", &id)?)),
                },
                amount: self
                    .amount
                    .map(|a| deals::rules::amount("amount", a))
                    .transpose()?,
                currency: self
                    .currency
                    .map(|c| currencies::currency("currency", &c))
                    .transpose()?,
                expected_close_date: match self.expected_close_date {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(d) => Some(Some(d.0)),
                },
                contacts: self.contacts.map(contacts_input).transpose()?,
                lines: self.lines.map(lines_input).transpose()?,
            },
        ))
    }
}

/// A deal's move to another stage.
#[derive(InputObject)]
pub struct MoveDealInput {
    pub id: ID,
    pub stage_id: ID,
    /// Why it was won or lost; required when the stage is a LOST stage.
    pub reason: Option<String>,
    /// The version you read; a stale one is a `CONFLICT`. Not checked when not given.
    pub version: Option<i32>,
}

/// The deal a mutation wrote.
#[derive(SimpleObject)]
pub struct DealPayload {
    pub deal: Deal,
}

// ------------------------------------------------------------------ events

/// What a domain event reports (`docs/events.md` lists each payload).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::domain_events::EventKind")]
pub enum DomainEventKind {
    CustomerCreated,
    CustomerUpdated,
    CustomerDeleted,
    CustomerRestored,
    CustomerMerged,
    ContactCreated,
    ContactUpdated,
    ContactDeleted,
    InteractionLogged,
    LeadCreated,
    LeadConverted,
    DealStageChanged,
    DealWon,
    DealLost,
    OrderCreated,
    OrderStatusChanged,
    CaseOpened,
    CaseStatusChanged,
    CaseRated,
    AnalyticsRunFinished,
    MemberAdded,
    MemberRemoved,
    ApiKeyCreated,
    ApiKeyRevoked,
}

/// The order `domainEvents` lists events in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum DomainEventOrder {
    /// Newest first, with `first/after/last/before` and every filter.
    #[default]
    NewestFirst,
    /// The pull feed: oldest first in commit-safe order, `first` and
    /// `after` only. An event that commits later never lands before a
    /// cursor already handed out, so a consumer that keeps its last cursor
    /// misses nothing (within the retention period).
    Feed,
}

/// A business event, written in the same transaction as the change.
pub struct DomainEvent(pub entity::domain_event::Model);

#[Object]
impl DomainEvent {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn kind(&self) -> Result<DomainEventKind> {
        domain_events::EventKind::parse(&self.0.kind)
            .map(Into::into)
            .ok_or_else(|| {
                Error::internal(std::io::Error::other("unknown stored event kind")).into()
            })
    }
    /// The kind of record: `CUSTOMER`, `CONTACT`, `INTERACTION`, `LEAD`,
    /// `DEAL`, `ORDER`, `CASE`, `ANALYTICS_RUN`, `MEMBER` or `API_KEY`.
    async fn aggregate_type(&self) -> &str {
        &self.0.aggregate_type
    }
    /// The version of the payload's schema for its kind.
    async fn payload_version(&self) -> i32 {
        i32::from(self.0.payload_version)
    }
    /// The id of the record.
    async fn aggregate_id(&self) -> ID {
        to_id(self.0.aggregate_id)
    }
    /// What changed, as JSON.
    async fn payload(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.payload.clone())
    }
    /// The member whose change it was.
    async fn actor(&self) -> Option<ID> {
        self.0.actor.map(to_id)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// One event in a page.
#[derive(SimpleObject)]
pub struct DomainEventEdge {
    pub cursor: String,
    pub node: DomainEvent,
}

/// A page of events.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DomainEventConnection {
    pub edges: Vec<DomainEventEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: domain_events::EventFilter,
}

#[ComplexObject]
impl DomainEventConnection {
    /// How many events match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(domain_events::count(&tx, &self.filter).await? as i64)
    }
}

/// Which events to list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DomainEventFilter {
    #[graphql(name = "kindIn")]
    pub kind_in: Option<Vec<DomainEventKind>>,
    pub aggregate_id: Option<ID>,
    pub occurred_after: Option<DateTime<Utc>>,
}

impl DomainEventFilter {
    /// The domain filter.
    pub fn into_domain(self) -> Result<domain_events::EventFilter, Error> {
        Ok(domain_events::EventFilter {
            kinds: self
                .kind_in
                .map(|k| k.into_iter().map(Into::into).collect()),
            aggregate_id: self
                .aggregate_id
                .map(|id| parse_id("filter.aggregateId", &id))
                .transpose()?,
            occurred_after: self.occurred_after,
        })
    }
}
