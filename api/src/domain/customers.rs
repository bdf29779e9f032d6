//! Customers: the companies and people a tenant does business with.
//!
//! Every function works on a [`TenantTx`], and every query also filters by
//! the transaction's tenant, so isolation holds even if a row-level security
//! policy were missing. Deleted customers are kept (soft delete) and are
//! invisible to every query here until restored. Every write records its
//! field changes through [`customer_history::record`] in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::customer::{self, Column, Entity as Customers};

use super::contact_points::{self, PointKind, PointList};
use super::customer_history::{self, ChangeAction};
use super::filter::{
    DecimalFilter, EnumFilter, FilterBudget, IntFilter, TextFilter, TextListFilter, TimeFilter,
};
use super::pagination::{
    fetch_page, fetch_page_with, Page, PageRequest, SortKey, SortKind, SortValue,
};
use super::postal_address::PostalAddress;
use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest customer name.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest short text field (industry, region, external id).
pub const MAX_SHORT_TEXT_CHARS: usize = 100;
/// Most tags on one customer, and the longest tag.
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 50;
/// Largest custom-fields document, in bytes of JSON.
pub const MAX_CUSTOM_FIELDS_BYTES: usize = 16 * 1024;
/// Most sort keys in one `orderBy`.
pub const MAX_ORDER_KEYS: usize = 3;

/// A company or a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerKind {
    Company,
    Person,
}

impl CustomerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Company => "COMPANY",
            CustomerKind::Person => "PERSON",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "COMPANY" => Ok(CustomerKind::Company),
            "PERSON" => Ok(CustomerKind::Person),
            other => Err(Error::unknown_stored("kind", other)),
        }
    }
}

/// Where a customer stands in its relationship with the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl LifecycleStage {
    const ALL: [LifecycleStage; 8] = [
        LifecycleStage::Subscriber,
        LifecycleStage::Lead,
        LifecycleStage::Prospect,
        LifecycleStage::Opportunity,
        LifecycleStage::Customer,
        LifecycleStage::Evangelist,
        LifecycleStage::Churned,
        LifecycleStage::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Subscriber => "SUBSCRIBER",
            LifecycleStage::Lead => "LEAD",
            LifecycleStage::Prospect => "PROSPECT",
            LifecycleStage::Opportunity => "OPPORTUNITY",
            LifecycleStage::Customer => "CUSTOMER",
            LifecycleStage::Evangelist => "EVANGELIST",
            LifecycleStage::Churned => "CHURNED",
            LifecycleStage::Other => "OTHER",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == stored)
            .ok_or_else(|| Error::unknown_stored("lifecycle_stage", stored))
    }
}

/// A validated new customer.
#[derive(Clone, Debug)]
pub struct NewCustomer {
    pub kind: CustomerKind,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub external_id: Option<String>,
    pub lifecycle_stage: LifecycleStage,
    pub owner_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub custom_fields: JsonValue,
}

/// Validated changes to a customer: `None` leaves a field as it is;
/// `Some(None)` clears an optional field.
#[derive(Clone, Debug, Default)]
pub struct CustomerChanges {
    pub kind: Option<CustomerKind>,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub industry: Option<Option<String>>,
    pub region: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub lifecycle_stage: Option<LifecycleStage>,
    pub owner_id: Option<Option<Uuid>>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<JsonValue>,
}

/// How a customer first found the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcquisitionChannel {
    OrganicSearch,
    PaidSearch,
    Social,
    Email,
    Referral,
    Partner,
    Event,
    Direct,
    Advertising,
    Other,
}

impl AcquisitionChannel {
    /// Every channel.
    pub const ALL: [AcquisitionChannel; 10] = [
        AcquisitionChannel::OrganicSearch,
        AcquisitionChannel::PaidSearch,
        AcquisitionChannel::Social,
        AcquisitionChannel::Email,
        AcquisitionChannel::Referral,
        AcquisitionChannel::Partner,
        AcquisitionChannel::Event,
        AcquisitionChannel::Direct,
        AcquisitionChannel::Advertising,
        AcquisitionChannel::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AcquisitionChannel::OrganicSearch => "ORGANIC_SEARCH",
            AcquisitionChannel::PaidSearch => "PAID_SEARCH",
            AcquisitionChannel::Social => "SOCIAL",
            AcquisitionChannel::Email => "EMAIL",
            AcquisitionChannel::Referral => "REFERRAL",
            AcquisitionChannel::Partner => "PARTNER",
            AcquisitionChannel::Event => "EVENT",
            AcquisitionChannel::Direct => "DIRECT",
            AcquisitionChannel::Advertising => "ADVERTISING",
            AcquisitionChannel::Other => "OTHER",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == stored)
            .ok_or_else(|| Error::unknown_stored("acquisition_channel", stored))
    }
}

/// The parts of a new customer beyond [`NewCustomer`]: all emails and
/// phones, address, acquisition and team. `Default` is "none given" (what
/// writers that know only the primary email and phone pass).
#[derive(Clone, Debug, Default)]
pub struct CustomerDetails {
    /// Every email, primary first; `None`: only [`NewCustomer::email`].
    pub emails: Option<PointList>,
    /// Every phone, primary first; `None`: only [`NewCustomer::phone`].
    pub phones: Option<PointList>,
    pub address: PostalAddress,
    pub acquisition_source: Option<String>,
    pub acquisition_channel: Option<AcquisitionChannel>,
    /// A team of the workspace.
    pub team_id: Option<Uuid>,
}

/// Changes beyond [`CustomerChanges`]: `None` leaves a part as it is;
/// `Some(None)` clears it. A given email or phone list replaces the stored
/// one; a given [`CustomerChanges::email`] then becomes its primary.
#[derive(Clone, Debug, Default)]
pub struct CustomerDetailChanges {
    pub emails: Option<PointList>,
    pub phones: Option<PointList>,
    /// The whole address (an empty one clears it).
    pub address: Option<PostalAddress>,
    pub acquisition_source: Option<Option<String>>,
    pub acquisition_channel: Option<Option<AcquisitionChannel>>,
    pub team_id: Option<Option<Uuid>>,
}

/// A customer's emails, primary first.
pub fn emails_of(row: &customer::Model) -> PointList {
    PointList::stored(row.email.as_deref(), &row.email_label, &row.other_emails)
}

/// A customer's phones, primary first.
pub fn phones_of(row: &customer::Model) -> PointList {
    PointList::stored(row.phone.as_deref(), &row.phone_label, &row.other_phones)
}

/// A customer's postal address.
pub fn address_of(row: &customer::Model) -> PostalAddress {
    PostalAddress {
        street_lines: row.address_lines.clone(),
        city: row.city.clone(),
        state_province: row.state_province.clone(),
        postal_code: row.postal_code.clone(),
        country: row.country.clone(),
    }
}

