//! Field history of customers: who changed which field from what to what,
//! and when.
//!
//! Every write of a customer (create, update, delete, restore) calls
//! [`record`] with the row before and after, in the write's own transaction,
//! so the history commits or rolls back with the change itself. Nothing else
//! writes history: GraphQL, imports and background jobs all write customers
//! through `domain::customers`, which is the only caller. The table is
//! append-only for the server's role (it may only read and insert).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Select, Set};
use serde_json::{json, Value as JsonValue};
use uuid::Uuid;

use entity::customer;
use entity::customer_change::{self, Column, Entity as CustomerChanges};

use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// What kind of write produced a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeAction {
    /// The customer was created: every field that got a value.
    Create,
    /// Some fields were edited.
    Update,
    /// The customer was soft-deleted (`deletedAt` got a value).
    Delete,
    /// A deleted customer was brought back (`deletedAt` was cleared).
    Restore,
}

impl ChangeAction {
    /// Every action.
    pub(crate) const ALL: [ChangeAction; 4] = [
        ChangeAction::Create,
        ChangeAction::Update,
        ChangeAction::Delete,
        ChangeAction::Restore,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Create => "CREATE",
            ChangeAction::Update => "UPDATE",
            ChangeAction::Delete => "DELETE",
            ChangeAction::Restore => "RESTORE",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<ChangeAction> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == stored)
            .ok_or_else(|| Error::internal(UnknownAction(stored.to_owned())))
    }
}

/// Every field history tracks, spelled as the API spells it.
pub const FIELDS: [&str; 13] = [
    "kind",
    "name",
    "email",
    "phone",
    "website",
    "industry",
    "region",
    "externalId",
    "lifecycleStage",
    "ownerId",
    "tags",
    "customFields",
    "deletedAt",
];

/// A field name given by a client: one of [`FIELDS`], else a `VALIDATION`
/// error on `argument`.
pub fn field(argument: &str, raw: &str) -> Result<&'static str> {
    FIELDS.into_iter().find(|f| *f == raw).ok_or_else(|| {
        Error::validation(
            argument,
            format!(
                "`{raw}` is not a customer field; use one of {}",
                FIELDS.join(", ")
            ),
        )
    })
}

/// The tracked fields of a row, as JSON the way the API shows them, in the
/// order of [`FIELDS`].
fn values_of(row: &customer::Model) -> [(&'static str, JsonValue); 13] {
    let text = |v: &Option<String>| v.as_deref().map_or(JsonValue::Null, |s| json!(s));
    [
        ("kind", json!(row.kind)),
        ("name", json!(row.name)),
        ("email", text(&row.email)),
        ("phone", text(&row.phone)),
        ("website", text(&row.website)),
        ("industry", text(&row.industry)),
        ("region", text(&row.region)),
        ("externalId", text(&row.external_id)),
        ("lifecycleStage", json!(row.lifecycle_stage)),
        (
            "ownerId",
            row.owner_id.map_or(JsonValue::Null, |id| json!(id)),
        ),
        ("tags", json!(row.tags)),
        ("customFields", row.custom_fields.clone()),
        (
            "deletedAt",
            row.deleted_at
                .map_or(JsonValue::Null, |at| json!(at.to_rfc3339())),
        ),
    ]
}

/// One field's change: name, old value, new value (`None`: no value).
type FieldChange = (&'static str, Option<JsonValue>, Option<JsonValue>);

/// What changed between `before` and `after`. Without `before` (a new
/// record) every field that has a value counts as changed from nothing; an
/// empty list or object counts as no value there, so a new customer's
/// history lists only what was actually given.
fn diff(before: Option<&customer::Model>, after: &customer::Model) -> Vec<FieldChange> {
    let stored = |v: JsonValue| Some(v).filter(|v| !v.is_null());
    match before {
        None => values_of(after)
            .into_iter()
            .filter(|(_, v)| match v {
                JsonValue::Null => false,
                JsonValue::Array(a) => !a.is_empty(),
                JsonValue::Object(o) => !o.is_empty(),
                _ => true,
            })
            .map(|(field, v)| (field, None, Some(v)))
            .collect(),
        Some(before) => values_of(before)
            .into_iter()
            .zip(values_of(after))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((field, old), (_, new))| (field, stored(old), stored(new)))
            .collect(),
    }
}

/// Records the fields that differ between `before` and `after` (the row as
/// the write returned it) as one change set, acted by the transaction's
/// user, at the time of the write (`after.updated_at`). Writes nothing when
/// no field changed.
pub async fn record(
    tx: &TenantTx,
    action: ChangeAction,
    before: Option<&customer::Model>,
    after: &customer::Model,
) -> Result<()> {
    let changes = diff(before, after);
    if changes.is_empty() {
        return Ok(());
    }
    let change_set_id = Uuid::now_v7();
    let rows = changes
        .into_iter()
        .map(|(field, old, new)| customer_change::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            id: Set(Uuid::now_v7()),
            customer_id: Set(after.id),
            change_set_id: Set(change_set_id),
            action: Set(action.as_str().to_owned()),
            field: Set(field.to_owned()),
            old_value: Set(old),
            new_value: Set(new),
            version: Set(after.version),
            changed_at: Set(after.updated_at),
            changed_by: Set(tx.scope().user_id),
        });
    CustomerChanges::insert_many(rows).exec(&**tx).await?;
    Ok(())
}

