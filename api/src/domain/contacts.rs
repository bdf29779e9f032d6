//! Contacts: the people at a customer the tenant deals with.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Select, Set,
    Statement,
};
use serde_json::json;
use serde_json::Value as JsonValue;
use uuid::Uuid;

use super::domain_events::EventKind;

use entity::contact::{self, Column, Entity as Contacts};

use super::contact_points::{PointKind, PointList};
use super::custom_fields::{self, FieldObject};
use super::customers::{self, rules};
use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// How a contact prefers to be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Phone,
    Sms,
    Chat,
    Fax,
    Mail,
    InPerson,
}

impl Channel {
    const ALL: [Channel; 7] = [
        Channel::Email,
        Channel::Phone,
        Channel::Sms,
        Channel::Chat,
        Channel::Fax,
        Channel::Mail,
        Channel::InPerson,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL",
            Channel::Phone => "PHONE",
            Channel::Sms => "SMS",
            Channel::Chat => "CHAT",
            Channel::Fax => "FAX",
            Channel::Mail => "MAIL",
            Channel::InPerson => "IN_PERSON",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.as_str() == stored)
    }
}

/// A validated new contact.
#[derive(Clone, Debug)]
pub struct NewContact {
    pub customer_id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub language: Option<String>,
    /// Every email, primary first; `None`: only `email`.
    pub emails: Option<PointList>,
    /// Every phone, primary first; `None`: only `phone`.
    pub phones: Option<PointList>,
    /// Workspace-defined fields (object `CONTACT`), a JSON object.
    pub custom_fields: JsonValue,
}

/// Validated changes: `None` leaves a field, `Some(None)` clears it. A
/// given email or phone list replaces the stored one, and a given `email`
/// (`phone`) becomes its primary; custom fields merge (`null` removes one).
#[derive(Clone, Debug, Default)]
pub struct ContactChanges {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub preferred_channel: Option<Option<Channel>>,
    pub language: Option<Option<String>>,
    pub emails: Option<PointList>,
    pub phones: Option<PointList>,
    pub custom_fields: Option<JsonValue>,
}

/// A contact's emails, primary first.
pub fn emails_of(row: &contact::Model) -> PointList {
    PointList::stored(row.email.as_deref(), &row.email_label, &row.other_emails)
}

/// A contact's phones, primary first.
pub fn phones_of(row: &contact::Model) -> PointList {
    PointList::stored(row.phone.as_deref(), &row.phone_label, &row.other_phones)
}

/// The list after a write: the given one or the stored one, with a change
/// of the single primary field applied. `None` when neither was given.
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

