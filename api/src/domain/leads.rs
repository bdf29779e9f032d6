//! Leads: prospective customers captured from a source and channel
//! (optionally a campaign), qualified or disqualified with a reason, and
//! converted into a customer, a contact and optionally a deal in one
//! transaction. A converted lead keeps the links to what it became, for
//! reporting (conversion rates by source, channel and campaign).

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Select, Set};
use uuid::Uuid;

use entity::lead::{self, Column, Entity as Leads};

use super::contacts::{self, NewContact};
use super::customers::{self, CustomerKind, LifecycleStage, NewCustomer};
use super::deals::{self, DealContactInput, NewDeal};
use super::filter::{EnumFilter, FilterBudget, TextFilter, TimeFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::{search, values};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Where a lead stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadStatus {
    New,
    Qualified,
    Disqualified,
    Converted,
}

impl LeadStatus {
    const ALL: [LeadStatus; 4] = [
        LeadStatus::New,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
        LeadStatus::Converted,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "NEW",
            LeadStatus::Qualified => "QUALIFIED",
            LeadStatus::Disqualified => "DISQUALIFIED",
            LeadStatus::Converted => "CONVERTED",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<LeadStatus> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == stored)
            .ok_or_else(|| Error::internal(UnknownStatus(stored.to_owned())))
    }
}

/// A validated new lead.
#[derive(Clone, Debug, Default)]
pub struct NewLead {
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    /// The acting member when not given.
    pub owner_id: Option<Uuid>,
}

/// Field rules.
pub mod rules {
    use super::*;

    /// A short free text (company, source, channel, campaign).
    pub fn short_text(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, 200)
    }

    /// A reason for qualifying or disqualifying.
    pub fn reason(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, 1000)
    }
}

/// Captures a lead.
pub async fn create(tx: &TenantTx, new: NewLead) -> Result<lead::Model> {
    let now = Utc::now();
    let created = Leads::insert(lead::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        name: Set(new.name),
        company: Set(new.company),
        email: Set(new.email),
        phone: Set(new.phone),
        source: Set(new.source),
        channel: Set(new.channel),
        campaign: Set(new.campaign),
        // Set by the database from the campaign code.
        campaign_id: sea_orm::ActiveValue::NotSet,
        status: Set(LeadStatus::New.as_str().to_owned()),
        status_reason: Set(None),
        owner_id: Set(new.owner_id.or(tx.scope().user_id)),
        customer_id: Set(None),
        contact_id: Set(None),
        deal_id: Set(None),
        converted_at: Set(None),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(owner_error)?;
    super::domain_events::record(
        tx,
        super::domain_events::EventKind::LeadCreated,
        created.id,
        serde_json::json!({
            "leadId": created.id,
            "name": created.name,
            "source": created.source,
            "ownerId": created.owner_id,
        }),
    )
    .await?;
    Ok(created)
}

/// The leads the member may see: the customer visibility setting applies
/// to leads by their owner, in the SQL.
fn leads(tx: &TenantTx) -> Select<Leads> {
    super::finder::visible(tx)
}

/// The lead with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<lead::Model>> {
    Ok(leads(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

async fn lock(tx: &TenantTx, id: Uuid) -> Result<lead::Model> {
    leads(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("lead"))
}

/// Marks an open lead qualified (with an optional reason) or disqualified
/// (a reason is required). Converted leads stay converted.
pub async fn set_qualification(
    tx: &TenantTx,
    id: Uuid,
    qualified: bool,
    reason: Option<String>,
) -> Result<lead::Model> {
    let current = lock(tx, id).await?;
    if current.status == LeadStatus::Converted.as_str() {
        return Err(Error::conflict("the lead is already converted", Some("id")));
    }
    if !qualified && reason.is_none() {
        return Err(Error::validation(
            "reason",
            "disqualifying a lead needs a reason",
        ));
    }
    let status = if qualified {
        LeadStatus::Qualified
    } else {
        LeadStatus::Disqualified
    };
    leads_update(tx, id)
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::StatusReason, Expr::value(reason))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("lead"))
}

/// Changes to a lead: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct LeadChanges {
    pub name: Option<String>,
    pub company: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub source: Option<Option<String>>,
    pub channel: Option<Option<String>>,
    pub campaign: Option<Option<String>>,
    pub owner_id: Option<Option<Uuid>>,
}

