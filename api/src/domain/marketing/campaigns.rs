//! Campaigns: planned with a kind, objective, schedule, budget and
//! expected results; moved `PLANNED → ACTIVE → COMPLETED` (or
//! `CANCELLED`); aimed at an audience (segments, whose members are taken
//! when the campaign starts, and customers added one by one), each member
//! with how far the campaign got with them; costed by planned and actual
//! cost lines. Orders and leads name their campaign by its code
//! (`campaign`), which the database resolves to the campaign (and starts
//! one for a code not seen before). What a campaign brought is in
//! [`super::campaign_results`].

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Select, Set, Statement,
};
use uuid::Uuid;

use entity::campaign::{self, Column, Entity as Campaigns};
use entity::{campaign_cost, campaign_member};

use crate::domain::customers;
use crate::domain::filter::{EnumFilter, TextFilter};
use crate::domain::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::domain::stored::stored_enum;
use crate::domain::{currencies, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most segments in a campaign's audience.
pub const MAX_AUDIENCE_SEGMENTS: usize = 20;

stored_enum! {
    /// The channel a campaign works through.
    pub enum CampaignKind ("campaign kind") {
        Email = "EMAIL",
        Sms = "SMS",
        Phone = "PHONE",
        Event = "EVENT",
        Webinar = "WEBINAR",
        DirectMail = "DIRECT_MAIL",
        Advertising = "ADVERTISING",
        Social = "SOCIAL",
        Other = "OTHER",
    }
}

stored_enum! {
    /// Where a campaign stands.
    pub enum CampaignStatus ("campaign status") {
        Planned = "PLANNED",
        Active = "ACTIVE",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
    }
}

impl CampaignStatus {
    /// Whether a campaign may move from `self` to `to`.
    pub fn may_become(self, to: CampaignStatus) -> bool {
        use CampaignStatus::*;
        matches!(
            (self, to),
            (Planned, Active) | (Active, Completed) | (Planned, Cancelled) | (Active, Cancelled)
        )
    }

    /// Whether the campaign still takes members.
    pub fn open(self) -> bool {
        matches!(self, CampaignStatus::Planned | CampaignStatus::Active)
    }
}

stored_enum! {
    /// How far a campaign got with a member.
    pub enum MemberStatus ("campaign member status") {
        /// Chosen, not contacted yet.
        Targeted = "TARGETED",
        Sent = "SENT",
        Delivered = "DELIVERED",
        Opened = "OPENED",
        Clicked = "CLICKED",
        Responded = "RESPONDED",
        Converted = "CONVERTED",
        Unsubscribed = "UNSUBSCRIBED",
        Bounced = "BOUNCED",
    }
}

impl MemberStatus {
    /// Whether the campaign reached the member (attribution counts from then).
    pub fn reached(self) -> bool {
        !matches!(self, MemberStatus::Targeted | MemberStatus::Bounced)
    }
}

stored_enum! {
    /// Whether a cost line is budgeted or spent.
    pub enum CostKind ("campaign cost kind") {
        Planned = "PLANNED",
        Actual = "ACTUAL",
    }
}

/// Money of a campaign's plan: an amount in a currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    pub amount: Decimal,
    pub currency: String,
}

/// The plan of a campaign: everything but its code and status.
#[derive(Clone, Debug, Default)]
pub struct CampaignPlan {
    pub name: Option<String>,
    pub kind: Option<CampaignKind>,
    pub objective: Option<Option<String>>,
    pub parent_id: Option<Option<Uuid>>,
    pub owner_id: Option<Option<Uuid>>,
    pub team_id: Option<Option<Uuid>>,
    pub region_id: Option<Option<Uuid>>,
    pub starts_on: Option<Option<NaiveDate>>,
    pub ends_on: Option<Option<NaiveDate>>,
    pub budget: Option<Option<Amount>>,
    pub expected_revenue: Option<Option<Amount>>,
    pub expected_responses: Option<Option<i32>>,
}

/// A new campaign.
#[derive(Clone, Debug)]
pub struct NewCampaign {
    /// What orders and leads name it by; the name when not given.
    pub code: Option<String>,
    /// `name` is required here.
    pub plan: CampaignPlan,
}

