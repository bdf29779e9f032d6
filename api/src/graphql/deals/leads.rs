//! Leads API: capture, qualification and conversion into a customer, a
//! contact and optionally a deal.

use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::types::Deal;
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::filter::EnumFilter;
use crate::domain::leads::{self, ConversionDeal, CustomerChoice, LeadChanges, NewLead};
use crate::domain::{currencies, deals, values};
use crate::error::Error;
use crate::graphql::common::{
    page_cost, page_request, parse_id, to_id, Date, DateTimeFilter, IdFilter, PageInfo,
    StringFilter,
};
use crate::graphql::context::{authorize, read_tx, write_tx};
use crate::graphql::customers::relations::Contact;
use crate::graphql::customers::types::Customer;

/// Where a lead stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::leads::LeadStatus")]
pub enum LeadStatus {
    New,
    Qualified,
    Disqualified,
    Converted,
}

/// A prospective customer.
pub struct Lead(pub entity::lead::Model);

#[Object]
impl Lead {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Where the lead came from (trade show, referral, web form, …).
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Through which channel (web, phone, partner, …).
    async fn channel(&self) -> Option<&str> {
        self.0.channel.as_deref()
    }
    /// The code of the campaign that brought it (a code no campaign had
    /// yet started one).
    async fn campaign(&self) -> Option<&str> {
        self.0.campaign.as_deref()
    }
    /// The campaign of `campaign` (see `campaign(id:)`, with `marketing:read`).
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(to_id)
    }
    async fn status(&self) -> Result<LeadStatus> {
        Ok(leads::LeadStatus::parse(&self.0.status)?.into())
    }
    /// Why it was qualified or disqualified.
    async fn status_reason(&self) -> Option<&str> {
        self.0.status_reason.as_deref()
    }
    async fn owner_id(&self) -> Option<ID> {
        self.0.owner_id.map(to_id)
    }
    /// What the lead became, once converted.
    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.map(to_id)
    }
    async fn contact_id(&self) -> Option<ID> {
        self.0.contact_id.map(to_id)
    }
    async fn deal_id(&self) -> Option<ID> {
        self.0.deal_id.map(to_id)
    }
    async fn converted_at(&self) -> Option<DateTime<Utc>> {
        self.0.converted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One lead in a page.
#[derive(SimpleObject)]
pub struct LeadEdge {
    pub cursor: String,
    pub node: Lead,
}

/// A page of leads, newest first.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct LeadConnection {
    pub edges: Vec<LeadEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: leads::LeadFilter,
}

#[ComplexObject]
impl LeadConnection {
    /// How many leads match, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(leads::count(&tx, &self.filter).await? as i64)
    }
}

/// A new lead.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// The person's name.
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub channel: Option<String>,
    pub campaign: Option<String>,
    /// You when not given.
    pub owner_id: Option<ID>,
}

impl CreateLeadInput {
    /// Validates every field.
    pub fn into_domain(self) -> Result<NewLead, Error> {
        let text = |field: &str, v: Option<String>| -> Result<Option<String>, Error> {
            Ok(v.map(|v| leads::rules::short_text(field, &v))
                .transpose()?
                .flatten())
        };
        Ok(NewLead {
            name: values::required_text("name", &self.name, 200)?,
            company: text("company", self.company)?,
            email: self
                .email
                .filter(|e| !e.trim().is_empty())
                .map(|e| values::email("email", &e))
                .transpose()?,
            phone: self
                .phone
                .filter(|p| !p.trim().is_empty())
                .map(|p| values::phone("phone", &p))
                .transpose()?,
            source: text("source", self.source)?,
            channel: text("channel", self.channel)?,
            campaign: text("campaign", self.campaign)?,
            owner_id: self
                .owner_id
                .map(|id| parse_id("ownerId", &id))
                .transpose()?,
        })
    }
}

/// A lead to qualify or disqualify.
#[derive(InputObject)]
pub struct QualifyLeadInput {
    pub id: ID,
    /// Optional when qualifying, required when disqualifying.
    pub reason: Option<String>,
}

/// The deal a conversion opens.
#[derive(InputObject)]
pub struct ConvertLeadDealInput {
    /// The lead's company (or name) when not given.
    pub name: Option<String>,
    pub pipeline_id: Option<ID>,
    pub stage_id: Option<ID>,
    pub amount: Option<Decimal>,
    pub currency: String,
    pub expected_close_date: Option<Date>,
}