/// Records the creation of many customers (bulk imports) with one
/// `INSERT … SELECT FROM unnest` for all their fields, as [`record`] would
/// for each: one change set per customer.
pub async fn record_created_many(tx: &TenantTx, created: &[customer::Model]) -> Result<()> {
    use sea_orm::ConnectionTrait;
    let mut ids = Vec::new();
    let mut customers = Vec::new();
    let mut change_sets = Vec::new();
    let mut fields = Vec::new();
    let mut new_values = Vec::new();
    let mut versions = Vec::new();
    let mut times = Vec::new();
    for row in created {
        let change_set_id = Uuid::now_v7();
        for (field, new) in diff(None, row)
            .into_iter()
            .filter_map(|(field, _, new)| Some((field, new?)))
        {
            ids.push(Uuid::now_v7());
            customers.push(row.id);
            change_sets.push(change_set_id);
            fields.push(field.to_owned());
            new_values.push(new.to_string());
            versions.push(row.version);
            times.push(row.updated_at);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    tx.execute(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "INSERT INTO customer_changes (tenant_id, id, customer_id, change_set_id, action, field, old_value,
                                       new_value, version, changed_at, changed_by)
         SELECT $1, c.id, c.customer_id, c.change_set_id, 'CREATE', c.field, NULL, c.new_value::jsonb,
                c.version, c.changed_at, $2
           FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::int4[],
                       $9::timestamptz[])
                AS c (id, customer_id, change_set_id, field, new_value, version, changed_at)",
        [
            tx.tenant_id().into(),
            tx.scope().user_id.into(),
            ids.into(),
            customers.into(),
            change_sets.into(),
            fields.into(),
            new_values.into(),
            versions.into(),
            times.into(),
        ],
    ))
    .await?;
    Ok(())
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "changedAt",
            expr: Expr::col((CustomerChanges, Column::ChangedAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((CustomerChanges, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// The changes of one customer of the tenant, optionally of one field.
fn of(tx: &TenantTx, customer_id: Uuid, field: Option<&str>) -> Select<CustomerChanges> {
    let select = CustomerChanges::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::CustomerId.eq(customer_id));
    match field {
        Some(field) => select.filter(Column::Field.eq(field)),
        None => select,
    }
}

/// Fails with `NOT_FOUND` unless the customer exists in the tenant. Deleted
/// customers count: their history is how one finds out who deleted them.
async fn require_customer(tx: &TenantTx, customer_id: Uuid) -> Result<()> {
    let found = customer::Entity::find()
        .filter(customer::Column::TenantId.eq(tx.tenant_id()))
        .filter(customer::Column::Id.eq(customer_id))
        .count(&**tx)
        .await?;
    if found == 0 {
        return Err(Error::NotFound("customer"));
    }
    Ok(())
}

/// One page of a customer's changes, newest first, optionally of one field
/// (one of [`FIELDS`]). A customer of another tenant, or none, is `NOT_FOUND`.
pub async fn of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    field: Option<&'static str>,
    page: &PageRequest,
) -> Result<Page<customer_change::Model>> {
    require_customer(tx, customer_id).await?;
    fetch_page(tx, of(tx, customer_id, field), &sort_keys(), page, |row| {
        vec![SortValue::Time(row.changed_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// How many changes a customer has, optionally of one field.
pub async fn count_of_customer(
    tx: &TenantTx,
    customer_id: Uuid,
    field: Option<&'static str>,
) -> Result<u64> {
    Ok(of(tx, customer_id, field).count(&**tx).await?)
}

/// The changes with these ids (of the tenant), in no particular order.
pub async fn by_ids(tx: &TenantTx, ids: &[Uuid]) -> Result<Vec<customer_change::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(CustomerChanges::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?)
}

/// A stored action this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown stored change action `{0}`")]
struct UnknownAction(String);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn row() -> customer::Model {
        let now = Utc::now();
        customer::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            version: 1,
            kind: "COMPANY".into(),
            name: "Acme".into(),
            email: Some("a@acme.example".into()),
            phone: None,
            website: None,
            industry: None,
            region: None,
            external_id: None,
            lifecycle_stage: "LEAD".into(),
            owner_id: None,
            tags: vec![],
            custom_fields: json!({}),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            contact_count: 0,
            interaction_count: 0,
            open_task_count: 0,
            last_interaction_at: None,
            order_count: 0,
            order_total: rust_decimal::Decimal::ZERO,
            last_order_at: None,
            open_deal_count: 0,
            open_deal_amount: rust_decimal::Decimal::ZERO,
        }
    }

    #[test]
    fn a_new_record_lists_only_the_fields_given() {
        let fields: Vec<_> = diff(None, &row()).into_iter().map(|c| c.0).collect();
        assert_eq!(fields, ["kind", "name", "email", "lifecycleStage"]);
    }

    #[test]
    fn an_edit_lists_each_changed_field_with_both_values() {
        let before = row();
        let mut after = row();
        after.email = None;
        after.tags = vec!["vip".into()];
        after.custom_fields = json!({ "size": 3 });
        after.version = 2;
        let changes = diff(Some(&before), &after);
        assert_eq!(
            changes,
            vec![
                ("email", Some(json!("a@acme.example")), None),
                ("tags", Some(json!([])), Some(json!(["vip"]))),
                ("customFields", Some(json!({})), Some(json!({ "size": 3 }))),
            ]
        );
        assert!(diff(Some(&before), &before).is_empty());
    }

    #[test]
    fn client_field_names_are_checked() {
        assert_eq!(field("field", "lifecycleStage").unwrap(), "lifecycleStage");
        assert!(field("field", "lifecycle_stage").is_err());
    }
}