/// A contact's language: one of the product's languages or another BCP 47 tag.
pub fn language(raw: &str) -> Result<Option<String>> {
    let tag = raw.trim();
    if tag.is_empty() {
        return Ok(None);
    }
    if let Ok(known) = values::locale("language", tag) {
        return Ok(Some(known));
    }
    let valid = tag.len() <= 35
        && tag.split('-').all(|part| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if valid {
        Ok(Some(tag.to_owned()))
    } else {
        Err(Error::validation(
            "language",
            format!("`{tag}` is not a language tag such as `en` or `zh-CN`"),
        ))
    }
}

/// A contact's name: the same rule as a customer's.
pub fn name(raw: &str) -> Result<String> {
    rules::name(raw)
}

/// The tenant's live contacts of customers the member may see.
pub(super) fn visible(tx: &TenantTx) -> Select<Contacts> {
    super::finder::visible(tx)
}

/// The contact with `id`, unless deleted.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<contact::Model>> {
    Ok(visible(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The contacts with these ids (unless deleted), in one query.
pub async fn find_many(
    tx: &TenantTx,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, contact::Model>> {
    let rows = visible(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// Adds a contact to a customer of the tenant.
pub async fn create(tx: &TenantTx, new: NewContact) -> Result<contact::Model> {
    if customers::find(tx, new.customer_id).await?.is_none() {
        return Err(Error::validation(
            "customerId",
            "is not a customer of this workspace",
        ));
    }
    let defs = custom_fields::definitions(tx, FieldObject::Contact).await?;
    let mut fields = custom_fields::check(&defs, &new.custom_fields)?;
    if let Some(map) = fields.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    custom_fields::check_required(&defs, &fields)?;
    let email_change = Some(new.email.clone()).filter(|e| e.is_some() || new.emails.is_none());
    let (email, email_label, other_emails) = resolve_points(
        PointKind::Email,
        PointList::default(),
        email_change,
        new.emails,
    )
    .unwrap_or_default()
    .columns();
    let phone_change = Some(new.phone.clone()).filter(|p| p.is_some() || new.phones.is_none());
    let (phone, phone_label, other_phones) = resolve_points(
        PointKind::Phone,
        PointList::default(),
        phone_change,
        new.phones,
    )
    .unwrap_or_default()
    .columns();
    let now = chrono::Utc::now();
    customers::adjust_rollups(tx, new.customer_id, customers::RollupChange::ContactAdded).await?;
    tx.touch_customer(new.customer_id);
    let created = Contacts::insert(contact::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        customer_id: Set(new.customer_id),
        version: Set(1),
        name: Set(new.name),
        title: Set(new.title),
        email: Set(email),
        phone: Set(phone),
        email_label: Set(email_label),
        other_emails: Set(other_emails),
        phone_label: Set(phone_label),
        other_phones: Set(other_phones),
        custom_fields: Set(fields),
        preferred_channel: Set(new.preferred_channel.map(|c| c.as_str().to_owned())),
        language: Set(new.language),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    })
    .exec_with_returning(&**tx)
    .await?;
    record_event(
        tx,
        EventKind::ContactCreated,
        &created,
        json!({ "contactId": created.id, "customerId": created.customer_id, "name": created.name }),
    )
    .await?;
    Ok(created)
}

/// Records a contact's outbox event.
async fn record_event(
    tx: &TenantTx,
    kind: EventKind,
    contact: &contact::Model,
    payload: serde_json::Value,
) -> Result<()> {
    super::domain_events::record(tx, kind, contact.id, payload).await
}

/// Applies changes if the contact is still at `version`; a stale version
/// is a `CONFLICT`.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: ContactChanges,
) -> Result<contact::Model> {
    let mut sets: Vec<(Column, sea_orm::Value)> = Vec::new();
    if let Some(name) = changes.name {
        sets.push((Column::Name, name.into()));
    }
    for (value, column) in [
        (changes.title, Column::Title),
        (changes.language, Column::Language),
    ] {
        if let Some(value) = value {
            sets.push((column, value.into()));
        }
    }
    if let Some(channel) = changes.preferred_channel {
        sets.push((
            Column::PreferredChannel,
            channel.map(|c| c.as_str().to_owned()).into(),
        ));
    }
    let points_change = changes.email.is_some()
        || changes.phone.is_some()
        || changes.emails.is_some()
        || changes.phones.is_some();
    if sets.is_empty() && !points_change && changes.custom_fields.is_none() {
        return Err(Error::validation(
            "input",
            "give at least one field to change",
        ));
    }
    let defs = custom_fields::definitions(tx, FieldObject::Contact).await?;
    let fields_patch = changes
        .custom_fields
        .as_ref()
        .map(|patch| custom_fields::patch(&defs, patch))
        .transpose()?;
    let before = visible(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("contact"))?;
    if before.version != version {
        return Err(Error::conflict(
            format!(
                "the contact was changed by someone else (you sent version {version}, it is now at version {}); reload it and apply your change again",
                before.version
            ),
            Some("version"),
        ));
    }
    let point_columns = [
        (
            resolve_points(
                PointKind::Email,
                emails_of(&before),
                changes.email,
                changes.emails,
            ),
            [Column::Email, Column::EmailLabel, Column::OtherEmails],
        ),
        (
            resolve_points(
                PointKind::Phone,
                phones_of(&before),
                changes.phone,
                changes.phones,
            ),
            [Column::Phone, Column::PhoneLabel, Column::OtherPhones],
        ),
    ];
    for (points, [primary, label, others]) in point_columns {
        if let Some(points) = points {
            let (value, primary_label, rest) = points.columns();
            sets.push((primary, value.into()));
            sets.push((label, primary_label.into()));
            sets.push((others, rest.into()));
        }
    }
    let mut update = sets
        .into_iter()
        .fold(Contacts::update_many(), |u, (column, value)| {
            u.col_expr(column, Expr::value(value))
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
        .filter(customers::of_visible_customer(tx, Column::CustomerId))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("contact"))?;
    custom_fields::check_required(&defs, &updated.custom_fields)?;
    tx.touch_customer(updated.customer_id);
    record_event(
        tx,
        EventKind::ContactUpdated,
        &updated,
        json!({ "contactId": updated.id, "customerId": updated.customer_id, "version": updated.version }),
    )
    .await?;
    Ok(updated)
}

/// Marks the contact deleted.
pub async fn soft_delete(tx: &TenantTx, id: Uuid) -> Result<contact::Model> {
    let deleted = Contacts::update_many()
        .col_expr(Column::DeletedAt, Expr::current_timestamp().into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .filter(customers::of_visible_customer(tx, Column::CustomerId))
        .exec_with_returning(&**tx)
        .await?;
    let deleted = deleted
        .into_iter()
        .next()
        .ok_or(Error::NotFound("contact"))?;
    customers::adjust_rollups(
        tx,
        deleted.customer_id,
        customers::RollupChange::ContactRemoved,
    )
    .await?;
    tx.touch_customer(deleted.customer_id);
    record_event(
        tx,
        EventKind::ContactDeleted,
        &deleted,
        json!({ "contactId": deleted.id, "customerId": deleted.customer_id }),
    )
    .await?;
    Ok(deleted)
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "createdAt",
            expr: Expr::col((Contacts, Column::CreatedAt)).into(),
            kind: SortKind::Time,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Contacts, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// One page of a customer's contacts, oldest first.
pub async fn of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    page: &PageRequest,
) -> Result<Page<contact::Model>> {
    let select = visible(tx).filter(Column::CustomerId.eq(customer_id));
    fetch_page(tx, select, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.created_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// The first `limit + 1` contacts of each of `customers`, in one query (the
/// extra row tells whether there are more).
pub async fn first_of_customers(
    tx: &TenantTx,
    customers: &[Uuid],
    limit: u64,
) -> Result<HashMap<Uuid, Vec<contact::Model>>> {
    let rows = contact::Model::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT tenant_id, id, customer_id, version, name, title, email, phone, preferred_channel, language,
                created_by, created_at, updated_at, deleted_at,
                email_label, other_emails, phone_label, other_phones, custom_fields
           FROM (SELECT c.*, row_number() OVER (PARTITION BY customer_id ORDER BY created_at, id) AS n
                   FROM contacts c
                  WHERE tenant_id = $1 AND customer_id = ANY($2) AND deleted_at IS NULL) ranked
          WHERE n <= $3
          ORDER BY customer_id, created_at, id",
        [tx.tenant_id().into(), customers.to_vec().into(), ((limit + 1) as i64).into()],
    ))
    .all(&**tx)
    .await?;
    let mut grouped: HashMap<Uuid, Vec<contact::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.customer_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The cursor a contact has in a customer's contact list.
pub fn cursor_of(row: &contact::Model) -> String {
    super::pagination::cursor(
        &sort_keys(),
        vec![SortValue::Time(row.created_at), SortValue::Uuid(row.id)],
    )
}