/// A cost line.
#[derive(Clone, Debug)]
pub struct NewCost {
    pub kind: CostKind,
    pub category: String,
    pub amount: Amount,
    pub incurred_on: NaiveDate,
    pub note: Option<String>,
}

/// Conditions on campaigns in lists.
#[derive(Clone, Debug, Default)]
pub struct CampaignFilter {
    pub name: Option<TextFilter>,
    pub code: Option<TextFilter>,
    pub kind: Option<EnumFilter>,
    pub status: Option<EnumFilter>,
    pub owner_id: Option<Vec<Uuid>>,
    /// Campaigns of these programmes.
    pub parent_id: Option<Vec<Uuid>>,
    /// True: only campaigns without a parent (programmes and lone campaigns).
    pub top_level: Option<bool>,
}

/// What campaigns can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignSortField {
    Name,
    StartsOn,
    CreatedAt,
}

/// One key of a campaign order.
#[derive(Clone, Copy, Debug)]
pub struct CampaignSort {
    pub field: CampaignSortField,
    pub descending: bool,
}

/// A valid campaign code.
pub fn code(raw: &str) -> Result<String> {
    values::required_text("code", raw, 200)
}

/// A valid campaign name.
pub fn name(raw: &str) -> Result<String> {
    values::required_text("name", raw, 200)
}

/// A valid objective (blank is none).
pub fn objective(raw: &str) -> Result<Option<String>> {
    values::optional_text("objective", raw, 2_000)
}

/// A valid amount of a campaign's plan or costs on `field`.
pub fn amount(field: &str, amount: Decimal, currency: &str) -> Result<Amount> {
    let currency = values::currency(&format!("{field}.currency"), currency)?;
    if amount < Decimal::ZERO {
        return Err(Error::validation(
            format!("{field}.amount"),
            "must not be negative",
        ));
    }
    Ok(Amount {
        amount: currencies::round(amount, &currency),
        currency,
    })
}

fn write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::conflict(
            "another campaign of this workspace has this code",
            Some("code"),
        ),
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail)) => {
            for (key, field, message) in [
                ("owner", "ownerId", "is not a member of this workspace"),
                ("team", "teamId", "is not a team of this workspace"),
                ("region", "regionId", "is not a region of this workspace"),
                ("parent", "parentId", "is not a campaign of this workspace"),
            ] {
                if detail.contains(key) {
                    return Error::validation(field, message);
                }
            }
            err.into()
        }
        _ => err.into(),
    }
}

fn of_tenant(tx: &TenantTx) -> Select<Campaigns> {
    Campaigns::find().filter(Column::TenantId.eq(tx.tenant_id()))
}