/// The email (or phone) list after a write: the given list or the stored
/// one, with a change of the single primary field applied to it. `None`
/// when neither was given.
fn resolve_points(
    kind: PointKind,
    stored: PointList,
    primary: Option<Option<String>>,
    list: Option<PointList>,
) -> Option<PointList> {
    if primary.is_none() && list.is_none() {
        return None;
    }
    let mut points = list.unwrap_or(stored);
    if let Some(primary) = primary {
        points.set_primary(kind, primary);
    }
    Some(points)
}

impl CustomerDetailChanges {
    /// Whether no detail is to change.
    pub fn is_empty(&self) -> bool {
        self.emails.is_none()
            && self.phones.is_none()
            && self.address.is_none()
            && self.acquisition_source.is_none()
            && self.acquisition_channel.is_none()
            && self.team_id.is_none()
    }
}

/// Applies the changes of the primary `email` and `phone` (as in
/// [`CustomerChanges`]) and `details` to `row` in memory: the one place
/// both [`update_with`] and [`changed_row`] (bulk writes) take the stored
/// emails, phones, address, acquisition and team from, so they agree.
/// Emails and phones resolve against the row's lists: a new primary keeps
/// the others.
fn apply_details(
    row: &mut customer::Model,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    details: CustomerDetailChanges,
) {
    if let Some(emails) = resolve_points(PointKind::Email, emails_of(row), email, details.emails) {
        (row.email, row.email_label, row.other_emails) = emails.columns();
    }
    if let Some(phones) = resolve_points(PointKind::Phone, phones_of(row), phone, details.phones) {
        (row.phone, row.phone_label, row.other_phones) = phones.columns();
    }
    if let Some(address) = details.address {
        row.address_lines = address.street_lines;
        row.city = address.city;
        row.state_province = address.state_province;
        row.postal_code = address.postal_code;
        row.country = address.country;
    }
    if let Some(source) = details.acquisition_source {
        row.acquisition_source = source;
    }
    if let Some(channel) = details.acquisition_channel {
        row.acquisition_channel = channel.map(|c| c.as_str().to_owned());
    }
    if let Some(team) = details.team_id {
        row.team_id = team;
    }
}

/// The stored columns [`apply_details`] sets, with their values in `row`.
fn detail_columns(row: &customer::Model) -> [(Column, sea_orm::Value); 14] {
    [
        (Column::Email, row.email.clone().into()),
        (Column::EmailLabel, row.email_label.clone().into()),
        (Column::OtherEmails, row.other_emails.clone().into()),
        (Column::Phone, row.phone.clone().into()),
        (Column::PhoneLabel, row.phone_label.clone().into()),
        (Column::OtherPhones, row.other_phones.clone().into()),
        (Column::AddressLines, row.address_lines.clone().into()),
        (Column::City, row.city.clone().into()),
        (Column::StateProvince, row.state_province.clone().into()),
        (Column::PostalCode, row.postal_code.clone().into()),
        (Column::Country, row.country.clone().into()),
        (
            Column::AcquisitionSource,
            row.acquisition_source.clone().into(),
        ),
        (
            Column::AcquisitionChannel,
            row.acquisition_channel.clone().into(),
        ),
        (Column::TeamId, row.team_id.into()),
    ]
}

impl CustomerChanges {
    /// Whether no field is to change.
    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.name.is_none()
            && self.email.is_none()
            && self.phone.is_none()
            && self.website.is_none()
            && self.industry.is_none()
            && self.region.is_none()
            && self.external_id.is_none()
            && self.lifecycle_stage.is_none()
            && self.owner_id.is_none()
            && self.tags.is_none()
            && self.custom_fields.is_none()
    }
}

/// Field rules, one function per field, used by every way a customer is written.
pub mod rules {
    use super::*;

    /// Trimmed, 1–200 characters.
    pub fn name(raw: &str) -> Result<String> {
        values::required_text("name", raw, MAX_NAME_CHARS)
    }

    /// An email address, or none when blank.
    pub fn email(raw: &str) -> Result<Option<String>> {
        non_blank(raw)
            .map(|v| values::email("email", v))
            .transpose()
    }

    /// A phone number, or none when blank.
    pub fn phone(raw: &str) -> Result<Option<String>> {
        non_blank(raw)
            .map(|v| values::phone("phone", v))
            .transpose()
    }

    /// A web address, or none when blank.
    pub fn website(raw: &str) -> Result<Option<String>> {
        non_blank(raw)
            .map(|v| values::url("website", v))
            .transpose()
    }

    /// Short free text such as industry or region, or none when blank.
    pub fn short_text(field: &str, raw: &str) -> Result<Option<String>> {
        values::optional_text(field, raw, MAX_SHORT_TEXT_CHARS)
    }

    /// Tags: trimmed, non-empty, de-duplicated, order kept.
    pub fn tags(raw: &[String]) -> Result<Vec<String>> {
        if raw.len() > MAX_TAGS {
            return Err(Error::validation(
                "tags",
                format!("at most {MAX_TAGS} tags"),
            ));
        }
        let mut tags: Vec<String> = Vec::with_capacity(raw.len());
        for tag in raw {
            let tag = values::one_line_text("tags", tag, MAX_TAG_CHARS)?
                .ok_or_else(|| Error::validation("tags", "must not be empty"))?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    /// A JSON object of at most 16 KiB.
    pub fn custom_fields(value: JsonValue) -> Result<JsonValue> {
        if !value.is_object() {
            return Err(Error::validation("customFields", "must be a JSON object"));
        }
        if value.to_string().len() > MAX_CUSTOM_FIELDS_BYTES {
            return Err(Error::validation(
                "customFields",
                format!("must be at most {MAX_CUSTOM_FIELDS_BYTES} bytes of JSON"),
            ));
        }
        Ok(value)
    }

    fn non_blank(raw: &str) -> Option<&str> {
        Some(raw.trim()).filter(|v| !v.is_empty())
    }
}

/// A filter on customers: every given field condition must hold, plus the
/// `and`/`or`/`not` combinations.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CustomerFilter {
    pub name: Option<TextFilter>,
    /// Any of the customer's emails.
    pub email: Option<TextFilter>,
    /// Any of the customer's phones.
    pub phone: Option<TextFilter>,
    pub region: Option<TextFilter>,
    pub city: Option<TextFilter>,
    /// ISO 3166-1 alpha-2 codes.
    pub country: Option<TextFilter>,
    pub acquisition_source: Option<TextFilter>,
    pub acquisition_channel: Option<EnumFilter>,
    pub team_id: Option<Vec<Uuid>>,
    pub industry: Option<TextFilter>,
    pub external_id: Option<TextFilter>,
    pub lifecycle_stage: Option<EnumFilter>,
    pub kind: Option<EnumFilter>,
    pub owner_id: Option<Vec<Uuid>>,
    pub created_at: Option<TimeFilter>,
    pub updated_at: Option<TimeFilter>,
    pub tags: Option<TextListFilter>,
    pub last_interaction_at: Option<TimeFilter>,
    pub interaction_count: Option<IntFilter>,
    pub open_task_count: Option<IntFilter>,
    pub contact_count: Option<IntFilter>,
    pub order_count: Option<IntFilter>,
    /// In the tenant's base currency.
    pub order_total: Option<DecimalFilter>,
    pub last_order_at: Option<TimeFilter>,
    pub open_deal_count: Option<IntFilter>,
    /// On the open deals' amount in the base currency.
    pub open_deal_amount: Option<super::deals::DecimalFilter>,
    /// Customers with at least one (live) contact matching.
    pub contacts: Option<ContactMatch>,
    /// Customers with at least one interaction matching.
    pub interactions: Option<InteractionMatch>,
    /// Conditions on workspace-defined fields.
    pub custom_fields: Vec<super::custom_fields::FieldFilter>,
    /// Conditions on the stored customer value figures.
    pub value: Option<super::analytics::values::ValueMatch>,
    /// Customers in at least one of these marketing segments.
    pub segment_ids: Option<Vec<Uuid>>,
    pub and: Vec<CustomerFilter>,
    pub or: Vec<CustomerFilter>,
    pub not: Option<Box<CustomerFilter>>,
}

impl CustomerFilter {
    /// Checks nesting, size and list lengths.
    pub fn validate(&self) -> Result<()> {
        self.validate_at(0, &mut FilterBudget::default())
    }