/// Changes a visible lead that is not converted yet (a converted lead
/// keeps what it was converted from, for reporting). `version` must be the
/// current one, else `CONFLICT` on `version`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: LeadChanges,
) -> Result<lead::Model> {
    let current = lock(tx, id).await?;
    if current.version != version {
        return Err(Error::conflict(
            format!(
                "the lead was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again",
                current.version
            ),
            Some("version"),
        ));
    }
    if current.status == LeadStatus::Converted.as_str() {
        return Err(Error::conflict(
            "a converted lead cannot be changed; change the customer, contact or deal it became",
            Some("id"),
        ));
    }
    let mut update = leads_update(tx, id);
    if let Some(name) = changes.name {
        update = update.col_expr(Column::Name, Expr::value(name));
    }
    for (column, value) in [
        (Column::Company, changes.company),
        (Column::Email, changes.email),
        (Column::Phone, changes.phone),
        (Column::Source, changes.source),
        (Column::Channel, changes.channel),
        (Column::Campaign, changes.campaign),
    ] {
        if let Some(value) = value {
            update = update.col_expr(column, Expr::value(value));
        }
    }
    if let Some(owner_id) = changes.owner_id {
        update = update.col_expr(Column::OwnerId, Expr::value(owner_id));
    }
    update
        .exec_with_returning(&**tx)
        .await
        .map_err(owner_error)?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("lead"))
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

fn leads_update(tx: &TenantTx, id: Uuid) -> sea_orm::UpdateMany<Leads> {
    Leads::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
}

/// Which customer a conversion uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerChoice {
    /// This existing customer.
    Existing(Uuid),
    /// An existing customer found by duplicate matching (same email or
    /// phone, or a near-identical name), else a new one.
    MatchOrCreate,
    /// Always a new customer.
    Create,
}

/// The deal a conversion opens.
#[derive(Clone, Debug, Default)]
pub struct ConversionDeal {
    /// The lead's company or name when not given.
    pub name: Option<String>,
    pub pipeline_id: Option<Uuid>,
    pub stage_id: Option<Uuid>,
    pub amount: Option<rust_decimal::Decimal>,
    pub currency: String,
    pub expected_close_date: Option<chrono::NaiveDate>,
}

/// What a conversion made.
#[derive(Clone, Debug)]
pub struct Conversion {
    pub lead: lead::Model,
    pub customer: entity::customer::Model,
    pub contact: entity::contact::Model,
    pub deal: Option<entity::deal::Model>,
    /// Whether the customer existed before.
    pub matched_existing: bool,
}

/// A name similarity that counts as the same customer when converting.
const SAME_NAME_SCORE: f64 = 0.9;