/// The campaign with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<campaign::Model>> {
    Ok(of_tenant(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The campaigns among `ids`, by id.
pub async fn find_many(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, campaign::Model>> {
    let rows = of_tenant(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// The campaigns of the programmes `parent_ids`, by parent, by name.
pub async fn children_of(
    tx: &TenantTx,
    parent_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<campaign::Model>>> {
    let rows = of_tenant(tx)
        .filter(Column::ParentId.is_in(parent_ids.iter().copied()))
        .all(&**tx)
        .await?;
    let mut by_parent: HashMap<Uuid, Vec<campaign::Model>> = HashMap::new();
    for row in rows {
        if let Some(parent) = row.parent_id {
            by_parent.entry(parent).or_default().push(row);
        }
    }
    for list in by_parent.values_mut() {
        list.sort_by_key(|c| c.name.to_lowercase());
    }
    Ok(by_parent)
}

/// The campaign with `id`, locked for a change (else `NOT_FOUND`).
pub(super) async fn lock(tx: &TenantTx, id: Uuid) -> Result<campaign::Model> {
    of_tenant(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("campaign"))
}

fn check_version(current: &campaign::Model, version: i32) -> Result<()> {
    if current.version != version {
        return Err(Error::conflict(
            format!(
                "the campaign was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again",
                current.version
            ),
            Some("version"),
        ));
    }
    Ok(())
}

/// Applies `plan` to `row`, checking the rules that span fields.
async fn apply_plan(
    tx: &TenantTx,
    row: &mut campaign::ActiveModel,
    current: Option<&campaign::Model>,
    plan: CampaignPlan,
) -> Result<()> {
    let get = |new: Option<Option<NaiveDate>>, old: Option<NaiveDate>| new.unwrap_or(old);
    let starts = get(plan.starts_on, current.and_then(|c| c.starts_on));
    let ends = get(plan.ends_on, current.and_then(|c| c.ends_on));
    if let (Some(starts), Some(ends)) = (starts, ends) {
        if ends < starts {
            return Err(Error::validation("endsOn", "must not be before startsOn"));
        }
    }
    // Budget and expected revenue share the campaign's currency.
    let budget = match plan.budget.clone() {
        Some(b) => b,
        None => current.and_then(|c| {
            c.budget.map(|amount| Amount {
                amount,
                currency: c.currency.clone().unwrap_or_default(),
            })
        }),
    };
    let revenue = match plan.expected_revenue.clone() {
        Some(r) => r,
        None => current.and_then(|c| {
            c.expected_revenue.map(|amount| Amount {
                amount,
                currency: c.currency.clone().unwrap_or_default(),
            })
        }),
    };
    if let (Some(b), Some(r)) = (&budget, &revenue) {
        if b.currency != r.currency {
            return Err(Error::validation(
                "expectedRevenue.currency",
                "must be the budget's currency",
            ));
        }
    }
    if let Some(Some(parent)) = plan.parent_id {
        check_parent(tx, current.map(|c| c.id), parent).await?;
    }
    if let Some(name) = plan.name {
        row.name = Set(name);
    }
    if let Some(kind) = plan.kind {
        row.kind = Set(kind.as_str().to_owned());
    }
    if let Some(objective) = plan.objective {
        row.objective = Set(objective);
    }
    if let Some(parent) = plan.parent_id {
        row.parent_id = Set(parent);
    }
    if let Some(owner) = plan.owner_id {
        row.owner_id = Set(owner);
    }
    if let Some(team) = plan.team_id {
        row.team_id = Set(team);
    }
    if let Some(region) = plan.region_id {
        row.region_id = Set(region);
    }
    row.starts_on = Set(starts);
    row.ends_on = Set(ends);
    row.currency = Set(budget
        .as_ref()
        .or(revenue.as_ref())
        .map(|a| a.currency.clone()));
    row.budget = Set(budget.map(|b| b.amount));
    row.expected_revenue = Set(revenue.map(|r| r.amount));
    if let Some(responses) = plan.expected_responses {
        if responses.is_some_and(|r| r < 0) {
            return Err(Error::validation(
                "expectedResponses",
                "must not be negative",
            ));
        }
        row.expected_responses = Set(responses);
    }
    Ok(())
}

/// A programme must be a campaign of the workspace, and a campaign may not
/// sit (directly or further down) under itself.
async fn check_parent(tx: &TenantTx, campaign_id: Option<Uuid>, parent: Uuid) -> Result<()> {
    let chain = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH RECURSIVE up (id, parent_id, depth) AS (
                 SELECT id, parent_id, 1 FROM campaigns WHERE tenant_id = $1 AND id = $2
                 UNION ALL
                 SELECT c.id, c.parent_id, up.depth + 1 FROM campaigns c
                   JOIN up ON c.tenant_id = $1 AND c.id = up.parent_id
                  WHERE up.depth < 50)
             SELECT id FROM up",
            [tx.tenant_id().into(), parent.into()],
        ))
        .await?;
    if chain.is_empty() {
        return Err(Error::validation(
            "parentId",
            "is not a campaign of this workspace",
        ));
    }
    if let Some(id) = campaign_id {
        for row in chain {
            if row.try_get_by_index::<Uuid>(0)? == id {
                return Err(Error::validation(
                    "parentId",
                    "would put the campaign under itself",
                ));
            }
        }
    }
    Ok(())
}

/// Creates a campaign, `PLANNED`.
pub async fn create(tx: &TenantTx, new: NewCampaign) -> Result<campaign::Model> {
    let name = new
        .plan
        .name
        .clone()
        .ok_or_else(|| Error::validation("name", "is required"))?;
    let now = Utc::now();
    let mut row = campaign::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        code: Set(new.code.unwrap_or(name)),
        status: Set(CampaignStatus::Planned.as_str().to_owned()),
        kind: Set(CampaignKind::Other.as_str().to_owned()),
        objective: Set(None),
        parent_id: Set(None),
        owner_id: Set(tx.scope().user_id),
        team_id: Set(None),
        region_id: Set(None),
        expected_responses: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply_plan(tx, &mut row, None, new.plan).await?;
    row.insert(&**tx).await.map_err(write_error)
}

/// Changes a campaign's plan at `version` (the code stays).
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    plan: CampaignPlan,
) -> Result<campaign::Model> {
    let current = lock(tx, id).await?;
    check_version(&current, version)?;
    let mut row: campaign::ActiveModel = current.clone().into();
    apply_plan(tx, &mut row, Some(&current), plan).await?;
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    row.update(&**tx).await.map_err(write_error)
}

/// Moves a campaign to `status` at `version`. Starting it takes the
/// members of its audience's segments as they are at that moment; ending
/// it cancels its steps not yet run.
pub async fn change_status(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    status: CampaignStatus,
) -> Result<campaign::Model> {
    let current = lock(tx, id).await?;
    check_version(&current, version)?;
    let from = CampaignStatus::parse(&current.status)?;
    if !from.may_become(status) {
        return Err(Error::validation(
            "status",
            format!(
                "a {} campaign cannot become {}",
                from.as_str(),
                status.as_str()
            ),
        ));
    }
    let now = Utc::now();
    let mut row: campaign::ActiveModel = current.into();
    row.status = Set(status.as_str().to_owned());
    match status {
        CampaignStatus::Active => row.started_at = Set(Some(now)),
        CampaignStatus::Completed | CampaignStatus::Cancelled => row.completed_at = Set(Some(now)),
        CampaignStatus::Planned => {}
    }
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    let row = row.update(&**tx).await?;
    match status {
        CampaignStatus::Active => {
            take_audience(tx, id, None).await?;
        }
        CampaignStatus::Completed | CampaignStatus::Cancelled => {
            super::steps::cancel_scheduled(tx, id).await?;
        }
        CampaignStatus::Planned => {}
    }
    Ok(row)
}

/// Deletes a campaign no order or lead names; its costs and members go
/// with it, its sub-campaigns lose their programme.
pub async fn delete(tx: &TenantTx, id: Uuid) -> Result<()> {
    let referenced = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (SELECT 1 FROM orders WHERE tenant_id = $1 AND campaign_id = $2)
                 OR EXISTS (SELECT 1 FROM leads WHERE tenant_id = $1 AND campaign_id = $2) AS used",
            [tx.tenant_id().into(), id.into()],
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "used"))
        .transpose()?
        .unwrap_or(false);
    if referenced {
        return Err(Error::conflict(
            "orders or leads name this campaign; cancel it instead of deleting it",
            None,
        ));
    }
    let deleted = Campaigns::delete_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound("campaign"));
    }
    Ok(())
}