/// A lead to convert.
#[derive(InputObject)]
pub struct ConvertLeadInput {
    pub lead_id: ID,
    /// Convert into this existing customer.
    pub customer_id: Option<ID>,
    /// Without `customerId`: use an existing customer that matches the
    /// lead (same email or phone, or a near-identical name) when there is
    /// one (`true` when not given), else create one.
    pub match_existing_customer: Option<bool>,
    /// Also open a deal with the new contact.
    pub deal: Option<ConvertLeadDealInput>,
}

/// What a conversion made.
#[derive(SimpleObject)]
pub struct ConvertLeadPayload {
    pub lead: Lead,
    pub customer: Customer,
    pub contact: Contact,
    pub deal: Option<Deal>,
    /// Whether the customer existed before the conversion.
    pub matched_existing_customer: bool,
}

/// The lead a mutation wrote.
#[derive(SimpleObject)]
pub struct LeadPayload {
    pub lead: Lead,
}

/// Which leads to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct LeadFilter {
    #[graphql(name = "statusIn")]
    pub status_in: Option<Vec<LeadStatus>>,
    pub owner_id: Option<IdFilter>,
    pub source: Option<StringFilter>,
    pub channel: Option<StringFilter>,
    pub campaign: Option<StringFilter>,
    pub created_at: Option<DateTimeFilter>,
}

impl LeadFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<leads::LeadFilter, Error> {
        Ok(leads::LeadFilter {
            status: self.status_in.map(|list| EnumFilter {
                eq: None,
                ne: None,
                in_list: Some(
                    list.into_iter()
                        .map(|s| leads::LeadStatus::from(s).as_str())
                        .collect(),
                ),
            }),
            owner_ids: self
                .owner_id
                .map(|f| f.into_ids("filter.ownerId"))
                .transpose()?,
            source: self.source.map(Into::into),
            channel: self.channel.map(Into::into),
            campaign: self.campaign.map(Into::into),
            created_at: self.created_at.map(Into::into),
        })
    }
}

/// Changes to a lead that is not converted yet; only the given fields
/// change, and `null` clears one.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    pub id: ID,
    /// The version you read; a stale one is a `CONFLICT`.
    pub version: i32,
    pub name: Option<String>,
    pub company: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub source: MaybeUndefined<String>,
    pub channel: MaybeUndefined<String>,
    pub campaign: MaybeUndefined<String>,
    pub owner_id: MaybeUndefined<ID>,
}

impl UpdateLeadInput {
    /// The lead id, its expected version and the validated changes.
    pub fn into_domain(self) -> Result<(Uuid, i32, LeadChanges), Error> {
        fn change<T>(
            value: MaybeUndefined<String>,
            parse: impl FnOnce(&str) -> Result<Option<T>, Error>,
        ) -> Result<Option<Option<T>>, Error> {
            Ok(match value {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(parse(&v)?),
            })
        }
        let text = |field: &'static str| move |v: &str| leads::rules::short_text(field, v);
        let blank_is_none = |v: &str| v.trim().is_empty();
        Ok((
            parse_id("id", &self.id)?,
            self.version,
            LeadChanges {
                name: self
                    .name
                    .map(|n| values::required_text("name", &n, 200))
                    .transpose()?,
                company: change(self.company, text("company"))?,
                email: change(self.email, |v| {
                    (!blank_is_none(v))
                        .then(|| values::email("email", v))
                        .transpose()
                })?,
                phone: change(self.phone, |v| {
                    (!blank_is_none(v))
                        .then(|| values::phone("phone", v))
                        .transpose()
                })?,
                source: change(self.source, text("source"))?,
                channel: change(self.channel, text("channel"))?,
                campaign: change(self.campaign, text("campaign"))?,
                owner_id: match self.owner_id {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(id) => Some(Some(parse_id("ownerId", &id)?)),
                },
            },
        ))
    }
}

