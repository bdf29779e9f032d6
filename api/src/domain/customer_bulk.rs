//! Bulk writes of customers, for imports: many customers per statement
//! (`INSERT … SELECT FROM unnest(…)`, `UPDATE … FROM unnest(…)`), with the
//! rules, field history and cache invalidation of the single writes in
//! [`super::customers`]:
//!
//! - new customers pass [`customers::checked_new`] and become rows, with
//!   their details, through [`customers::new_row_with`]; changed ones are
//!   locked ([`customers::lock_many`], the member's visibility applied), must
//!   still be at the version they were read at, and become rows through
//!   [`customers::changed_row`], which applies detail changes as
//!   [`customers::update_with`] does;
//! - each write is one change set in the history ([`customer_history::record_many`]);
//! - updated customers' cached views are dropped on commit. New customers
//!   are not noted: no view of a customer that did not exist can be cached.
//!
//! The search rows and rollups follow from the same triggers and defaults
//! as for single writes. The stored fields written are listed once, in
//! [`DATA_COLUMNS`]; a new customer field is one more line there.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::customer;

use super::customer_history::{self, ChangeAction};
use super::customers::{
    self, CustomerChanges, CustomerDetailChanges, CustomerDetails, NewCustomer,
};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// What became of one item of a bulk write: the row as written, or why the
/// item was refused (the same errors a single write gives).
pub type Outcome = Result<customer::Model>;

/// One column's values for a batch of rows, as they travel to PostgreSQL:
/// one array per column. Arrays bound as parameters cannot hold `NULL`s
/// here, so an absent value travels as a stand-in that no rule accepts and
/// the statement turns back into `NULL`.
enum Cells {
    /// `text`; an absent value travels as `''` (every rule refuses blank text).
    Text(Vec<String>),
    /// `uuid`; an absent value travels as the nil uuid (never an id here).
    Uuid(Vec<Uuid>),
    /// `text[]`, one JSON array per row (PostgreSQL arrays of arrays must
    /// have rows of equal length).
    TextList(Vec<JsonValue>),
    /// `jsonb`.
    Json(Vec<JsonValue>),
    /// `integer`.
    Int(Vec<i32>),
    /// `timestamptz`.
    Time(Vec<DateTime<Utc>>),
}