impl CampaignFilter {
    /// Checks list sizes.
    pub fn validate(&self) -> Result<()> {
        for (f, field) in [(&self.name, "filter.name"), (&self.code, "filter.code")] {
            if let Some(f) = f {
                f.validate(field)?;
            }
        }
        for (f, field) in [(&self.kind, "filter.kind"), (&self.status, "filter.status")] {
            if let Some(f) = f {
                f.validate(field)?;
            }
        }
        let mut budget = crate::domain::filter::FilterBudget::default();
        budget.spend_ids(0, &self.owner_id, "filter.ownerId")?;
        budget.spend_ids(0, &self.parent_id, "filter.parentId")
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Campaigns, c)).into() };
        let mut all = sea_orm::Condition::all();
        for (f, c) in [(&self.name, Column::Name), (&self.code, Column::Code)] {
            if let Some(f) = f {
                all = all.add(f.condition(col(c)));
            }
        }
        for (f, c) in [(&self.kind, Column::Kind), (&self.status, Column::Status)] {
            if let Some(f) = f {
                all = all.add(f.condition(col(c)));
            }
        }
        if let Some(ids) = &self.owner_id {
            all = all.add(Column::OwnerId.is_in(ids.iter().copied()));
        }
        if let Some(ids) = &self.parent_id {
            all = all.add(Column::ParentId.is_in(ids.iter().copied()));
        }
        if let Some(top) = self.top_level {
            all = all.add(if top {
                Column::ParentId.is_null()
            } else {
                Column::ParentId.is_not_null()
            });
        }
        all
    }
}

