//! Customers: the companies and people a tenant does business with.
//!
//! Every function works on a [`TenantTx`], and every query also filters by
//! the transaction's tenant, so isolation holds even if a row-level security
//! policy were missing. Deleted customers are kept (soft delete) and are
//! invisible to every query here.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::customer::{self, Column, Entity as Customers};

use super::filter::{EnumFilter, FilterBudget, TextFilter, TextListFilter, TimeFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
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
            other => Err(Error::internal(UnknownStoredValue("kind", other.into()))),
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
            .ok_or_else(|| Error::internal(UnknownStoredValue("lifecycle_stage", stored.into())))
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
            let tag = values::required_text("tags", tag, MAX_TAG_CHARS)?;
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
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    pub name: Option<TextFilter>,
    pub email: Option<TextFilter>,
    pub region: Option<TextFilter>,
    pub industry: Option<TextFilter>,
    pub external_id: Option<TextFilter>,
    pub lifecycle_stage: Option<EnumFilter>,
    pub kind: Option<EnumFilter>,
    pub owner_id: Option<Vec<Uuid>>,
    pub created_at: Option<TimeFilter>,
    pub updated_at: Option<TimeFilter>,
    pub tags: Option<TextListFilter>,
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
            (&self.region, "filter.region"),
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
        ] {
            if let Some(f) = choice {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        if let Some(ids) = &self.owner_id {
            budget.spend(depth)?;
            if ids.len() > super::filter::MAX_IN_VALUES {
                return Err(Error::validation("filter.ownerId", "too many values"));
            }
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
        for sub in self.and.iter().chain(&self.or).chain(self.not.as_deref()) {
            budget.spend(depth + 1)?;
            sub.validate_at(depth + 1, budget)?;
        }
        Ok(())
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Customers, c)).into() };
        let mut all = sea_orm::Condition::all();
        let texts = [
            (&self.name, Column::Name),
            (&self.email, Column::Email),
            (&self.region, Column::Region),
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
        if let Some(ids) = &self.owner_id {
            all = all.add(Column::OwnerId.is_in(ids.iter().copied()));
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
        for sub in &self.and {
            all = all.add(sub.condition());
        }
        if !self.or.is_empty() {
            let any = self.or.iter().fold(sea_orm::Condition::any(), |any, sub| {
                any.add(sub.condition())
            });
            all = all.add(any);
        }
        if let Some(sub) = &self.not {
            all = all.add(sub.condition().not());
        }
        all
    }
}

/// What customers can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// One key of a customer order.
#[derive(Clone, Copy, Debug)]
pub struct CustomerOrder {
    pub field: CustomerOrderField,
    pub descending: bool,
}

fn sort_keys(order: &[CustomerOrder]) -> Result<Vec<SortKey>> {
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
        };
        if keys.iter().any(|k| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        keys.push(SortKey {
            name,
            expr: Expr::col((Customers, column)).into(),
            kind,
            descending: o.descending,
            case_insensitive,
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Customers, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &customer::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|key| match key.name {
            "name" => SortValue::Text(row.name.clone()),
            "createdAt" => SortValue::Time(row.created_at),
            "updatedAt" => SortValue::Time(row.updated_at),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// The tenant's live (not deleted) customers.
fn visible(tx: &TenantTx) -> Select<Customers> {
    Customers::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::DeletedAt.is_null())
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
    let keys = sort_keys(order)?;
    let select = visible(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many customers match `filter`.
pub async fn count(tx: &TenantTx, filter: &CustomerFilter) -> Result<u64> {
    filter.validate()?;
    Ok(visible(tx).filter(filter.condition()).count(&**tx).await?)
}

/// Creates a customer owned by the transaction's tenant.
pub async fn create(tx: &TenantTx, new: NewCustomer) -> Result<customer::Model> {
    let now = chrono::Utc::now();
    let model = customer::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        kind: Set(new.kind.as_str().into()),
        name: Set(new.name),
        email: Set(new.email),
        phone: Set(new.phone),
        website: Set(new.website),
        industry: Set(new.industry),
        region: Set(new.region),
        external_id: Set(new.external_id),
        lifecycle_stage: Set(new.lifecycle_stage.as_str().into()),
        owner_id: Set(new.owner_id),
        tags: Set(new.tags),
        custom_fields: Set(new.custom_fields),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    };
    Customers::insert(model)
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)
}

/// Applies `changes` if the customer is still at `version`; the version then
/// goes up by one. A stale version is a `CONFLICT`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: CustomerChanges,
) -> Result<customer::Model> {
    let mut sets: Vec<(Column, sea_orm::Value)> = Vec::new();
    if let Some(kind) = changes.kind {
        sets.push((Column::Kind, kind.as_str().into()));
    }
    if let Some(name) = changes.name {
        sets.push((Column::Name, name.into()));
    }
    let optional_texts = [
        (changes.email, Column::Email),
        (changes.phone, Column::Phone),
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
    if let Some(fields) = changes.custom_fields {
        sets.push((Column::CustomFields, fields.into()));
    }
    if sets.is_empty() {
        return Err(Error::validation(
            "input",
            "give at least one field to change",
        ));
    }
    let update = sets
        .into_iter()
        .fold(Customers::update_many(), |update, (column, value)| {
            update.col_expr(column, Expr::value(value))
        });
    let updated = update
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .filter(Column::DeletedAt.is_null())
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    match updated.into_iter().next() {
        Some(row) => Ok(row),
        None => Err(stale_or_missing(tx, id, version).await?),
    }
}

/// Marks the customer deleted; it disappears from every query.
pub async fn soft_delete(tx: &TenantTx, id: Uuid) -> Result<()> {
    let result = Customers::update_many()
        .col_expr(Column::DeletedAt, Expr::current_timestamp().into())
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .exec(&**tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("customer"));
    }
    Ok(())
}

async fn stale_or_missing(tx: &TenantTx, id: Uuid, version: i32) -> Result<Error> {
    Ok(match find(tx, id).await? {
        Some(current) => Error::conflict(
            format!(
                "the customer was changed by someone else (you sent version {version}, it is now at version {}); reload it and apply your change again",
                current.version
            ),
            Some("version"),
        ),
        None => Error::NotFound("customer"),
    })
}

/// Maps constraint violations of a customer write to the field they concern.
fn write_error(err: sea_orm::DbErr) -> Error {
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
        _ => err.into(),
    }
}

/// A stored value this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored {0} `{1}`")]
struct UnknownStoredValue(&'static str, String);
