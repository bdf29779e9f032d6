//! The workspace's contacts as one list: filtered (built-in fields, any of
//! a contact's emails and phones, workspace-defined fields) and ordered with
//! keyset pages, within the customers the member may see.

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::contact::{self, Column, Entity as Contacts};

use super::contact_points;
use super::custom_fields::{self, FieldFilter, FieldObject};
use super::filter::{EnumFilter, FilterBudget, TextFilter, TimeFilter};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most sort keys in one `orderBy`.
pub const MAX_ORDER_KEYS: usize = 3;

/// A filter on contacts: every given condition must hold, plus `and`/`or`/`not`.
#[derive(Clone, Debug, Default)]
pub struct ContactFilter {
    pub customer_id: Option<Vec<Uuid>>,
    pub name: Option<TextFilter>,
    pub title: Option<TextFilter>,
    /// Any of the contact's emails.
    pub email: Option<TextFilter>,
    /// Any of the contact's phones.
    pub phone: Option<TextFilter>,
    pub language: Option<TextFilter>,
    pub preferred_channel: Option<EnumFilter>,
    pub created_at: Option<TimeFilter>,
    pub updated_at: Option<TimeFilter>,
    /// Conditions on workspace-defined contact fields.
    pub custom_fields: Vec<FieldFilter>,
    pub and: Vec<ContactFilter>,
    pub or: Vec<ContactFilter>,
    pub not: Option<Box<ContactFilter>>,
}

impl ContactFilter {
    /// Checks nesting, size and list lengths.
    pub fn validate(&self) -> Result<()> {
        self.validate_at(0, &mut FilterBudget::default())
    }

    fn validate_at(&self, depth: usize, budget: &mut FilterBudget) -> Result<()> {
        budget.spend_ids(depth, &self.customer_id, "filter.customerId")?;
        for (f, field) in [
            (&self.name, "filter.name"),
            (&self.title, "filter.title"),
            (&self.email, "filter.email"),
            (&self.phone, "filter.phone"),
            (&self.language, "filter.language"),
        ] {
            if let Some(f) = f {
                budget.spend(depth)?;
                f.validate(field)?;
            }
        }
        if let Some(f) = &self.preferred_channel {
            budget.spend(depth)?;
            f.validate("filter.preferredChannel")?;
        }
        for present in [self.created_at.is_some(), self.updated_at.is_some()] {
            if present {
                budget.spend(depth)?;
            }
        }
        for _ in &self.custom_fields {
            budget.spend(depth)?;
        }
        super::filter::validate_nested(
            (&self.and, &self.or, self.not.as_deref()),
            depth,
            budget,
            Self::validate_at,
        )
    }

    fn uses_custom_fields(&self) -> bool {
        !self.custom_fields.is_empty()
            || self
                .and
                .iter()
                .chain(&self.or)
                .chain(self.not.as_deref())
                .any(Self::uses_custom_fields)
    }

    fn condition(
        &self,
        defs: &[entity::custom_field_definition::Model],
    ) -> Result<sea_orm::Condition> {
        let col = |c: Column| -> SimpleExpr { Expr::col((Contacts, c)).into() };
        let mut all = sea_orm::Condition::all();
        if let Some(ids) = &self.customer_id {
            all = all.add(Column::CustomerId.is_in(ids.iter().copied()));
        }
        for (f, column) in [
            (&self.name, Column::Name),
            (&self.title, Column::Title),
            (&self.language, Column::Language),
        ] {
            if let Some(f) = f {
                all = all.add(f.condition(col(column)));
            }
        }
        for (f, primary, others) in [
            (&self.email, Column::Email, Column::OtherEmails),
            (&self.phone, Column::Phone, Column::OtherPhones),
        ] {
            if let Some(f) = f {
                all = all.add(contact_points::any_value(f, col(primary), col(others)));
            }
        }
        if let Some(f) = &self.preferred_channel {
            all = all.add(f.condition(col(Column::PreferredChannel)));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(col(Column::CreatedAt)));
        }
        if let Some(f) = &self.updated_at {
            all = all.add(f.condition(col(Column::UpdatedAt)));
        }
        if !self.custom_fields.is_empty() {
            all = all.add(custom_fields::condition(
                defs,
                col(Column::CustomFields),
                &self.custom_fields,
            )?);
        }
        all = all.add(super::filter::try_nested_condition(
            (&self.and, &self.or, self.not.as_deref()),
            |sub| sub.condition(defs),
        )?);
        Ok(all)
    }
}