fn sort_keys(order: &[CampaignSort]) -> Result<Vec<SortKey>> {
    if order.len() > 3 {
        return Err(Error::validation("orderBy", "at most 3 sort keys"));
    }
    let default = [CampaignSort {
        field: CampaignSortField::CreatedAt,
        descending: true,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    let mut keys: Vec<SortKey> = Vec::new();
    for o in order {
        let (name, column, kind, case_insensitive) = match o.field {
            CampaignSortField::Name => ("name", Column::Name, SortKind::Text, true),
            CampaignSortField::StartsOn => ("startsOn", Column::StartsOn, SortKind::Date, false),
            CampaignSortField::CreatedAt => ("createdAt", Column::CreatedAt, SortKind::Time, false),
        };
        if keys.iter().any(|k| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        let expr: SimpleExpr = if o.field == CampaignSortField::StartsOn {
            // Unscheduled campaigns sort after every date.
            Expr::cust("coalesce(campaigns.starts_on, DATE '9999-12-31')")
        } else {
            Expr::col((Campaigns, column)).into()
        };
        keys.push(SortKey {
            name,
            expr,
            kind,
            descending: o.descending,
            case_insensitive,
            value_cast: None,
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Campaigns, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &campaign::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|k| match k.name {
            "name" => SortValue::Text(row.name.clone()),
            "startsOn" => SortValue::Date(
                row.starts_on
                    .unwrap_or(NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date")),
            ),
            "createdAt" => SortValue::Time(row.created_at),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// One page of the workspace's campaigns.
pub async fn list(
    tx: &TenantTx,
    filter: &CampaignFilter,
    order: &[CampaignSort],
    page: &PageRequest,
) -> Result<Page<campaign::Model>> {
    filter.validate()?;
    let keys = sort_keys(order)?;
    let select = of_tenant(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many campaigns match `filter`.
pub async fn count(tx: &TenantTx, filter: &CampaignFilter) -> Result<u64> {
    filter.validate()?;
    Ok(of_tenant(tx)
        .filter(filter.condition())
        .count(&**tx)
        .await?)
}

// ------------------------------------------------------------ audience

async fn open_campaign(tx: &TenantTx, id: Uuid) -> Result<campaign::Model> {
    let row = find(tx, id).await?.ok_or(Error::NotFound("campaign"))?;
    if !CampaignStatus::parse(&row.status)?.open() {
        return Err(Error::validation(
            "campaignId",
            "the campaign has ended; its audience no longer changes",
        ));
    }
    Ok(row)
}

/// Sets the segments a campaign targets. An active campaign takes the
/// members of newly named segments at once; a planned one when it starts.
pub async fn set_audience(tx: &TenantTx, id: Uuid, segment_ids: &[Uuid]) -> Result<()> {
    if segment_ids.len() > MAX_AUDIENCE_SEGMENTS {
        return Err(Error::validation(
            "segmentIds",
            format!("at most {MAX_AUDIENCE_SEGMENTS} segments"),
        ));
    }
    let campaign = open_campaign(tx, id).await?;
    let found = super::segments::find_many(tx, segment_ids).await?;
    if let Some((i, _)) = segment_ids
        .iter()
        .enumerate()
        .find(|(_, s)| !found.contains_key(s))
    {
        return Err(Error::validation(
            format!("segmentIds[{i}]"),
            "is not a segment of this workspace",
        ));
    }
    let before: Vec<Uuid> = audience_of(tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM campaign_audiences WHERE tenant_id = $1 AND campaign_id = $2",
        [tx.tenant_id().into(), id.into()],
    ))
    .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO campaign_audiences (tenant_id, campaign_id, segment_id)
         SELECT $1, $2, s FROM unnest($3::uuid[]) AS a (s) ON CONFLICT DO NOTHING",
        [
            tx.tenant_id().into(),
            id.into(),
            segment_ids.to_vec().into(),
        ],
    ))
    .await?;
    if CampaignStatus::parse(&campaign.status)? == CampaignStatus::Active {
        let added: Vec<Uuid> = segment_ids
            .iter()
            .filter(|s| !before.contains(s))
            .copied()
            .collect();
        take_audience(tx, id, Some(&added)).await?;
    }
    Ok(())
}

/// The audience segments of campaigns, by campaign.
pub async fn audience_of(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Uuid>>> {
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT campaign_id, segment_id FROM campaign_audiences
              WHERE tenant_id = $1 AND campaign_id = ANY($2)",
            [tx.tenant_id().into(), ids.to_vec().into()],
        ))
        .await?;
    let mut by_campaign: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in rows {
        by_campaign
            .entry(r.try_get_by_index(0)?)
            .or_default()
            .push(r.try_get_by_index(1)?);
    }
    Ok(by_campaign)
}

/// Adds the live members of the audience's segments (of `only` among
/// them, when given) as `TARGETED` members; customers already in keep
/// their status.
async fn take_audience(tx: &TenantTx, id: Uuid, only: Option<&[Uuid]>) -> Result<u64> {
    Ok(tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO campaign_members (tenant_id, campaign_id, customer_id, source_segment_id)
             SELECT DISTINCT ON (m.customer_id) $1, $2, m.customer_id, m.segment_id
               FROM campaign_audiences a
               JOIN segment_members m ON m.tenant_id = a.tenant_id AND m.segment_id = a.segment_id
               JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id
                               AND c.deleted_at IS NULL
              WHERE a.tenant_id = $1 AND a.campaign_id = $2
                AND ($3::uuid[] IS NULL OR a.segment_id = ANY($3))
              ORDER BY m.customer_id, m.segment_id
             ON CONFLICT DO NOTHING",
            [
                tx.tenant_id().into(),
                id.into(),
                only.map(<[Uuid]>::to_vec).into(),
            ],
        ))
        .await?
        .rows_affected())
}

/// Adds customers (live ones the member may see) as `TARGETED` members;
/// returns how many were not members yet.
pub async fn add_members(tx: &TenantTx, id: Uuid, customer_ids: &[Uuid]) -> Result<u64> {
    open_campaign(tx, id).await?;
    super::customers_to_add(tx, customer_ids).await?;
    Ok(tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO campaign_members (tenant_id, campaign_id, customer_id)
             SELECT $1, $2, c FROM unnest($3::uuid[]) AS a (c) ON CONFLICT DO NOTHING",
            [
                tx.tenant_id().into(),
                id.into(),
                customer_ids.to_vec().into(),
            ],
        ))
        .await?
        .rows_affected())
}

/// Takes customers the member may see out of a campaign; returns how many
/// were members.
pub async fn remove_members(tx: &TenantTx, id: Uuid, customer_ids: &[Uuid]) -> Result<u64> {
    open_campaign(tx, id).await?;
    let visible = super::customers_to_change(tx, customer_ids).await?;
    Ok(tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM campaign_members
              WHERE tenant_id = $1 AND campaign_id = $2 AND customer_id = ANY($3)",
            [tx.tenant_id().into(), id.into(), visible.into()],
        ))
        .await?
        .rows_affected())
}

/// Records how far the campaign got with members (those the member may
/// see); the first status that reaches a customer is when attribution
/// counts from. Returns how many members changed.
pub async fn set_member_status(
    tx: &TenantTx,
    id: Uuid,
    customer_ids: &[Uuid],
    status: MemberStatus,
) -> Result<u64> {
    find(tx, id).await?.ok_or(Error::NotFound("campaign"))?;
    let visible = super::customers_to_change(tx, customer_ids).await?;
    Ok(tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE campaign_members
                SET status = $4, status_at = now(),
                    touched_at = coalesce(touched_at, CASE WHEN $5 THEN now() END)
              WHERE tenant_id = $1 AND campaign_id = $2 AND customer_id = ANY($3)
                AND status <> $4",
            [
                tx.tenant_id().into(),
                id.into(),
                visible.into(),
                status.as_str().into(),
                status.reached().into(),
            ],
        ))
        .await?
        .rows_affected())
}

