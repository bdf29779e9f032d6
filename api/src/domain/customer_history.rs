//! Field history of customers: who changed which field from what to what,
//! and when.
//!
//! Every write of a customer (create, update, delete, restore) calls
//! [`record`] with the row before and after, in the write's own transaction,
//! so the history commits or rolls back with the change itself. Nothing else
//! writes history: GraphQL, imports and background jobs all write customers
//! through `domain::customers` (single writes, [`record`]) and
//! `domain::customer_bulk` (bulk writes, [`record_many`]), the only callers. The table is
//! append-only for the server's role (it may only read and insert).
//!
//! Each change set also records its outbox event (`CUSTOMER_CREATED`,
//! `CUSTOMER_UPDATED` with the changed fields, `CUSTOMER_DELETED`,
//! `CUSTOMER_RESTORED`), one statement per batch.
//!
//! An edit is stored as one row per changed field; a creation as one row
//! holding every field given, which the view `customer_change_entries`
//! (what reads go through) lists as one entry per field, so clients see the
//! same history either way.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Select,
    Statement,
};
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

    /// The outbox event a write of this kind records.
    pub fn event_kind(self) -> super::domain_events::EventKind {
        use super::domain_events::EventKind;
        match self {
            ChangeAction::Create => EventKind::CustomerCreated,
            ChangeAction::Update => EventKind::CustomerUpdated,
            ChangeAction::Delete => EventKind::CustomerDeleted,
            ChangeAction::Restore => EventKind::CustomerRestored,
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
pub const FIELDS: [&str; 19] = [
    "kind",
    "name",
    "email",
    "phone",
    "emails",
    "phones",
    "website",
    "industry",
    "region",
    "externalId",
    "lifecycleStage",
    "ownerId",
    "tags",
    "customFields",
    "address",
    "acquisitionSource",
    "acquisitionChannel",
    "teamId",
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
fn values_of(row: &customer::Model) -> [(&'static str, JsonValue); 19] {
    let text = |v: &Option<String>| v.as_deref().map_or(JsonValue::Null, |s| json!(s));
    [
        ("kind", json!(row.kind)),
        ("name", json!(row.name)),
        ("email", text(&row.email)),
        ("phone", text(&row.phone)),
        ("emails", super::customers::emails_of(row).to_json()),
        ("phones", super::customers::phones_of(row).to_json()),
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
        ("address", super::customers::address_of(row).to_json()),
        ("acquisitionSource", text(&row.acquisition_source)),
        ("acquisitionChannel", text(&row.acquisition_channel)),
        (
            "teamId",
            row.team_id.map_or(JsonValue::Null, |id| json!(id)),
        ),
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
    record_many(tx, action, &[(before, after)]).await
}

/// The `field` of a creation's one row: its `new_value` lists every field
/// given, as `[field, value]` pairs in the order of [`FIELDS`], and the view
/// `customer_change_entries` shows each pair as an entry of its own. One
/// row instead of one per field makes creating customers (imports above
/// all) about half as costly.
const EVERY_FIELD: &str = "*";

/// [`record`] for many writes of one kind at once, in one statement
/// (`INSERT … SELECT FROM unnest`): each `(before, after)` pair is one change
/// set. A creation is one row ([`EVERY_FIELD`]); any other write, one row
/// per changed field.
pub async fn record_many(
    tx: &TenantTx,
    action: ChangeAction,
    writes: &[(Option<&customer::Model>, &customer::Model)],
) -> Result<()> {
    let mut ids = Vec::new();
    let mut customer_ids = Vec::new();
    let mut change_set_ids = Vec::new();
    let mut fields = Vec::new();
    let mut old_values = Vec::new();
    let mut new_values = Vec::new();
    let mut versions = Vec::new();
    let mut changed_at = Vec::new();
    let mut events = Vec::new();
    for (before, after) in writes {
        let changes = diff(*before, after);
        if changes.is_empty() {
            continue;
        }
        events.push((after.id, event_payload(action, after, &changes)));
        let change_set_id = Uuid::now_v7();
        let mut push = |field: &str, old: Option<JsonValue>, new: Option<JsonValue>| {
            ids.push(Uuid::now_v7());
            customer_ids.push(after.id);
            change_set_ids.push(change_set_id);
            fields.push(field.to_owned());
            // JSON `null` stands for "no value" in the arrays (a stored value
            // is never `null`: `diff` gives `None` for it).
            old_values.push(old.unwrap_or(JsonValue::Null));
            new_values.push(new.unwrap_or(JsonValue::Null));
            versions.push(after.version);
            changed_at.push(after.updated_at);
        };
        if action == ChangeAction::Create {
            let pairs = changes
                .into_iter()
                .map(|(field, _, new)| json!([field, new]))
                .collect();
            push(EVERY_FIELD, None, Some(JsonValue::Array(pairs)));
        } else {
            for (field, old, new) in changes {
                push(field, old, new);
            }
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO customer_changes (tenant_id, id, customer_id, change_set_id, action, field,
                                       old_value, new_value, version, changed_at, changed_by)
         SELECT $1, h.id, h.customer_id, h.change_set_id, $2, h.field,
                NULLIF(h.old_value, 'null'::jsonb), NULLIF(h.new_value, 'null'::jsonb),
                h.version, h.changed_at, $3
           FROM unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::jsonb[], $9::jsonb[],
                       $10::int4[], $11::timestamptz[])
                AS h(id, customer_id, change_set_id, field, old_value, new_value, version, changed_at)",
        [
            tx.tenant_id().into(),
            action.as_str().into(),
            tx.scope().user_id.into(),
            ids.into(),
            customer_ids.into(),
            change_set_ids.into(),
            fields.into(),
            old_values.into(),
            new_values.into(),
            versions.into(),
            changed_at.into(),
        ],
    ))
    .await?;
    super::domain_events::record_many(tx, action.event_kind(), &events).await
}

/// The outbox payload of one customer write (the change set it recorded).
fn event_payload(
    action: ChangeAction,
    after: &customer::Model,
    changes: &[FieldChange],
) -> JsonValue {
    match action {
        ChangeAction::Create => json!({
            "customerId": after.id,
            "kind": after.kind,
            "name": after.name,
            "lifecycleStage": after.lifecycle_stage,
            "externalId": after.external_id,
            "ownerId": after.owner_id,
        }),
        ChangeAction::Update => json!({
            "customerId": after.id,
            "version": after.version,
            "changedFields": changes.iter().map(|c| c.0).collect::<Vec<_>>(),
        }),
        ChangeAction::Delete | ChangeAction::Restore => json!({ "customerId": after.id }),
    }
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
    let select = match tx.scope().customers {
        Some(_) => select.filter(Column::CustomerId.in_subquery(restricted_ids(tx))),
        None => select,
    };
    match field {
        Some(field) => select.filter(Column::Field.eq(field)),
        None => select,
    }
}

/// Ids of the tenant's customers, deleted ones too, that the member may see.
fn restricted_ids(tx: &TenantTx) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::{QuerySelect, QueryTrait};
    super::finder::visible_with_deleted::<customer::Entity>(tx)
        .select_only()
        .column(customer::Column::Id)
        .into_query()
}

/// Fails with `NOT_FOUND` unless the customer exists in the tenant and the
/// member may see it. Deleted
/// customers count: their history is how one finds out who deleted them.
async fn require_customer(tx: &TenantTx, customer_id: Uuid) -> Result<()> {
    let found = super::finder::visible_with_deleted::<customer::Entity>(tx)
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
/// Read from the table, so only ids of stored rows are found: the entries of
/// a creation row (which the timeline, the caller, does not show) are not.
pub async fn by_ids(tx: &TenantTx, ids: &[Uuid]) -> Result<Vec<customer_change::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(CustomerChanges::find()
        .from_raw_sql(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT tenant_id, id, customer_id, change_set_id, action, field, old_value,
                    new_value, version, changed_at, changed_by
               FROM customer_changes
              WHERE tenant_id = $1 AND id = ANY($2)",
            [tx.tenant_id().into(), ids.to_vec().into()],
        ))
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
            email_label: "WORK".into(),
            other_emails: json!([]),
            phone_label: "WORK".into(),
            other_phones: json!([]),
            address_lines: vec![],
            city: None,
            state_province: None,
            postal_code: None,
            country: None,
            acquisition_source: None,
            acquisition_channel: None,
            team_id: None,
        }
    }

    #[test]
    fn a_new_record_lists_only_the_fields_given() {
        let fields: Vec<_> = diff(None, &row()).into_iter().map(|c| c.0).collect();
        assert_eq!(
            fields,
            ["kind", "name", "email", "emails", "lifecycleStage"]
        );
    }

    #[test]
    fn an_edit_lists_each_changed_field_with_both_values() {
        let before = row();
        let mut after = row();
        after.email = None;
        after.country = Some("CN".into());
        after.tags = vec!["vip".into()];
        after.custom_fields = json!({ "size": 3 });
        after.version = 2;
        let changes = diff(Some(&before), &after);
        assert_eq!(
            changes,
            vec![
                ("email", Some(json!("a@acme.example")), None),
                (
                    "emails",
                    Some(json!([{ "value": "a@acme.example", "label": "WORK", "primary": true }])),
                    Some(json!([]))
                ),
                ("tags", Some(json!([])), Some(json!(["vip"]))),
                ("customFields", Some(json!({})), Some(json!({ "size": 3 }))),
                (
                    "address",
                    None,
                    Some(json!({
                        "streetLines": [], "city": null, "stateProvince": null,
                        "postalCode": null, "country": "CN"
                    }))
                ),
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