    fn validate_at(&self, depth: usize, budget: &mut FilterBudget) -> Result<()> {
        let texts = [
            (&self.name, "filter.name"),
            (&self.email, "filter.email"),
            (&self.phone, "filter.phone"),
            (&self.region, "filter.region"),
            (&self.city, "filter.city"),
            (&self.country, "filter.country"),
            (&self.acquisition_source, "filter.acquisitionSource"),
            (&self.industry, "filter.industry"),
            (&self.external_id, "filter.externalId"),
        ];
        for (text, field) in texts {
            if let Some(f) = text {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        for (choice, field) in [
            (&self.lifecycle_stage, "filter.lifecycleStage"),
            (&self.kind, "filter.kind"),
            (&self.acquisition_channel, "filter.acquisitionChannel"),
        ] {
            if let Some(f) = choice {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        for (ids, field) in [
            (&self.owner_id, "filter.ownerId"),
            (&self.team_id, "filter.teamId"),
            (&self.segment_ids, "filter.segmentId"),
        ] {
            budget.spend_ids(depth, ids, field)?;
        }
        if self.created_at.is_some() {
            budget.spend(depth)?;
        }
        if self.updated_at.is_some() {
            budget.spend(depth)?;
        }
        if let Some(f) = &self.tags {
            budget.spend(depth)?;
            f.validate("filter.tags")?;
        }
        for present in [
            self.last_interaction_at.is_some(),
            self.interaction_count.is_some(),
            self.open_task_count.is_some(),
            self.contact_count.is_some(),
            self.order_count.is_some(),
            self.order_total.is_some(),
            self.last_order_at.is_some(),
            self.open_deal_count.is_some(),
            self.open_deal_amount.is_some(),
        ] {
            if present {
                budget.spend(depth)?;
            }
        }
        if let Some(m) = &self.contacts {
            budget.spend(depth + 1)?;
            for (f, field) in [
                (&m.name, "filter.contacts.name"),
                (&m.email, "filter.contacts.email"),
                (&m.title, "filter.contacts.title"),
                (&m.phone, "filter.contacts.phone"),
            ] {
                if let Some(f) = f {
                    budget.spend(depth + 1)?;
                    f.validate(field)?;
                }
            }
        }
        if let Some(m) = &self.interactions {
            budget.spend(depth + 1)?;
            if let Some(f) = &m.subject {
                f.validate("filter.interactions.subject")?;
            }
            if let Some(f) = &m.kind {
                f.validate("filter.interactions.kind")?;
            }
        }
        for _ in &self.custom_fields {
            budget.spend(depth)?;
        }
        if let Some(m) = &self.value {
            budget.spend(depth + 1)?;
            m.validate("filter.value")?;
        }
        super::filter::validate_nested(
            (&self.and, &self.or, self.not.as_deref()),
            depth,
            budget,
            Self::validate_at,
        )
    }

    /// Whether any part of the filter asks for membership of segments
    /// (which a segment's own definition may not).
    pub fn uses_segments(&self) -> bool {
        self.segment_ids.is_some()
            || self
                .and
                .iter()
                .chain(&self.or)
                .chain(self.not.as_deref())
                .any(Self::uses_segments)
    }

    /// Every owner and team id the filter names, at any depth (a saved
    /// filter checks that they are the workspace's).
    pub fn named_owners_and_teams(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        let mut owners: Vec<Uuid> = self.owner_id.clone().unwrap_or_default();
        let mut teams: Vec<Uuid> = self.team_id.clone().unwrap_or_default();
        for nested in self.and.iter().chain(&self.or).chain(self.not.as_deref()) {
            let (o, t) = nested.named_owners_and_teams();
            owners.extend(o);
            teams.extend(t);
        }
        (owners, teams)
    }

    /// Whether any part of the filter reads custom fields (they need the definitions).
    fn uses_custom_fields(&self) -> bool {
        !self.custom_fields.is_empty()
            || self
                .and
                .iter()
                .chain(&self.or)
                .chain(self.not.as_deref())
                .any(Self::uses_custom_fields)
    }

    /// The filter's own time bounds on the last interaction (not those
    /// inside `and`, `or` or `not`), stated again on its sort key, whose
    /// indexes can then bound the scan. Every customer the filter keeps
    /// meets them, so adding them to the filter changes no result.
    fn sort_key_bounds(&self) -> sea_orm::Condition {
        match &self.last_interaction_at {
            Some(f) => f.bounds(last_interaction_key()),
            None => sea_orm::Condition::all(),
        }
    }

    fn condition(
        &self,
        defs: &[entity::custom_field_definition::Model],
    ) -> Result<sea_orm::Condition> {
        let col = |c: Column| -> SimpleExpr { Expr::col((Customers, c)).into() };
        let mut all = sea_orm::Condition::all();
        for (f, primary, others) in [
            (&self.email, Column::Email, Column::OtherEmails),
            (&self.phone, Column::Phone, Column::OtherPhones),
        ] {
            if let Some(f) = f {
                all = all.add(contact_points::any_value(f, col(primary), col(others)));
            }
        }
        let texts = [
            (&self.name, Column::Name),
            (&self.region, Column::Region),
            (&self.city, Column::City),
            (&self.country, Column::Country),
            (&self.acquisition_source, Column::AcquisitionSource),
            (&self.industry, Column::Industry),
            (&self.external_id, Column::ExternalId),
        ];
        for (text, column) in texts {
            if let Some(f) = text {
                all = all.add(f.condition(col(column)));
            }
        }
        if let Some(f) = &self.lifecycle_stage {
            all = all.add(f.condition(col(Column::LifecycleStage)));
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(col(Column::Kind)));
        }
        if let Some(f) = &self.acquisition_channel {
            all = all.add(f.condition(col(Column::AcquisitionChannel)));
        }
        if let Some(ids) = &self.owner_id {
            all = all.add(Column::OwnerId.is_in(ids.iter().copied()));
        }
        if let Some(ids) = &self.team_id {
            all = all.add(Column::TeamId.is_in(ids.iter().copied()));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(col(Column::CreatedAt)));
        }
        if let Some(f) = &self.updated_at {
            all = all.add(f.condition(col(Column::UpdatedAt)));
        }
        if let Some(f) = &self.tags {
            all = all.add(f.condition(col(Column::Tags)));
        }
        if let Some(f) = &self.last_interaction_at {
            all = all.add(f.condition(col(Column::LastInteractionAt)));
        }
        for (f, column) in [
            (&self.interaction_count, Column::InteractionCount),
            (&self.open_task_count, Column::OpenTaskCount),
            (&self.contact_count, Column::ContactCount),
            (&self.order_count, Column::OrderCount),
            (&self.open_deal_count, Column::OpenDealCount),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(col(column)));
            }
        }
        if let Some(f) = &self.order_total {
            all = all.add(f.condition(col(Column::OrderTotal)));
        }
        if let Some(f) = &self.last_order_at {
            all = all.add(f.condition(col(Column::LastOrderAt)));
        }
        if let Some(f) = &self.open_deal_amount {
            all = all.add(f.condition(col(Column::OpenDealAmount)));
        }
        if let Some(m) = &self.contacts {
            all = all.add(m.exists());
        }
        if let Some(m) = &self.interactions {
            all = all.add(m.exists());
        }
        if let Some(m) = &self.value {
            all = all.add(m.condition());
        }
        if let Some(ids) = &self.segment_ids {
            all = all.add(super::marketing::segments::member_of(ids));
        }
        all = all.add(super::filter::try_nested_condition(
            (&self.and, &self.or, self.not.as_deref()),
            |sub| sub.condition(defs),
        )?);
        if !self.custom_fields.is_empty() {
            all = all.add(super::custom_fields::condition(
                defs,
                Expr::col((Customers, Column::CustomFields)).into(),
                &self.custom_fields,
            )?);
        }
        Ok(all)
    }
}

/// Conditions on a customer's contacts: all given must hold for one contact.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContactMatch {
    pub name: Option<TextFilter>,
    pub email: Option<TextFilter>,
    pub title: Option<TextFilter>,
    pub phone: Option<TextFilter>,
}