impl Cells {
    fn text<'a>(
        rows: &[&'a customer::Model],
        get: impl Fn(&'a customer::Model) -> &'a str,
    ) -> Cells {
        Cells::Text(rows.iter().map(|m| get(m).to_owned()).collect())
    }

    fn optional_text<'a>(
        rows: &[&'a customer::Model],
        get: impl Fn(&'a customer::Model) -> &'a Option<String>,
    ) -> Cells {
        Cells::Text(
            rows.iter()
                .map(|m| get(m).clone().unwrap_or_default())
                .collect(),
        )
    }

    fn optional_uuid(
        rows: &[&customer::Model],
        get: impl Fn(&customer::Model) -> Option<Uuid>,
    ) -> Cells {
        Cells::Uuid(rows.iter().map(|m| get(m).unwrap_or(Uuid::nil())).collect())
    }

    /// The array's SQL type.
    fn sql_type(&self) -> &'static str {
        match self {
            Cells::Text(_) => "text[]",
            Cells::Uuid(_) => "uuid[]",
            Cells::TextList(_) | Cells::Json(_) => "jsonb[]",
            Cells::Int(_) => "int4[]",
            Cells::Time(_) => "timestamptz[]",
        }
    }

    /// The stored value of `u.<name>`, the stand-ins turned back into `NULL`.
    fn stored(&self, name: &str) -> String {
        match self {
            Cells::Text(_) => format!("NULLIF(u.{name}, '')"),
            Cells::Uuid(_) => {
                format!("NULLIF(u.{name}, '00000000-0000-0000-0000-000000000000'::uuid)")
            }
            Cells::TextList(_) => format!("ARRAY(SELECT jsonb_array_elements_text(u.{name}))"),
            Cells::Json(_) | Cells::Int(_) | Cells::Time(_) => format!("u.{name}"),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Cells::Text(v) => v.into(),
            Cells::Uuid(v) => v.into(),
            Cells::TextList(v) | Cells::Json(v) => v.into(),
            Cells::Int(v) => v.into(),
            Cells::Time(v) => v.into(),
        }
    }
}

/// A stored column and how to read it from rows.
type Column = (&'static str, fn(&[&customer::Model]) -> Cells);

/// The fields a customer write sets, by stored column: every column both
/// bulk statements write, besides the keys, version and times.
const DATA_COLUMNS: &[Column] = &[
    ("kind", |r| Cells::text(r, |m| &m.kind)),
    ("name", |r| Cells::text(r, |m| &m.name)),
    ("email", |r| Cells::optional_text(r, |m| &m.email)),
    ("phone", |r| Cells::optional_text(r, |m| &m.phone)),
    ("email_label", |r| Cells::text(r, |m| &m.email_label)),
    ("other_emails", |r| {
        Cells::Json(r.iter().map(|m| m.other_emails.clone()).collect())
    }),
    ("phone_label", |r| Cells::text(r, |m| &m.phone_label)),
    ("other_phones", |r| {
        Cells::Json(r.iter().map(|m| m.other_phones.clone()).collect())
    }),
    ("address_lines", |r| {
        Cells::TextList(
            r.iter()
                .map(|m| JsonValue::from(m.address_lines.clone()))
                .collect(),
        )
    }),
    ("city", |r| Cells::optional_text(r, |m| &m.city)),
    ("state_province", |r| {
        Cells::optional_text(r, |m| &m.state_province)
    }),
    ("postal_code", |r| {
        Cells::optional_text(r, |m| &m.postal_code)
    }),
    ("country", |r| Cells::optional_text(r, |m| &m.country)),
    ("acquisition_source", |r| {
        Cells::optional_text(r, |m| &m.acquisition_source)
    }),
    ("acquisition_channel", |r| {
        Cells::optional_text(r, |m| &m.acquisition_channel)
    }),
    ("team_id", |r| Cells::optional_uuid(r, |m| m.team_id)),
    ("website", |r| Cells::optional_text(r, |m| &m.website)),
    ("industry", |r| Cells::optional_text(r, |m| &m.industry)),
    ("region", |r| Cells::optional_text(r, |m| &m.region)),
    ("external_id", |r| {
        Cells::optional_text(r, |m| &m.external_id)
    }),
    ("lifecycle_stage", |r| {
        Cells::text(r, |m| &m.lifecycle_stage)
    }),
    ("owner_id", |r| Cells::optional_uuid(r, |m| m.owner_id)),
    ("tags", |r| {
        Cells::TextList(r.iter().map(|m| JsonValue::from(m.tags.clone())).collect())
    }),
    ("custom_fields", |r| {
        Cells::Json(r.iter().map(|m| m.custom_fields.clone()).collect())
    }),
];

/// Columns only an insert writes.
const INSERT_COLUMNS: &[Column] = &[
    ("id", |r| Cells::Uuid(r.iter().map(|m| m.id).collect())),
    ("version", |r| {
        Cells::Int(r.iter().map(|m| m.version).collect())
    }),
    ("created_by", |r| Cells::optional_uuid(r, |m| m.created_by)),
    ("created_at", |r| {
        Cells::Time(r.iter().map(|m| m.created_at).collect())
    }),
    ("updated_at", |r| {
        Cells::Time(r.iter().map(|m| m.updated_at).collect())
    }),
];

/// Columns an update writes besides the data (the id finds the row).
const UPDATE_COLUMNS: &[Column] = &[
    ("id", |r| Cells::Uuid(r.iter().map(|m| m.id).collect())),
    ("version", |r| {
        Cells::Int(r.iter().map(|m| m.version).collect())
    }),
    ("updated_at", |r| {
        Cells::Time(r.iter().map(|m| m.updated_at).collect())
    }),
];

/// The columns' arrays as parameters from `$first` on: the `unnest(…) AS
/// u(…)` clause, `(name, stored value)` per column, and the values.
fn unnest(
    columns: &[&[Column]],
    rows: &[&customer::Model],
    first: usize,
) -> (String, Vec<(&'static str, String)>, Vec<Value>) {
    let mut arrays = Vec::new();
    let mut names = Vec::new();
    let mut stored = Vec::new();
    let mut values = Vec::new();
    for (i, (name, cells)) in columns.iter().flat_map(|c| c.iter()).enumerate() {
        let cells = cells(rows);
        arrays.push(format!("${}::{}", first + i, cells.sql_type()));
        names.push(*name);
        stored.push((*name, cells.stored(name)));
        values.push(cells.into_value());
    }
    let clause = format!("unnest({}) AS u({})", arrays.join(", "), names.join(", "));
    (clause, stored, values)
}

/// Creates customers with their details, one outcome per item in order. An
/// item is refused for what [`customers::create_with`] refuses it (custom
/// fields; an external id another customer holds). A statement the database
/// refuses otherwise (such as an owner or team removed meanwhile) is the
/// error of the whole call.
pub async fn create(
    tx: &TenantTx,
    news: Vec<(NewCustomer, CustomerDetails)>,
) -> Result<Vec<Outcome>> {
    let defs =
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?;
    let now = Utc::now();
    let mut outcomes: Vec<Outcome> = news
        .into_iter()
        .map(|(new, details)| {
            customers::checked_new(&defs, new)
                .map(|new| customers::new_row_with(tx, new, details, now))
        })
        .collect();
    // In external id order, so concurrent imports take the unique-key locks
    // in the same order and cannot deadlock.
    let mut rows: Vec<&customer::Model> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    if rows.is_empty() {
        return Ok(outcomes);
    }
    rows.sort_by(|a, b| a.external_id.cmp(&b.external_id));
    let (clause, stored, mut values) = unnest(&[INSERT_COLUMNS, DATA_COLUMNS], &rows, 2);
    values.insert(0, tx.tenant_id().into());
    let sql = format!(
        "INSERT INTO customers (tenant_id, {})
         SELECT $1, {} FROM {clause}
         ON CONFLICT (tenant_id, external_id) DO NOTHING
         RETURNING id",
        stored
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
        stored
            .iter()
            .map(|(_, s)| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let inserted: std::collections::HashSet<Uuid> = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await
        .map_err(customers::write_error)?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<std::result::Result<_, _>>()?;
    for outcome in &mut outcomes {
        if matches!(outcome, Ok(row) if !inserted.contains(&row.id)) {
            // Taken by a concurrent write since the caller checked.
            *outcome = Err(Error::conflict(
                "another customer already has this externalId",
                Some("externalId"),
            ));
        }
    }
    let written: Vec<(Option<&customer::Model>, &customer::Model)> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .map(|row| (None, row))
        .collect();
    customer_history::record_many(tx, ChangeAction::Create, &written).await?;
    let created: Vec<Uuid> = written.iter().map(|(_, row)| row.id).collect();
    tx.touch_customers(&created);
    Ok(outcomes)
}

/// Applies `(id, version, changes, details)` items, one outcome per item in
/// order: as [`customers::update_with`] does, a customer no longer there (or no longer
/// visible to the member) is `NOT_FOUND`, one changed since `version` is a
/// `CONFLICT`, bad custom fields are `VALIDATION` errors. Each customer at
/// most once per call.
pub async fn update(
    tx: &TenantTx,
    items: Vec<(Uuid, i32, CustomerChanges, CustomerDetailChanges)>,
) -> Result<Vec<Outcome>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let defs =
        super::custom_fields::definitions(tx, super::custom_fields::FieldObject::Customer).await?;
    let ids: Vec<Uuid> = items.iter().map(|(id, ..)| *id).collect();
    let before = customers::lock_many(tx, &ids).await?;
    let now = Utc::now();
    let outcomes: Vec<Outcome> = items
        .into_iter()
        .map(|(id, version, changes, details)| match before.get(&id) {
            None => Err(Error::NotFound("customer")),
            Some(row) if row.version != version => Err(customers::stale(version, row.version)),
            Some(row) => customers::changed_row(&defs, row, changes, details, now),
        })
        .collect();
    let rows: Vec<&customer::Model> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    if rows.is_empty() {
        return Ok(outcomes);
    }
    let (clause, stored, mut values) = unnest(&[UPDATE_COLUMNS, DATA_COLUMNS], &rows, 2);
    values.insert(0, tx.tenant_id().into());
    let sets: Vec<String> = stored
        .iter()
        .filter(|(name, _)| *name != "id")
        .map(|(name, value)| format!("{name} = {value}"))
        .collect();
    // The rows are locked at the version before, so every one is found.
    let sql = format!(
        "UPDATE customers c SET {}
           FROM {clause}
          WHERE c.tenant_id = $1 AND c.id = u.id AND c.version = u.version - 1",
        sets.join(", ")
    );
    let updated = tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await
        .map_err(customers::write_error)?
        .rows_affected();
    if updated != rows.len() as u64 {
        return Err(Error::internal(LostUpdate(rows.len() - updated as usize)));
    }
    let written: Vec<(Option<&customer::Model>, &customer::Model)> = rows
        .iter()
        .map(|after| (before.get(&after.id), *after))
        .collect();
    customer_history::record_many(tx, ChangeAction::Update, &written).await?;
    let touched: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    tx.touch_customers(&touched);
    Ok(outcomes)
}

/// Locked rows an update did not find.
#[derive(Debug, thiserror::Error)]
#[error("{0} locked customers were not updated")]
struct LostUpdate(usize);