/// Converts a new or qualified lead: the customer (chosen, matched or
/// created), a contact with the lead's name, email and phone, and
/// optionally a deal with that contact, then the lead as converted with its
/// links. Everything is written in `tx`: any failure leaves nothing behind.
pub async fn convert(
    tx: &TenantTx,
    id: Uuid,
    choice: CustomerChoice,
    deal: Option<ConversionDeal>,
) -> Result<Conversion> {
    let lead = lock(tx, id).await?;
    match LeadStatus::parse(&lead.status)? {
        LeadStatus::Converted => {
            return Err(Error::conflict(
                "the lead is already converted",
                Some("leadId"),
            ))
        }
        LeadStatus::Disqualified => {
            return Err(Error::conflict(
                "a disqualified lead is not converted; qualify it first",
                Some("leadId"),
            ))
        }
        LeadStatus::New | LeadStatus::Qualified => {}
    }
    let (customer, matched_existing) = match choice {
        CustomerChoice::Existing(customer_id) => (
            customers::find(tx, customer_id).await?.ok_or_else(|| {
                Error::validation("customerId", "is not a customer of this workspace")
            })?,
            true,
        ),
        CustomerChoice::MatchOrCreate => match find_match(tx, &lead).await? {
            Some(found) => (found, true),
            None => (create_customer(tx, &lead).await?, false),
        },
        CustomerChoice::Create => (create_customer(tx, &lead).await?, false),
    };
    let contact = contacts::create(
        tx,
        NewContact {
            customer_id: customer.id,
            name: lead.name.clone(),
            title: None,
            email: lead.email.clone(),
            phone: lead.phone.clone(),
            preferred_channel: None,
            language: None,
            emails: None,
            phones: None,
            custom_fields: serde_json::json!({}),
        },
    )
    .await?;
    let deal = match deal {
        None => None,
        Some(d) => Some(
            deals::create(
                tx,
                NewDeal {
                    name: d.name.unwrap_or_else(|| {
                        lead.company.clone().unwrap_or_else(|| lead.name.clone())
                    }),
                    customer_id: customer.id,
                    pipeline_id: d.pipeline_id,
                    stage_id: d.stage_id,
                    owner_id: lead.owner_id,
                    amount: d.amount,
                    currency: d.currency,
                    expected_close_date: d.expected_close_date,
                    contacts: vec![DealContactInput {
                        contact_id: contact.id,
                        role: None,
                    }],
                    lines: Vec::new(),
                    reason: None,
                },
            )
            .await
            .map_err(|err| err.within("deal"))?,
        ),
    };
    let lead = leads_update(tx, id)
        .col_expr(Column::Status, Expr::value(LeadStatus::Converted.as_str()))
        .col_expr(Column::CustomerId, Expr::value(customer.id))
        .col_expr(Column::ContactId, Expr::value(contact.id))
        .col_expr(Column::DealId, Expr::value(deal.as_ref().map(|d| d.id)))
        .col_expr(Column::ConvertedAt, Expr::current_timestamp().into())
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("lead"))?;
    super::domain_events::record(
        tx,
        super::domain_events::EventKind::LeadConverted,
        lead.id,
        serde_json::json!({
            "leadId": lead.id,
            "customerId": customer.id,
            "contactId": contact.id,
            "dealId": deal.as_ref().map(|d| d.id),
        }),
    )
    .await?;
    Ok(Conversion {
        lead,
        customer,
        contact,
        deal,
        matched_existing,
    })
}

/// The visible customer a lead most likely is: one sharing its email or
/// phone, or with a near-identical name (the duplicate matching of
/// `createCustomer`).
async fn find_match(tx: &TenantTx, lead: &lead::Model) -> Result<Option<entity::customer::Model>> {
    let probe = entity::customer::Model {
        tenant_id: tx.tenant_id(),
        id: Uuid::nil(),
        version: 1,
        kind: CustomerKind::Company.as_str().to_owned(),
        name: lead.company.clone().unwrap_or_else(|| lead.name.clone()),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        website: None,
        industry: None,
        region: None,
        external_id: None,
        lifecycle_stage: LifecycleStage::Lead.as_str().to_owned(),
        owner_id: None,
        tags: Vec::new(),
        custom_fields: serde_json::json!({}),
        created_by: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        deleted_at: None,
        contact_count: 0,
        interaction_count: 0,
        open_task_count: 0,
        last_interaction_at: None,
        open_deal_count: 0,
        open_deal_amount: rust_decimal::Decimal::ZERO,
        order_count: 0,
        order_total: rust_decimal::Decimal::ZERO,
        last_order_at: None,
        email_label: "WORK".into(),
        other_emails: serde_json::json!([]),
        phone_label: "WORK".into(),
        other_phones: serde_json::json!([]),
        address_lines: Vec::new(),
        city: None,
        state_province: None,
        postal_code: None,
        country: None,
        acquisition_source: None,
        acquisition_channel: None,
        team_id: None,
    };
    for candidate in search::duplicates(tx, &probe).await? {
        let strong = candidate.reasons.iter().any(|r| {
            matches!(
                r,
                search::DuplicateReason::SameEmail | search::DuplicateReason::SamePhone
            )
        }) || candidate.score >= SAME_NAME_SCORE;
        if strong {
            // Only a customer the member may see is used.
            if let Some(visible) = customers::find(tx, candidate.customer.id).await? {
                return Ok(Some(visible));
            }
        }
    }
    Ok(None)
}