impl ContactMatch {
    fn exists(&self) -> SimpleExpr {
        use entity::contact::{Column as C, Entity as Contacts};
        let col = |c: C| -> SimpleExpr { Expr::col((Contacts, c)).into() };
        let mut inner = sea_orm::Condition::all()
            .add(Expr::col((Contacts, C::TenantId)).equals((Customers, Column::TenantId)))
            .add(Expr::col((Contacts, C::CustomerId)).equals((Customers, Column::Id)))
            .add(Expr::col((Contacts, C::DeletedAt)).is_null());
        for (f, c) in [(&self.name, C::Name), (&self.title, C::Title)] {
            if let Some(f) = f {
                inner = inner.add(f.condition(col(c)));
            }
        }
        for (f, primary, others) in [
            (&self.email, C::Email, C::OtherEmails),
            (&self.phone, C::Phone, C::OtherPhones),
        ] {
            if let Some(f) = f {
                inner = inner.add(contact_points::any_value(f, col(primary), col(others)));
            }
        }
        Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::value(1))
                .from(Contacts)
                .cond_where(inner)
                .to_owned(),
        )
    }
}

/// Conditions on a customer's interactions: all given must hold for one.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InteractionMatch {
    pub kind: Option<EnumFilter>,
    pub subject: Option<TextFilter>,
    pub occurred_at: Option<TimeFilter>,
    /// Open (not completed) tasks only.
    pub open_task: Option<bool>,
}

impl InteractionMatch {
    fn exists(&self) -> SimpleExpr {
        use entity::interaction::{Column as I, Entity as Interactions};
        let col = |c: I| -> SimpleExpr { Expr::col((Interactions, c)).into() };
        let mut inner = sea_orm::Condition::all()
            .add(Expr::col((Interactions, I::TenantId)).equals((Customers, Column::TenantId)))
            .add(Expr::col((Interactions, I::CustomerId)).equals((Customers, Column::Id)));
        if let Some(f) = &self.kind {
            inner = inner.add(f.condition(col(I::Kind)));
        }
        if let Some(f) = &self.subject {
            inner = inner.add(f.condition(col(I::Subject)));
        }
        if let Some(f) = &self.occurred_at {
            inner = inner.add(f.condition(col(I::OccurredAt)));
        }
        if let Some(open) = self.open_task {
            let task = Expr::col((Interactions, I::Kind)).eq("TASK");
            let pending = Expr::col((Interactions, I::CompletedAt)).is_null();
            inner = inner.add(if open {
                task.and(pending)
            } else {
                task.and(pending).not()
            });
        }
        Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::value(1))
                .from(Interactions)
                .cond_where(inner)
                .to_owned(),
        )
    }
}

/// What customers can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
    /// Never-contacted customers sort as the oldest.
    LastInteractionAt,
    InteractionCount,
    OrderCount,
    /// In the tenant's base currency.
    OrderTotal,
    /// Customers without orders sort as the oldest.
    LastOrderAt,
    /// Customers without a country sort first.
    Country,
    /// Customers without a city sort first.
    City,
    /// A workspace-defined field, named in the order's `custom_field`;
    /// records without a value sort first.
    CustomField,
    OpenDealCount,
    /// In the base currency.
    OpenDealAmount,
    /// A stored customer value figure; customers without figures sort first.
    Value(super::analytics::values::ValueSortField),
}

/// The stored sort key of the last interaction (migration 0023): the time,
/// or [`never`]; the indexes for sorting by it hold this column.
fn last_interaction_key() -> SimpleExpr {
    Expr::col((
        Customers,
        sea_orm::sea_query::Alias::new("last_interaction_key"),
    ))
    .into()
}

/// Stands for "never" when sorting by last interaction or order (keeps keys non-null).
fn never() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("0001-01-01T00:00:00Z")
        .expect("a valid constant")
        .with_timezone(&chrono::Utc)
}

/// The sort key of a "last … at" time: the time, or [`never`].
fn never_if_null(column: Column) -> SimpleExpr {
    Func::coalesce([
        Expr::col((Customers, column)).into(),
        Expr::val(never()).cast_as(sea_orm::sea_query::Alias::new("timestamptz")),
    ])
    .into()
}