/// Moves a merged customer's campaign memberships to the survivor of the
/// merge; where both were members, the survivor's membership stays.
pub async fn move_members(tx: &TenantTx, merged_id: Uuid, survivor_id: Uuid) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO campaign_members (tenant_id, campaign_id, customer_id, status, source_segment_id,
                                       added_at, status_at, touched_at)
         SELECT tenant_id, campaign_id, $3, status, source_segment_id, added_at, status_at, touched_at
           FROM campaign_members WHERE tenant_id = $1 AND customer_id = $2
         ON CONFLICT DO NOTHING",
        [tx.tenant_id().into(), merged_id.into(), survivor_id.into()],
    ))
    .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM campaign_members WHERE tenant_id = $1 AND customer_id = $2",
        [tx.tenant_id().into(), merged_id.into()],
    ))
    .await?;
    Ok(())
}

/// A page of a campaign's members whose customers the member may see,
/// by when they were added, optionally of one status.
pub async fn members(
    tx: &TenantTx,
    id: Uuid,
    status: Option<MemberStatus>,
    page: &PageRequest,
) -> Result<Page<campaign_member::Model>> {
    use campaign_member::{Column as M, Entity as Members};
    let mut select = Members::find()
        .filter(M::TenantId.eq(tx.tenant_id()))
        .filter(M::CampaignId.eq(id))
        .filter(M::CustomerId.in_subquery(customers::visible_ids(tx)));
    if let Some(status) = status {
        select = select.filter(M::Status.eq(status.as_str()));
    }
    let keys = vec![
        SortKey {
            name: "addedAt",
            expr: Expr::col((Members, M::AddedAt)).into(),
            kind: SortKind::Time,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "customerId",
            expr: Expr::col((Members, M::CustomerId)).into(),
            kind: SortKind::Uuid,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
    ];
    fetch_page(tx, select, &keys, page, |m| {
        vec![SortValue::Time(m.added_at), SortValue::Uuid(m.customer_id)]
    })
    .await
}

// ------------------------------------------------------------ costs

/// Adds a cost line to a campaign.
pub async fn add_cost(tx: &TenantTx, id: Uuid, new: NewCost) -> Result<campaign_cost::Model> {
    find(tx, id).await?.ok_or(Error::NotFound("campaign"))?;
    Ok(campaign_cost::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        campaign_id: Set(id),
        kind: Set(new.kind.as_str().to_owned()),
        category: Set(new.category),
        amount: Set(new.amount.amount),
        currency: Set(new.amount.currency),
        incurred_on: Set(new.incurred_on),
        note: Set(new.note),
        created_by: Set(tx.scope().user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&**tx)
    .await?)
}

/// Removes a cost line; returns its campaign.
pub async fn remove_cost(tx: &TenantTx, cost_id: Uuid) -> Result<Uuid> {
    let row = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM campaign_costs WHERE tenant_id = $1 AND id = $2 RETURNING campaign_id",
            [tx.tenant_id().into(), cost_id.into()],
        ))
        .await?
        .ok_or(Error::NotFound("campaign cost"))?;
    Ok(row.try_get_by_index(0)?)
}

/// The cost lines of campaigns, by campaign, oldest first.
pub async fn costs_of(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<campaign_cost::Model>>> {
    use campaign_cost::{Column as C, Entity as Costs};
    use sea_orm::QueryOrder;
    let rows = Costs::find()
        .filter(C::TenantId.eq(tx.tenant_id()))
        .filter(C::CampaignId.is_in(ids.iter().copied()))
        .order_by_asc(C::IncurredOn)
        .order_by_asc(C::Id)
        .all(&**tx)
        .await?;
    let mut by_campaign: HashMap<Uuid, Vec<campaign_cost::Model>> = HashMap::new();
    for row in rows {
        by_campaign.entry(row.campaign_id).or_default().push(row);
    }
    Ok(by_campaign)
}