/// Lead queries.
#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// The lead with this id; null when absent.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Lead>> {
        authorize(ctx, Permission::LeadsRead)?;
        let id = parse_id("id", &id)?;
        let tx = read_tx(ctx).await?;
        Ok(leads::find(&tx, id).await?.map(Lead))
    }

    /// Leads, newest first.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<LeadFilter>,
    ) -> Result<LeadConnection> {
        authorize(ctx, Permission::LeadsRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(LeadFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let tx = read_tx(ctx).await?;
        let page = leads::list(&tx, &filter, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(LeadConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| LeadEdge {
                    cursor,
                    node: Lead(row),
                })
                .collect(),
            page_info,
            filter,
        })
    }
}

/// Lead mutations.
#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Captures a lead.
    async fn create_lead(&self, ctx: &Context<'_>, input: CreateLeadInput) -> Result<LeadPayload> {
        let principal = authorize(ctx, Permission::LeadsWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let lead = leads::create(&tx, new).await?;
        tx.commit().await?;
        Ok(LeadPayload { lead: Lead(lead) })
    }

    /// Changes a lead that is not converted yet.
    async fn update_lead(&self, ctx: &Context<'_>, input: UpdateLeadInput) -> Result<LeadPayload> {
        let principal = authorize(ctx, Permission::LeadsWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let lead = leads::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(LeadPayload { lead: Lead(lead) })
    }

    /// Marks a lead qualified, with an optional reason.
    async fn qualify_lead(
        &self,
        ctx: &Context<'_>,
        input: QualifyLeadInput,
    ) -> Result<LeadPayload> {
        qualification(ctx, input, true).await
    }

    /// Marks a lead disqualified; a reason is required.
    async fn disqualify_lead(
        &self,
        ctx: &Context<'_>,
        input: QualifyLeadInput,
    ) -> Result<LeadPayload> {
        qualification(ctx, input, false).await
    }

    /// Converts a lead into a customer (chosen, matched or new), a contact
    /// and optionally a deal, all at once: a failure leaves nothing behind.
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        input: ConvertLeadInput,
    ) -> Result<ConvertLeadPayload> {
        let principal = authorize(ctx, Permission::LeadsWrite)?;
        principal.require(Permission::CustomersWrite)?;
        let lead_id = parse_id("leadId", &input.lead_id)?;
        let choice = match (input.customer_id, input.match_existing_customer) {
            (Some(id), _) => CustomerChoice::Existing(parse_id("customerId", &id)?),
            (None, Some(false)) => CustomerChoice::Create,
            (None, _) => CustomerChoice::MatchOrCreate,
        };
        let deal = match input.deal {
            None => None,
            Some(d) => {
                principal.require(Permission::DealsWrite)?;
                Some(ConversionDeal {
                    name: d
                        .name
                        .map(|n| deals::rules::name(&n).map_err(|e| e.within("deal")))
                        .transpose()?,
                    pipeline_id: d
                        .pipeline_id
                        .map(|id| parse_id("deal.pipelineId", &id))
                        .transpose()?,
                    stage_id: d
                        .stage_id
                        .map(|id| parse_id("deal.stageId", &id))
                        .transpose()?,
                    amount: d
                        .amount
                        .map(|a| deals::rules::amount("deal.amount", a))
                        .transpose()?,
                    currency: currencies::currency("deal.currency", &d.currency)?,
                    expected_close_date: d.expected_close_date.map(|d| d.0),
                })
            }
        };
        let tx = write_tx(ctx, principal).await?;
        let done = leads::convert(&tx, lead_id, choice, deal).await?;
        tx.commit().await?;
        Ok(ConvertLeadPayload {
            lead: Lead(done.lead),
            customer: Customer(done.customer),
            contact: Contact(done.contact),
            deal: done.deal.map(Deal),
            matched_existing_customer: done.matched_existing,
        })
    }
}

async fn qualification(
    ctx: &Context<'_>,
    input: QualifyLeadInput,
    qualified: bool,
) -> Result<LeadPayload> {
    let principal = authorize(ctx, Permission::LeadsWrite)?;
    let id = parse_id("id", &input.id)?;
    let reason = input
        .reason
        .map(|r| leads::rules::reason("reason", &r))
        .transpose()?
        .flatten();
    let tx = write_tx(ctx, principal).await?;
    let lead = leads::set_qualification(&tx, id, qualified, reason).await?;
    tx.commit().await?;
    Ok(LeadPayload { lead: Lead(lead) })
}
