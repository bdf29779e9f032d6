//! Keyset (cursor) pagination for every list: stable under concurrent
//! inserts, fast at any depth, and ordered by any list of sort keys with the
//! record id as the final tie-breaker.
//!
//! A cursor is the sort-key values of one row, with a signature of the order
//! it was made for, in URL-safe base64. A cursor from another order is
//! rejected rather than silently misread.

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr, Func, Order, SimpleExpr};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// What a page asks for: how many rows, in which direction, from where.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: u64,
    /// `last`/`before`: rows before the cursor, counted from the end.
    pub backward: bool,
    /// The `after` (forward) or `before` (backward) cursor, still encoded.
    pub cursor: Option<String>,
    /// The argument the cursor came in, for error messages.
    pub cursor_field: &'static str,
}

/// One value of a sort key, as stored in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    #[serde(rename = "u")]
    Uuid(Uuid),
    #[serde(rename = "t")]
    Time(DateTime<Utc>),
    #[serde(rename = "s")]
    Text(String),
    #[serde(rename = "i")]
    Int(i64),
    #[serde(rename = "d")]
    Date(NaiveDate),
    #[serde(rename = "f")]
    Float(f64),
    #[serde(rename = "n")]
    Decimal(rust_decimal::Decimal),
}

impl SortValue {
    fn kind(&self) -> SortKind {
        match self {
            SortValue::Uuid(_) => SortKind::Uuid,
            SortValue::Time(_) => SortKind::Time,
            SortValue::Text(_) => SortKind::Text,
            SortValue::Int(_) => SortKind::Int,
            SortValue::Date(_) => SortKind::Date,
            SortValue::Float(_) => SortKind::Float,
            SortValue::Decimal(_) => SortKind::Decimal,
        }
    }

    fn into_expr(self) -> SimpleExpr {
        match self {
            SortValue::Uuid(v) => Expr::val(v).into(),
            SortValue::Time(v) => Expr::val(v).into(),
            SortValue::Text(v) => Expr::val(v).into(),
            SortValue::Int(v) => Expr::val(v).into(),
            SortValue::Date(v) => Expr::val(v).into(),
            SortValue::Float(v) => Expr::val(v).into(),
            SortValue::Decimal(v) => Expr::val(v).into(),
        }
    }
}

/// The type of a sort key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKind {
    Uuid,
    Time,
    Text,
    Int,
    Date,
    /// A finite floating-point number (probabilities, risks).
    Float,
    /// An exact decimal (money).
    Decimal,
}

/// One key of an order: what to sort by, and how.
#[derive(Clone, Debug)]
pub struct SortKey {
    /// Stable name, part of the cursor signature.
    pub name: &'static str,
    pub expr: SimpleExpr,
    pub kind: SortKind,
    pub descending: bool,
    /// Compare lower-cased, so `apple` sorts next to `Apple`.
    pub case_insensitive: bool,
    /// SQL type the cursor value is cast to before comparing (for keys
    /// stored in cursors as text, such as custom fields).
    pub value_cast: Option<&'static str>,
}

impl SortKey {
    fn ordered_expr(&self) -> SimpleExpr {
        if self.case_insensitive {
            Func::lower(self.expr.clone()).into()
        } else {
            self.expr.clone()
        }
    }

    fn value_expr(&self, value: SortValue) -> SimpleExpr {
        let value = match self.value_cast {
            Some(cast) => value
                .into_expr()
                .cast_as(sea_orm::sea_query::Alias::new(cast)),
            None => value.into_expr(),
        };
        if self.case_insensitive {
            Func::lower(value).into()
        } else {
            value
        }
    }

    /// The same key, with cursor values cast to `cast` before comparing.
    pub fn with_value_cast(self, cast: &'static str) -> SortKey {
        SortKey {
            value_cast: Some(cast),
            ..self
        }
    }

    fn reversed(&self) -> SortKey {
        SortKey {
            descending: !self.descending,
            ..self.clone()
        }
    }
}

/// A page of rows, each with its cursor.
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<(String, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// Cursor contents: order signature and the row's key values.
#[derive(Serialize, Deserialize)]
struct CursorData {
    o: String,
    v: Vec<SortValue>,
}

fn signature(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| format!("{}:{}", k.name, if k.descending { "d" } else { "a" }))
        .collect::<Vec<_>>()
        .join(",")
}

/// The cursor of a row with these sort-key values, for lists whose rows are
/// loaded in batches rather than through [`fetch_page`].
pub fn cursor(keys: &[SortKey], values: Vec<SortValue>) -> String {
    encode_cursor(keys, values)
}

/// The sort-key values of a cursor made by [`cursor`] for the same `keys`;
/// anything else is a `VALIDATION` error on `field`.
pub fn cursor_values(keys: &[SortKey], field: &str, cursor: &str) -> Result<Vec<SortValue>> {
    decode_cursor(keys, field, cursor)
}