/// Keeps a customer's rollups in step with a change of its contacts or
/// interactions, in the same transaction.
pub async fn adjust_rollups(tx: &TenantTx, customer_id: Uuid, change: RollupChange) -> Result<()> {
    let update = Customers::update_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(customer_id));
    let update = match change {
        RollupChange::ContactAdded => {
            update.col_expr(Column::ContactCount, Expr::col(Column::ContactCount).add(1))
        }
        RollupChange::ContactRemoved => update.col_expr(
            Column::ContactCount,
            Expr::cust("GREATEST(contact_count - 1, 0)"),
        ),
        RollupChange::InteractionLogged { at, open_task } => update
            .col_expr(
                Column::InteractionCount,
                Expr::col(Column::InteractionCount).add(1),
            )
            .col_expr(
                Column::OpenTaskCount,
                Expr::col(Column::OpenTaskCount).add(i32::from(open_task)),
            )
            .col_expr(
                Column::LastInteractionAt,
                Func::greatest([
                    Expr::col(Column::LastInteractionAt).into(),
                    Expr::val(at).into(),
                ])
                .into(),
            ),
        RollupChange::TaskCompleted => update.col_expr(
            Column::OpenTaskCount,
            Expr::cust("GREATEST(open_task_count - 1, 0)"),
        ),
    };
    update.exec(&**tx).await?;
    Ok(())
}

/// Recomputes a customer's rollups from its contacts and interactions (after
/// records moved between customers).
pub async fn recompute_rollups(tx: &TenantTx, customer_id: Uuid) -> Result<()> {
    tx.execute(sea_orm::Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        "UPDATE customers c SET
            contact_count = (SELECT count(*) FROM contacts k
                              WHERE k.tenant_id = c.tenant_id AND k.customer_id = c.id AND k.deleted_at IS NULL),
            interaction_count = (SELECT count(*) FROM interactions i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id),
            open_task_count = (SELECT count(*) FROM interactions i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id
                                 AND i.kind = 'TASK' AND i.completed_at IS NULL),
            last_interaction_at = (SELECT max(occurred_at) FROM interactions i WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.id)
          WHERE c.tenant_id = $1 AND c.id = $2",
        [tx.tenant_id().into(), customer_id.into()],
    ))
    .await?;
    tx.touch_customer(customer_id);
    Ok(())
}

/// A change that moves a customer's rollups.
#[derive(Clone, Copy, Debug)]
pub enum RollupChange {
    ContactAdded,
    ContactRemoved,
    InteractionLogged {
        at: chrono::DateTime<chrono::Utc>,
        open_task: bool,
    },
    TaskCompleted,
}

/// One key of a customer order.
#[derive(Clone, Debug)]
pub struct CustomerOrder {
    pub field: CustomerOrderField,
    pub descending: bool,
    /// The custom field's key, for [`CustomerOrderField::CustomField`].
    pub custom_field: Option<String>,
}