/// What contacts can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactOrderField {
    Name,
    CreatedAt,
    UpdatedAt,
    /// A workspace-defined contact field, named in the order's `custom_field`;
    /// contacts without a value sort first.
    CustomField,
}

/// One key of a contact order.
#[derive(Clone, Debug)]
pub struct ContactOrder {
    pub field: ContactOrderField,
    pub descending: bool,
    /// The custom field's key, for [`ContactOrderField::CustomField`].
    pub custom_field: Option<String>,
}

/// A record's cursor value of the custom field sorted by.
type CustomValue = Box<dyn Fn(&JsonValue) -> SortValue + Send + Sync>;

/// The sort keys of `order` (creation time when empty), ending with id, and
/// the cursor value of the custom field key, if one is sorted by.
fn sort_keys(
    order: &[ContactOrder],
    defs: &[entity::custom_field_definition::Model],
) -> Result<(Vec<SortKey>, Option<CustomValue>)> {
    if order.len() > MAX_ORDER_KEYS {
        return Err(Error::validation(
            "orderBy",
            format!("at most {MAX_ORDER_KEYS} sort keys"),
        ));
    }
    let default = [ContactOrder {
        field: ContactOrderField::CreatedAt,
        descending: false,
        custom_field: None,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    let mut keys: Vec<SortKey> = Vec::new();
    let mut custom: Option<CustomValue> = None;
    for o in order {
        let (name, column, kind, case_insensitive) = match o.field {
            ContactOrderField::Name => ("name", Column::Name, SortKind::Text, true),
            ContactOrderField::CreatedAt => ("createdAt", Column::CreatedAt, SortKind::Time, false),
            ContactOrderField::UpdatedAt => ("updatedAt", Column::UpdatedAt, SortKind::Time, false),
            ContactOrderField::CustomField => {
                if custom.is_some() {
                    return Err(Error::validation(
                        "orderBy",
                        "sort by one custom field at a time",
                    ));
                }
                let key = o.custom_field.as_deref().ok_or_else(|| {
                    Error::validation("orderBy.customField", "name the custom field to sort by")
                })?;
                let (sort_key, value) = custom_fields::sort_key(
                    defs,
                    Expr::col((Contacts, Column::CustomFields)).into(),
                    key,
                    o.descending,
                )?;
                keys.push(sort_key);
                custom = Some(Box::new(value));
                continue;
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
            expr: Expr::col((Contacts, column)).into(),
            kind,
            descending: o.descending,
            case_insensitive,
            value_cast: None,
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Contacts, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    });
    Ok((keys, custom))
}

/// The definitions of contact fields, read only when the filter or order needs them.
async fn definitions_for(
    tx: &TenantTx,
    filter: &ContactFilter,
    order: &[ContactOrder],
) -> Result<Vec<entity::custom_field_definition::Model>> {
    let sorts_by_custom = order
        .iter()
        .any(|o| o.field == ContactOrderField::CustomField);
    if filter.uses_custom_fields() || sorts_by_custom {
        custom_fields::definitions(tx, FieldObject::Contact).await
    } else {
        Ok(Vec::new())
    }
}

/// One page of the contacts matching `filter`, in `order`.
pub async fn list(
    tx: &TenantTx,
    filter: &ContactFilter,
    order: &[ContactOrder],
    page: &PageRequest,
) -> Result<Page<contact::Model>> {
    filter.validate()?;
    let defs = definitions_for(tx, filter, order).await?;
    let (keys, custom) = sort_keys(order, &defs)?;
    let select = super::contacts::visible(tx).filter(filter.condition(&defs)?);
    fetch_page(tx, select, &keys, page, |row| {
        keys.iter()
            .map(|key| match key.name {
                "customField" => custom
                    .as_ref()
                    .map_or(SortValue::Text(String::new()), |f| f(&row.custom_fields)),
                "name" => SortValue::Text(row.name.clone()),
                "createdAt" => SortValue::Time(row.created_at),
                "updatedAt" => SortValue::Time(row.updated_at),
                _ => SortValue::Uuid(row.id),
            })
            .collect()
    })
    .await
}

/// How many contacts match `filter`.
pub async fn count(tx: &TenantTx, filter: &ContactFilter) -> Result<u64> {
    filter.validate()?;
    let defs = definitions_for(tx, filter, &[]).await?;
    Ok(super::contacts::visible(tx)
        .filter(filter.condition(&defs)?)
        .count(&**tx)
        .await?)
}