fn encode_cursor(keys: &[SortKey], values: Vec<SortValue>) -> String {
    let data = CursorData {
        o: signature(keys),
        v: values,
    };
    let json = serde_json::to_vec(&data).expect("cursor data always serializes");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor(keys: &[SortKey], field: &str, cursor: &str) -> Result<Vec<SortValue>> {
    let invalid = || Error::validation(field, "is not a cursor of this list and order");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let kinds_match = data.v.len() == keys.len()
        && data
            .v
            .iter()
            .zip(keys)
            .all(|(value, key)| value.kind() == key.kind);
    if data.o != signature(keys) || !kinds_match {
        return Err(invalid());
    }
    Ok(data.v)
}

/// Rows strictly after `values` in the order of `keys`:
/// `k1 >= v1 and ((k1 > v1) or (k1 = v1 and k2 > v2) or …)`. The first
/// conjunct is implied by the rest; it is there so that PostgreSQL starts
/// the index scan at the cursor instead of filtering every row before it
/// (measured: 40 ms → 0.2 ms for a page 20,000 rows deep).
fn after(keys: &[SortKey], values: &[SortValue]) -> Condition {
    let mut bound = Condition::all();
    if let (Some(key), Some(value)) = (keys.first(), values.first()) {
        let value = key.value_expr(value.clone());
        bound = bound.add(if key.descending {
            Expr::expr(key.ordered_expr()).lte(value)
        } else {
            Expr::expr(key.ordered_expr()).gte(value)
        });
    }
    let mut any = Condition::any();
    for i in 0..keys.len() {
        let mut all = Condition::all();
        for (key, value) in keys.iter().zip(values).take(i) {
            all = all.add(Expr::expr(key.ordered_expr()).eq(key.value_expr(value.clone())));
        }
        let key = &keys[i];
        let value = key.value_expr(values[i].clone());
        let step = if key.descending {
            Expr::expr(key.ordered_expr()).lt(value)
        } else {
            Expr::expr(key.ordered_expr()).gt(value)
        };
        any = any.add(all.add(step));
    }
    bound.add(any)
}

/// Loads one page of `select` ordered by `keys` (which must end with a unique
/// key). `values_of` gives a row's sort-key values, in the order of `keys`.
pub async fn fetch_page<E>(
    tx: &TenantTx,
    select: Select<E>,
    keys: &[SortKey],
    page: &PageRequest,
    values_of: impl Fn(&E::Model) -> Vec<SortValue>,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    fetch_page_with(tx, select, keys, page, |rows: &[E::Model]| {
        let values = rows.iter().map(&values_of).collect();
        async move { Ok(values) }
    })
    .await
}

/// Like [`fetch_page`], for orders whose key values are not in the rows
/// themselves (such as figures kept in another table): `values_of` loads the
/// sort-key values of the whole page at once, one entry per row, in order.
pub async fn fetch_page_with<E, F, Fut>(
    tx: &TenantTx,
    select: Select<E>,
    keys: &[SortKey],
    page: &PageRequest,
    values_of: F,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    F: FnOnce(&[E::Model]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Vec<SortValue>>>>,
{
    let cursor = page
        .cursor
        .as_deref()
        .map(|c| decode_cursor(keys, page.cursor_field, c))
        .transpose()?;
    // Walking backward is walking forward in the reversed order.
    let walk: Vec<SortKey> = if page.backward {
        keys.iter().map(SortKey::reversed).collect()
    } else {
        keys.to_vec()
    };
    let mut query = select.clone();
    if let Some(values) = &cursor {
        query = query.filter(after(&walk, values));
    }
    for key in &walk {
        let order = if key.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        query = query.order_by(key.ordered_expr(), order);
    }
    let mut rows = query.limit(page.limit + 1).all(&**tx).await?;
    let more = rows.len() as u64 > page.limit;
    rows.truncate(page.limit as usize);
    if page.backward {
        rows.reverse();
    }
    // Whether anything lies on the other side of the cursor (the cursor row
    // included): one row looked for, never a count (`count()` would drop the
    // limit and, on a generic plan, count the whole workspace).
    let behind = match &cursor {
        Some(values) => select
            .filter(after(&walk, values).not())
            .select_only()
            .column_as(sea_orm::sea_query::Expr::val(1), "one")
            .limit(1)
            .into_tuple::<i32>()
            .one(&**tx)
            .await?
            .is_some(),
        None => false,
    };
    let values = values_of(&rows).await?;
    let rows = rows
        .into_iter()
        .zip(values)
        .map(|(row, values)| (encode_cursor(keys, values), row))
        .collect();
    Ok(Page {
        rows,
        has_next_page: if page.backward { behind } else { more },
        has_previous_page: if page.backward { more } else { behind },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, PostgresQueryBuilder, Query};

    fn keys() -> Vec<SortKey> {
        vec![
            SortKey {
                name: "name",
                expr: Expr::col(Alias::new("name")).into(),
                kind: SortKind::Text,
                descending: false,
                case_insensitive: true,
                value_cast: None,
            },
            SortKey {
                name: "id",
                expr: Expr::col(Alias::new("id")).into(),
                kind: SortKind::Uuid,
                descending: false,
                case_insensitive: false,
                value_cast: None,
            },
        ]
    }

    #[test]
    fn cursors_round_trip_and_reject_other_orders() {
        let id = Uuid::now_v7();
        let values = vec![SortValue::Text("Acme".into()), SortValue::Uuid(id)];
        let cursor = encode_cursor(&keys(), values.clone());
        assert_eq!(decode_cursor(&keys(), "after", &cursor).unwrap(), values);
        let reversed: Vec<_> = keys().iter().map(SortKey::reversed).collect();
        assert!(decode_cursor(&reversed, "after", &cursor).is_err());
        assert!(decode_cursor(&keys(), "after", "garbage!").is_err());
    }

    #[test]
    fn the_seek_condition_expands_per_key() {
        let values = vec![SortValue::Text("b".into()), SortValue::Uuid(Uuid::nil())];
        let sql = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("t"))
            .cond_where(after(&keys(), &values))
            .to_string(PostgresQueryBuilder);
        assert!(sql.contains(r#"LOWER("name") > LOWER('b')"#), "{sql}");
        // The implied bound on the first key, for the index scan to start at.
        assert!(sql.contains(r#"LOWER("name") >= LOWER('b') AND"#), "{sql}");
        assert!(
            sql.contains(
                r#"(LOWER("name") = LOWER('b') AND "id" > '00000000-0000-0000-0000-000000000000')"#
            ),
            "{sql}"
        );
    }
}