fn sort_keys(
    order: &[CustomerOrder],
    defs: &[entity::custom_field_definition::Model],
) -> Result<Vec<SortKey>> {
    if order.len() > MAX_ORDER_KEYS {
        return Err(Error::validation(
            "orderBy",
            format!("at most {MAX_ORDER_KEYS} sort keys"),
        ));
    }
    let mut keys: Vec<SortKey> = Vec::new();
    let default = [CustomerOrder {
        field: CustomerOrderField::CreatedAt,
        descending: false,
        custom_field: None,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    for o in order {
        let (name, column, kind, case_insensitive) = match o.field {
            CustomerOrderField::Name => ("name", Column::Name, SortKind::Text, true),
            CustomerOrderField::CreatedAt => {
                ("createdAt", Column::CreatedAt, SortKind::Time, false)
            }
            CustomerOrderField::UpdatedAt => {
                ("updatedAt", Column::UpdatedAt, SortKind::Time, false)
            }
            CustomerOrderField::LastInteractionAt => (
                "lastInteractionAt",
                Column::LastInteractionAt,
                SortKind::Time,
                false,
            ),
            CustomerOrderField::InteractionCount => (
                "interactionCount",
                Column::InteractionCount,
                SortKind::Int,
                false,
            ),
            CustomerOrderField::OrderCount => {
                ("orderCount", Column::OrderCount, SortKind::Int, false)
            }
            CustomerOrderField::OrderTotal => {
                ("orderTotal", Column::OrderTotal, SortKind::Text, false)
            }
            CustomerOrderField::LastOrderAt => {
                ("lastOrderAt", Column::LastOrderAt, SortKind::Time, false)
            }
            CustomerOrderField::OpenDealCount => {
                ("openDealCount", Column::OpenDealCount, SortKind::Int, false)
            }
            CustomerOrderField::OpenDealAmount => (
                "openDealAmount",
                Column::OpenDealAmount,
                SortKind::Text,
                false,
            ),
            CustomerOrderField::Country => ("country", Column::Country, SortKind::Text, false),
            CustomerOrderField::City => ("city", Column::City, SortKind::Text, true),
            CustomerOrderField::CustomField => {
                if keys.iter().any(|k| k.name == "customField") {
                    return Err(Error::validation(
                        "orderBy",
                        "sort by one custom field at a time",
                    ));
                }
                let key = o.custom_field.as_deref().ok_or_else(|| {
                    Error::validation("orderBy.customField", "name the custom field to sort by")
                })?;
                let (sort_key, _) = super::custom_fields::sort_key(
                    defs,
                    Expr::col((Customers, Column::CustomFields)).into(),
                    key,
                    o.descending,
                )?;
                keys.push(sort_key);
                continue;
            }
            CustomerOrderField::Value(field) => {
                let (name, _, kind) = field.spec();
                if keys.iter().any(|k| k.name == name) {
                    return Err(Error::validation(
                        "orderBy",
                        format!("`{name}` is given twice"),
                    ));
                }
                keys.push(SortKey {
                    name,
                    expr: field.expr(),
                    kind,
                    descending: o.descending,
                    case_insensitive: false,
                    value_cast: None,
                });
                continue;
            }
        };
        if keys.iter().any(|k| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        let expr = match o.field {
            CustomerOrderField::LastInteractionAt => last_interaction_key(),
            CustomerOrderField::LastOrderAt => never_if_null(column),
            // Keys are never null: a missing value sorts as empty text.
            CustomerOrderField::Country | CustomerOrderField::City => {
                Func::coalesce([Expr::col((Customers, column)).into(), Expr::val("").into()]).into()
            }
            _ => Expr::col((Customers, column)).into(),
        };
        keys.push(SortKey {
            name,
            expr,
            kind,
            descending: o.descending,
            case_insensitive,
            // Amounts travel in cursors as text and compare as numbers.
            value_cast: matches!(name, "orderTotal" | "openDealAmount").then_some("numeric"),
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Customers, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(
    keys: &[SortKey],
    custom: Option<&dyn Fn(&JsonValue) -> SortValue>,
    row: &customer::Model,
) -> Vec<SortValue> {
    keys.iter()
        .map(|key| match key.name {
            "customField" => {
                custom.map_or(SortValue::Text(String::new()), |f| f(&row.custom_fields))
            }
            "name" => SortValue::Text(row.name.clone()),
            "createdAt" => SortValue::Time(row.created_at),
            "updatedAt" => SortValue::Time(row.updated_at),
            "lastInteractionAt" => SortValue::Time(row.last_interaction_at.unwrap_or_else(never)),
            "interactionCount" => SortValue::Int(i64::from(row.interaction_count)),
            "orderCount" => SortValue::Int(i64::from(row.order_count)),
            "orderTotal" => SortValue::Text(row.order_total.to_string()),
            "lastOrderAt" => SortValue::Time(row.last_order_at.unwrap_or_else(never)),
            "openDealCount" => SortValue::Int(i64::from(row.open_deal_count)),
            "openDealAmount" => SortValue::Text(row.open_deal_amount.normalize().to_string()),
            "country" => SortValue::Text(row.country.clone().unwrap_or_default()),
            "city" => SortValue::Text(row.city.clone().unwrap_or_default()),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// The tenant's live (not deleted) customers.
fn visible(tx: &TenantTx) -> Select<Customers> {
    super::finder::visible(tx)
}

/// The member's restriction as a condition on `customers` rows (always true
/// when there is none), for writes that must not reach hidden customers.
pub fn visible_only(tx: &TenantTx) -> sea_orm::Condition {
    match tx.scope().customers {
        Some(restriction) => {
            sea_orm::Condition::all().add(super::visibility::condition(restriction))
        }
        None => sea_orm::Condition::all(),
    }
}

/// A condition on a `customer_id` column of a table hanging from customers:
/// the customer is one the member may see (always true when unrestricted).
pub fn of_visible_customer(
    tx: &TenantTx,
    customer_id: impl sea_orm::ColumnTrait,
) -> sea_orm::Condition {
    match tx.scope().customers {
        Some(_) => sea_orm::Condition::all().add(customer_id.in_subquery(visible_ids(tx))),
        None => sea_orm::Condition::all(),
    }
}

/// Ids of the live customers the transaction's member may see, as a
/// subquery, for tables that hang from customers.
pub fn visible_ids(tx: &TenantTx) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QueryTrait;
    visible(tx).select_only().column(Column::Id).into_query()
}

/// Gives customers a new owner (or none); only customers the member may
/// see are changed, each recording `CUSTOMER_UPDATED` (one statement for
/// all). Returns how many were.
pub async fn reassign(tx: &TenantTx, ids: &[Uuid], owner_id: Option<Uuid>) -> Result<u64> {
    let changed = Customers::update_many()
        .col_expr(Column::OwnerId, Expr::value(owner_id))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(visible_only(tx))
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    for customer in &changed {
        tx.touch_customer(customer.id);
    }
    let events: Vec<(Uuid, serde_json::Value)> = changed
        .iter()
        .map(|c| {
            let payload = serde_json::json!({ "customerId": c.id, "version": c.version,
                                              "changedFields": ["ownerId"] });
            (c.id, payload)
        })
        .collect();
    super::domain_events::record_many(
        tx,
        super::domain_events::EventKind::CustomerUpdated,
        &events,
    )
    .await?;
    Ok(changed.len() as u64)
}

/// The customer with `id`, if it exists and is not deleted.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<customer::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The live customers among `ids`, by id, in one query.
pub async fn find_many(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, customer::Model>> {
    let rows = visible(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// One page of customers matching `filter`, in `order`.
pub async fn list(
    tx: &TenantTx,
    filter: &CustomerFilter,
    order: &[CustomerOrder],
    page: &PageRequest,
) -> Result<Page<customer::Model>> {
    filter.validate()?;
    let sorts_by_custom = order
        .iter()
        .any(|o| o.field == CustomerOrderField::CustomField);
    let defs = if filter.uses_custom_fields() || sorts_by_custom {
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?
    } else {
        Vec::new()
    };
    let keys = sort_keys(order, &defs)?;
    let custom = match order
        .iter()
        .find(|o| o.field == CustomerOrderField::CustomField)
    {
        Some(o) => Some(
            super::custom_fields::sort_key(
                &defs,
                Expr::col((Customers, Column::CustomFields)).into(),
                o.custom_field.as_deref().unwrap_or_default(),
                o.descending,
            )?
            .1,
        ),
        None => None,
    };
    let select = visible(tx)
        .filter(filter.condition(&defs)?)
        .filter(filter.sort_key_bounds());
    let value_fields: Vec<(usize, super::analytics::values::ValueSortField)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            super::analytics::values::ValueSortField::ALL
                .into_iter()
                .find(|f| f.spec().0 == k.name)
                .map(|f| (i, f))
        })
        .collect();
    let base_values = |row: &customer::Model| {
        sort_values(
            &keys,
            custom
                .as_ref()
                .map(|f| f as &dyn Fn(&JsonValue) -> SortValue),
            row,
        )
    };
    if value_fields.is_empty() {
        return fetch_page(tx, select, &keys, page, base_values).await;
    }
    let select = super::analytics::values::join_for_sort(select);
    // Value figures live in their own table: load them for the page at once.
    fetch_page_with(tx, select, &keys, page, |rows: &[customer::Model]| {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut values: Vec<Vec<SortValue>> = rows.iter().map(base_values).collect();
        let value_fields = &value_fields;
        async move {
            let figures = super::analytics::values::of_customers(tx, &ids).await?;
            for (row_values, id) in values.iter_mut().zip(&ids) {
                for (i, field) in value_fields {
                    row_values[*i] = field.value_of(figures.get(id));
                }
            }
            Ok(values)
        }
    })
    .await
}

/// The live customers the member may see whose external id is one of `ids`.
pub async fn find_by_external_ids(tx: &TenantTx, ids: &[String]) -> Result<Vec<customer::Model>> {
    Ok(visible(tx)
        .filter(Column::ExternalId.is_in(ids.iter().cloned()))
        .all(&**tx)
        .await?)
}

/// Which customers of the tenant hold these external ids, deleted or hidden
/// from the member or not: the uniqueness the database enforces, checked
/// ahead of a write (imports).
pub async fn external_id_holders(tx: &TenantTx, ids: &[String]) -> Result<Vec<(String, Uuid)>> {
    let rows: Vec<(Option<String>, Uuid)> = super::finder::including_hidden::<Customers>(tx)
        .select_only()
        .column(Column::ExternalId)
        .column(Column::Id)
        .filter(Column::ExternalId.is_in(ids.iter().cloned()))
        .into_tuple()
        .all(&**tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(external_id, id)| external_id.map(|e| (e, id)))
        .collect())
}

/// The live customers the member may see with an email (the primary one
/// or another), ignoring case, among `emails` (given in lower case).
pub async fn find_by_emails(tx: &TenantTx, emails: &[String]) -> Result<Vec<customer::Model>> {
    find_by_point_keys(tx, "emails", emails).await
}

/// The live customers the member may see with a phone (the primary one or
/// another) whose digits are among `digits` ([`PointKind::key`]).
pub async fn find_by_phones(tx: &TenantTx, digits: &[String]) -> Result<Vec<customer::Model>> {
    find_by_point_keys(tx, "phones", digits).await
}

/// Customers by their email or phone keys, through the search rows: their
/// `emails` (lower case) and `phones` (digits) hold every email and phone of
/// a customer, kept by triggers in the writing transaction, under a GIN index.
async fn find_by_point_keys(
    tx: &TenantTx,
    column: &'static str,
    keys: &[String],
) -> Result<Vec<customer::Model>> {
    let ids = Query::select()
        .column(Alias::new("source_id"))
        .from(Alias::new("search_people"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tx.tenant_id()))
        .and_where(Expr::col(Alias::new("source")).eq("CUSTOMER"))
        .and_where(Expr::cust_with_values(
            format!("{column} && $1"),
            [keys.to_vec()],
        ))
        .to_owned();
    Ok(visible(tx)
        .filter(Column::Id.in_subquery(ids))
        .all(&**tx)
        .await?)
}

/// How many customers match `filter`.
pub async fn count(tx: &TenantTx, filter: &CustomerFilter) -> Result<u64> {
    let condition = filter_condition(tx, filter).await?;
    Ok(visible(tx).filter(condition).count(&**tx).await?)
}

/// `filter` (validated) as a condition on `customers` rows, with the
/// workspace's custom field definitions it needs: for statements built
/// elsewhere, such as a segment's membership.
pub async fn filter_condition(
    tx: &TenantTx,
    filter: &CustomerFilter,
) -> Result<sea_orm::Condition> {
    filter.validate()?;
    let defs = if filter.uses_custom_fields() {
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?
    } else {
        Vec::new()
    };
    filter.condition(&defs)
}

/// Creates a customer owned by the transaction's tenant, with no details
/// beyond [`NewCustomer`].
pub async fn create(tx: &TenantTx, new: NewCustomer) -> Result<customer::Model> {
    create_with(tx, new, CustomerDetails::default()).await
}

/// Creates a customer with its details: the email and phone lists (whose
/// primary is `new.email` / `new.phone` when those are given too), address,
/// acquisition and team.
pub async fn create_with(
    tx: &TenantTx,
    new: NewCustomer,
    details: CustomerDetails,
) -> Result<customer::Model> {
    let defs =
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?;
    let row = new_row_with(tx, checked_new(&defs, new)?, details, chrono::Utc::now());
    let created = Customers::insert(row.into_active_model())
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    customer_history::record(tx, ChangeAction::Create, None, &created).await?;
    tx.touch_customer(created.id);
    Ok(created)
}

/// A new customer whose custom fields are checked against the workspace's
/// definitions (`defs`, of customers), normalised, stripped of `null`s and
/// complete (required fields given): the rule every way of creating a
/// customer applies.
pub fn checked_new(
    defs: &[entity::custom_field_definition::Model],
    mut new: NewCustomer,
) -> Result<NewCustomer> {
    let mut fields = super::custom_fields::check(defs, &new.custom_fields)?;
    if let Some(map) = fields.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    super::custom_fields::check_required(defs, &fields)?;
    new.custom_fields = fields;
    Ok(new)
}

/// The row a new customer (checked by [`checked_new`]) with its details
/// becomes: version 1, created by the transaction's user at `now`, no
/// rollups yet.
pub fn new_row_with(
    tx: &TenantTx,
    new: NewCustomer,
    details: CustomerDetails,
    now: DateTime<Utc>,
) -> customer::Model {
    let emails = resolve_points(
        PointKind::Email,
        PointList::default(),
        Some(new.email.clone()).filter(|e| e.is_some() || details.emails.is_none()),
        details.emails,
    )
    .unwrap_or_default();
    let phones = resolve_points(
        PointKind::Phone,
        PointList::default(),
        Some(new.phone.clone()).filter(|p| p.is_some() || details.phones.is_none()),
        details.phones,
    )
    .unwrap_or_default();
    let (email, email_label, other_emails) = emails.columns();
    let (phone, phone_label, other_phones) = phones.columns();
    let address = details.address;
    customer::Model {
        tenant_id: tx.tenant_id(),
        id: Uuid::now_v7(),
        version: 1,
        kind: new.kind.as_str().into(),
        name: new.name,
        email,
        phone,
        email_label,
        other_emails,
        phone_label,
        other_phones,
        address_lines: address.street_lines,
        city: address.city,
        state_province: address.state_province,
        postal_code: address.postal_code,
        country: address.country,
        acquisition_source: details.acquisition_source,
        acquisition_channel: details.acquisition_channel.map(|c| c.as_str().to_owned()),
        team_id: details.team_id,
        website: new.website,
        industry: new.industry,
        region: new.region,
        external_id: new.external_id,
        lifecycle_stage: new.lifecycle_stage.as_str().into(),
        owner_id: new.owner_id,
        tags: new.tags,
        custom_fields: new.custom_fields,
        created_by: tx.scope().user_id,
        created_at: now,
        updated_at: now,
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
    }
}

/// The row `before` becomes with `changes` and `details` at `now`, the
/// version one up: what [`update_with`] writes, computed in memory for bulk
/// writes. Custom fields merge (given keys set, `null` removes a key) and
/// are checked against `defs`, required ones included. No change at all is
/// a `VALIDATION` error.
pub fn changed_row(
    defs: &[entity::custom_field_definition::Model],
    before: &customer::Model,
    changes: CustomerChanges,
    details: CustomerDetailChanges,
    now: DateTime<Utc>,
) -> Result<customer::Model> {
    if changes.is_empty() && details.is_empty() {
        return Err(Error::validation(
            "input",
            "give at least one field to change",
        ));
    }
    let mut after = before.clone();
    if let Some(patch) = &changes.custom_fields {
        let checked = super::custom_fields::check(defs, patch)?;
        if let (Some(fields), Some(patch)) =
            (after.custom_fields.as_object_mut(), checked.as_object())
        {
            for (key, value) in patch {
                if value.is_null() {
                    fields.remove(key);
                } else {
                    fields.insert(key.clone(), value.clone());
                }
            }
        }
    }
    super::custom_fields::check_required(defs, &after.custom_fields)?;
    if let Some(kind) = changes.kind {
        after.kind = kind.as_str().into();
    }
    if let Some(name) = changes.name {
        after.name = name;
    }
    apply_details(&mut after, changes.email, changes.phone, details);
    let optional_texts = [
        (changes.website, &mut after.website),
        (changes.industry, &mut after.industry),
        (changes.region, &mut after.region),
        (changes.external_id, &mut after.external_id),
    ];
    for (value, field) in optional_texts {
        if let Some(value) = value {
            *field = value;
        }
    }
    if let Some(stage) = changes.lifecycle_stage {
        after.lifecycle_stage = stage.as_str().into();
    }
    if let Some(owner) = changes.owner_id {
        after.owner_id = owner;
    }
    if let Some(tags) = changes.tags {
        after.tags = tags;
    }
    after.version = before.version + 1;
    after.updated_at = now;
    Ok(after)
}

/// The customer's current row, live or (with `deleted`) deleted, locked
/// until the transaction ends, so that the row a write starts from is the row
/// it changes and the history records.
async fn lock(tx: &TenantTx, id: Uuid, deleted: bool) -> Result<Option<customer::Model>> {
    let row = super::finder::visible_with_deleted::<Customers>(tx)
        .filter(Column::Id.eq(id))
        .filter(if deleted {
            Column::DeletedAt.is_not_null()
        } else {
            Column::DeletedAt.is_null()
        })
        .lock_exclusive()
        .one(&**tx)
        .await?;
    Ok(row)
}

/// The live customers among `ids` the member may see, locked until the
/// transaction ends, by id: [`lock`] for many rows in one query (bulk writes).
/// Locked in id order, so concurrent bulk writes cannot deadlock.
pub async fn lock_many(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, customer::Model>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows = super::finder::visible::<Customers>(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// Applies `changes` if the customer is still at `version`; the version then
/// goes up by one and the changed fields are recorded. A stale version is a
/// `CONFLICT`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: CustomerChanges,
) -> Result<customer::Model> {
    update_with(tx, id, version, changes, CustomerDetailChanges::default()).await
}

/// Like [`update`], with changes to the details too.
pub async fn update_with(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: CustomerChanges,
    details: CustomerDetailChanges,
) -> Result<customer::Model> {
    let mut sets: Vec<(Column, sea_orm::Value)> = Vec::new();
    if let Some(kind) = changes.kind {
        sets.push((Column::Kind, kind.as_str().into()));
    }
    if let Some(name) = changes.name {
        sets.push((Column::Name, name.into()));
    }
    let optional_texts = [
        (changes.website, Column::Website),
        (changes.industry, Column::Industry),
        (changes.region, Column::Region),
        (changes.external_id, Column::ExternalId),
    ];
    for (value, column) in optional_texts {
        if let Some(value) = value {
            sets.push((column, value.into()));
        }
    }
    if let Some(stage) = changes.lifecycle_stage {
        sets.push((Column::LifecycleStage, stage.as_str().into()));
    }
    if let Some(owner) = changes.owner_id {
        sets.push((Column::OwnerId, owner.into()));
    }
    if let Some(tags) = changes.tags {
        sets.push((Column::Tags, tags.into()));
    }
    let details_change = changes.email.is_some() || changes.phone.is_some() || !details.is_empty();
    let defs =
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?;
    // Custom fields merge: the keys given are set, `null` removes a key.
    let fields_patch = changes
        .custom_fields
        .as_ref()
        .map(|patch| super::custom_fields::patch(&defs, patch))
        .transpose()?;
    if sets.is_empty() && fields_patch.is_none() && !details_change {
        return Err(Error::validation(
            "input",
            "give at least one field to change",
        ));
    }
    let before = match lock(tx, id, false).await? {
        Some(row) if row.version == version => row,
        Some(row) => return Err(stale(version, row.version)),
        None => return Err(Error::NotFound("customer")),
    };
    if details_change {
        // Computed in memory as bulk writes do; the columns that differ are set.
        let mut after = before.clone();
        apply_details(&mut after, changes.email, changes.phone, details);
        let changed = detail_columns(&before)
            .into_iter()
            .zip(detail_columns(&after))
            .filter(|((_, old), (_, new))| old != new)
            .map(|(_, set)| set);
        sets.extend(changed);
    }
    let mut update = sets
        .into_iter()
        .fold(Customers::update_many(), |update, (column, value)| {
            update.col_expr(column, Expr::value(value))
        });
    if let Some(patch) = fields_patch {
        update = update.col_expr(Column::CustomFields, patch.expression());
    }
    let updated = update
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .filter(Column::DeletedAt.is_null())
        .filter(visible_only(tx))
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    // The row is locked at `version`, so the update always finds it.
    let after = updated
        .into_iter()
        .next()
        .ok_or(Error::NotFound("customer"))?;
    super::custom_fields::check_required(&defs, &after.custom_fields)?;
    customer_history::record(tx, ChangeAction::Update, Some(&before), &after).await?;
    tx.touch_customer(after.id);
    Ok(after)
}

/// Marks the customer deleted; it disappears from every query until
/// restored. The version goes up by one and the deletion is recorded.
pub async fn soft_delete(tx: &TenantTx, id: Uuid) -> Result<()> {
    let Some(before) = lock(tx, id, false).await? else {
        return Err(Error::NotFound("customer"));
    };
    let after = set_deleted(tx, id, Expr::current_timestamp().into()).await?;
    customer_history::record(tx, ChangeAction::Delete, Some(&before), &after).await?;
    tx.touch_customer(id);
    Ok(())
}

/// Brings back a deleted customer, as it was when deleted. The version goes
/// up by one and the restore is recorded. A customer that is not deleted is a
/// `CONFLICT`; one that does not exist (in this tenant) is `NOT_FOUND`.
pub async fn restore(tx: &TenantTx, id: Uuid) -> Result<customer::Model> {
    let Some(before) = lock(tx, id, true).await? else {
        return Err(match find(tx, id).await? {
            Some(_) => Error::conflict("the customer is not deleted", Some("id")),
            None => Error::NotFound("customer"),
        });
    };
    let after = set_deleted(
        tx,
        id,
        Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
    )
    .await?;
    customer_history::record(tx, ChangeAction::Restore, Some(&before), &after).await?;
    tx.touch_customer(after.id);
    Ok(after)
}

/// Sets `deleted_at` of a customer locked by [`lock`], bumping its version.
async fn set_deleted(tx: &TenantTx, id: Uuid, deleted_at: SimpleExpr) -> Result<customer::Model> {
    Customers::update_many()
        .col_expr(Column::DeletedAt, deleted_at)
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(visible_only(tx))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("customer"))
}

/// The answer to a write that started from version `sent` of a customer now at `current`.
pub(super) fn stale(sent: i32, current: i32) -> Error {
    Error::conflict(
        format!(
            "the customer was changed by someone else (you sent version {sent}, it is now at version {current}); reload it and apply your change again"
        ),
        Some("version"),
    )
}

/// Maps constraint violations of a customer write to the field they concern.
pub(super) fn write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail))
            if detail.contains("external_id") =>
        {
            Error::conflict(
                "another customer already has this externalId",
                Some("externalId"),
            )
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail))
            if detail.contains("owner") =>
        {
            Error::validation("ownerId", "is not a member of this workspace")
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail)) if detail.contains("team") => {
            Error::validation("teamId", "is not a team of this workspace")
        }
        _ => err.into(),
    }
}