async fn create_customer(tx: &TenantTx, lead: &lead::Model) -> Result<entity::customer::Model> {
    let (kind, name) = match &lead.company {
        Some(company) => (CustomerKind::Company, company.clone()),
        None => (CustomerKind::Person, lead.name.clone()),
    };
    customers::create_with(
        tx,
        NewCustomer {
            kind,
            name,
            email: lead.email.clone(),
            phone: lead.phone.clone(),
            website: None,
            industry: None,
            region: None,
            external_id: None,
            lifecycle_stage: LifecycleStage::Prospect,
            owner_id: lead.owner_id,
            tags: Vec::new(),
            custom_fields: serde_json::json!({}),
        },
        // The lead's source, and its channel when it names a known one,
        // become the customer's acquisition.
        customers::CustomerDetails {
            acquisition_source: lead.source.clone(),
            acquisition_channel: lead
                .channel
                .as_deref()
                .and_then(|c| customers::AcquisitionChannel::parse(&c.to_uppercase()).ok()),
            ..Default::default()
        },
    )
    .await
}

/// Which leads to list.
#[derive(Clone, Debug, Default)]
pub struct LeadFilter {
    pub status: Option<EnumFilter>,
    pub owner_ids: Option<Vec<Uuid>>,
    pub source: Option<TextFilter>,
    pub channel: Option<TextFilter>,
    pub campaign: Option<TextFilter>,
    pub created_at: Option<TimeFilter>,
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "createdAt",
            expr: Expr::col((Leads, Column::CreatedAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Leads, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

fn filtered(tx: &TenantTx, filter: &LeadFilter) -> Result<Select<Leads>> {
    let mut select = leads(tx);
    let mut budget = FilterBudget::default();
    if let Some(f) = &filter.status {
        budget.spend(0)?;
        f.validate("filter.status")?;
        select = select.filter(f.condition(Expr::col((Leads, Column::Status)).into()));
    }
    budget.spend_ids(0, &filter.owner_ids, "filter.ownerId")?;
    if let Some(owners) = &filter.owner_ids {
        select = select.filter(Column::OwnerId.is_in(owners.iter().copied()));
    }
    for (text, column, field) in [
        (&filter.source, Column::Source, "filter.source"),
        (&filter.channel, Column::Channel, "filter.channel"),
        (&filter.campaign, Column::Campaign, "filter.campaign"),
    ] {
        if let Some(f) = text {
            budget.spend(0)?;
            f.validate(field)?;
            select = select.filter(f.condition(Expr::col((Leads, column)).into()));
        }
    }
    if let Some(f) = &filter.created_at {
        budget.spend(0)?;
        select = select.filter(f.condition(Expr::col((Leads, Column::CreatedAt)).into()));
    }
    Ok(select)
}

/// One page of leads, newest first.
pub async fn list(
    tx: &TenantTx,
    filter: &LeadFilter,
    page: &PageRequest,
) -> Result<Page<lead::Model>> {
    fetch_page(tx, filtered(tx, filter)?, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.created_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// How many leads match.
pub async fn count(tx: &TenantTx, filter: &LeadFilter) -> Result<u64> {
    Ok(filtered(tx, filter)?.count(&**tx).await?)
}

/// A stored status this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown lead status `{0}`")]
struct UnknownStatus(String);
