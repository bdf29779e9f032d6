//! Custom fields: tenant admins define typed fields on customers and
//! contacts; values live in the record's `custom_fields` object, are checked
//! against the definitions on every write, and can be filtered and sorted
//! like built-in fields.
//!
//! Equality, membership and multi-select filters compile to JSON containment
//! (`custom_fields @> …`), served by a GIN index; ranges and sorting compare
//! typed expressions on the record's value.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::{json, Map, Value as JsonValue};
use uuid::Uuid;

use entity::custom_field_definition::{self as definition, Column, Entity as Definitions};

use super::pagination::{SortKey, SortKind, SortValue};
use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most definitions per object, options per select, and characters per text value.
pub const MAX_FIELDS: usize = 200;
pub const MAX_OPTIONS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 2000;

/// The record kind a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldObject {
    Customer,
    Contact,
}

impl FieldObject {
    /// Parses a stored name.
    pub fn parse(stored: &str) -> Option<FieldObject> {
        [FieldObject::Customer, FieldObject::Contact]
            .into_iter()
            .find(|o| o.as_str() == stored)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldObject::Customer => "CUSTOMER",
            FieldObject::Contact => "CONTACT",
        }
    }
}

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Number,
    Decimal,
    Date,
    Boolean,
    SingleSelect,
    MultiSelect,
    Money,
}

impl FieldType {
    const ALL: [FieldType; 8] = [
        FieldType::Text,
        FieldType::Number,
        FieldType::Decimal,
        FieldType::Date,
        FieldType::Boolean,
        FieldType::SingleSelect,
        FieldType::MultiSelect,
        FieldType::Money,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "TEXT",
            FieldType::Number => "NUMBER",
            FieldType::Decimal => "DECIMAL",
            FieldType::Date => "DATE",
            FieldType::Boolean => "BOOLEAN",
            FieldType::SingleSelect => "SINGLE_SELECT",
            FieldType::MultiSelect => "MULTI_SELECT",
            FieldType::Money => "MONEY",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<FieldType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == stored)
            .ok_or_else(|| Error::internal(UnknownType(stored.to_owned())))
    }

    fn has_options(self) -> bool {
        matches!(self, FieldType::SingleSelect | FieldType::MultiSelect)
    }
}

/// A validated new definition.
#[derive(Clone, Debug)]
pub struct NewDefinition {
    pub object: FieldObject,
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    pub options: Vec<String>,
    pub required: bool,
}

/// A field key: starts with a lower-case letter; letters, digits and `_`; at most 50.
pub fn key(raw: &str) -> Result<String> {
    let key = raw.trim();
    let mut chars = key.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.len() <= 50;
    if valid {
        Ok(key.to_owned())
    } else {
        Err(Error::validation(
            "key",
            "must start with a lower-case letter and hold only letters, digits and `_` (at most 50)",
        ))
    }
}

/// Select options: trimmed, non-empty, unique; required for select types only.
pub fn options(field_type: FieldType, raw: &[String]) -> Result<Vec<String>> {
    if !field_type.has_options() {
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        return Err(Error::validation(
            "options",
            "only select fields have options",
        ));
    }
    if raw.is_empty() || raw.len() > MAX_OPTIONS {
        return Err(Error::validation(
            "options",
            format!("give 1 to {MAX_OPTIONS} options"),
        ));
    }
    let mut options: Vec<String> = Vec::new();
    for option in raw {
        let option = values::required_text("options", option, 100)?;
        if options.contains(&option) {
            return Err(Error::validation(
                "options",
                format!("`{option}` is given twice"),
            ));
        }
        options.push(option);
    }
    Ok(options)
}

/// Defines a field.
pub async fn define(tx: &TenantTx, new: NewDefinition) -> Result<definition::Model> {
    if definitions(tx, new.object).await?.len() >= MAX_FIELDS {
        return Err(Error::conflict(
            format!("at most {MAX_FIELDS} custom fields per object"),
            Some("key"),
        ));
    }
    Definitions::insert(definition::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        object: Set(new.object.as_str().to_owned()),
        key: Set(new.key),
        label: Set(new.label),
        field_type: Set(new.field_type.as_str().to_owned()),
        options: Set(new.options),
        required: Set(new.required),
        created_at: Set(chrono::Utc::now()),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            Error::conflict("a field with this key already exists", Some("key"))
        }
        _ => err.into(),
    })
}

/// The tenant's fields of `object`, in the order they were defined.
pub async fn definitions(tx: &TenantTx, object: FieldObject) -> Result<Vec<definition::Model>> {
    Ok(Definitions::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Object.eq(object.as_str()))
        .order_by_asc(Column::CreatedAt)
        .all(&**tx)
        .await?)
}

/// Removes a field and its values from every record of its object.
pub async fn remove(tx: &TenantTx, id: Uuid) -> Result<()> {
    let removed = Definitions::delete_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec_with_returning(&**tx)
        .await?;
    let Some(removed) = removed.into_iter().next() else {
        return Err(Error::NotFound("custom field"));
    };
    if removed.object == FieldObject::Contact.as_str() {
        use entity::contact::{Column as C, Entity as Contacts};
        let cleared = Contacts::update_many()
            .col_expr(
                C::CustomFields,
                Expr::cust_with_values("custom_fields - $1", [removed.key.clone()]),
            )
            .filter(C::TenantId.eq(tx.tenant_id()))
            .filter(Expr::cust_with_values(
                "custom_fields ? $1",
                [removed.key.clone()],
            ))
            .exec_with_returning(&**tx)
            .await?;
        for contact in cleared {
            tx.touch_customer(contact.customer_id);
        }
    } else {
        use entity::customer::{Column as C, Entity as Customers};
        let cleared = Customers::update_many()
            .col_expr(
                C::CustomFields,
                Expr::cust_with_values("custom_fields - $1", [removed.key.clone()]),
            )
            .filter(C::TenantId.eq(tx.tenant_id()))
            .filter(Expr::cust_with_values(
                "custom_fields ? $1",
                [removed.key.clone()],
            ))
            .exec_with_returning(&**tx)
            .await?;
        for customer in cleared {
            tx.touch_customer(customer.id);
        }
    }
    Ok(())
}

fn by_key(defs: &[definition::Model]) -> HashMap<&str, &definition::Model> {
    defs.iter().map(|d| (d.key.as_str(), d)).collect()
}

/// Checks values against the definitions and returns them normalised
/// (decimals as strings, dates as `YYYY-MM-DD`, money as
/// `{amount, currency}`). A `null` value means "remove the field"; it is
/// kept so an update can remove it.
pub fn check(defs: &[definition::Model], values: &JsonValue) -> Result<JsonValue> {
    let Some(object) = values.as_object() else {
        return Err(Error::validation("customFields", "must be a JSON object"));
    };
    let defs = by_key(defs);
    let mut checked = Map::new();
    for (key, value) in object {
        let field = format!("customFields.{key}");
        let Some(def) = defs.get(key.as_str()) else {
            return Err(Error::validation(
                field,
                "is not a field defined for this workspace",
            ));
        };
        if value.is_null() {
            checked.insert(key.clone(), JsonValue::Null);
            continue;
        }
        checked.insert(key.clone(), check_value(def, &field, value)?);
    }
    Ok(JsonValue::Object(checked))
}

/// A checked change of a record's custom fields: the keys given are set,
/// `null` removes a key.
#[derive(Clone, Debug)]
pub struct FieldsPatch {
    set: JsonValue,
    removed: Vec<String>,
}

/// Checks a patch against the definitions.
pub fn patch(defs: &[definition::Model], patch: &JsonValue) -> Result<FieldsPatch> {
    let checked = check(defs, patch)?;
    let map = checked.as_object().cloned().unwrap_or_default();
    let removed = map
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let set: Map<String, JsonValue> = map.into_iter().filter(|(_, v)| !v.is_null()).collect();
    Ok(FieldsPatch {
        set: JsonValue::Object(set),
        removed,
    })
}

impl FieldsPatch {
    /// The new value of the record's `custom_fields` column.
    pub fn expression(self) -> SimpleExpr {
        Expr::cust_with_values(
            "(custom_fields || $1) - $2::text[]",
            [
                sea_orm::Value::from(self.set),
                sea_orm::Value::from(self.removed),
            ],
        )
    }
}

/// Fails when a required field has no value in the record's final fields.
pub fn check_required(defs: &[definition::Model], record: &JsonValue) -> Result<()> {
    for def in defs.iter().filter(|d| d.required) {
        if record.get(&def.key).is_none_or(JsonValue::is_null) {
            return Err(Error::validation(
                format!("customFields.{}", def.key),
                "is required",
            ));
        }
    }
    Ok(())
}

fn check_value(def: &definition::Model, field: &str, value: &JsonValue) -> Result<JsonValue> {
    let invalid = |what: &str| Error::validation(field, format!("must be {what}"));
    match FieldType::parse(&def.field_type)? {
        FieldType::Text => {
            let text = value.as_str().ok_or_else(|| invalid("text"))?;
            Ok(json!(values::required_text(field, text, MAX_TEXT_CHARS)?))
        }
        FieldType::Number => {
            value
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or_else(|| invalid("a number"))?;
            // Kept as given, so integers stay integers.
            Ok(value.clone())
        }
        FieldType::Decimal => Ok(json!(decimal(value)
            .ok_or_else(|| invalid("a decimal number"))?
            .to_string())),
        FieldType::Date => {
            let date = value
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| invalid("a date as YYYY-MM-DD"))?;
            Ok(json!(date.format("%Y-%m-%d").to_string()))
        }
        FieldType::Boolean => Ok(json!(value
            .as_bool()
            .ok_or_else(|| invalid("true or false"))?)),
        FieldType::SingleSelect => {
            let choice = value
                .as_str()
                .ok_or_else(|| invalid("one of the options"))?;
            if !def.options.iter().any(|o| o == choice) {
                return Err(invalid(&format!("one of: {}", def.options.join(", "))));
            }
            Ok(json!(choice))
        }
        FieldType::MultiSelect => {
            let choices = value
                .as_array()
                .ok_or_else(|| invalid("a list of options"))?;
            let mut picked: Vec<&str> = Vec::new();
            for choice in choices {
                let choice = choice
                    .as_str()
                    .ok_or_else(|| invalid("a list of options"))?;
                if !def.options.iter().any(|o| o == choice) {
                    return Err(invalid(&format!("a list of: {}", def.options.join(", "))));
                }
                if !picked.contains(&choice) {
                    picked.push(choice);
                }
            }
            Ok(json!(picked))
        }
        FieldType::Money => {
            let amount = value.get("amount").and_then(decimal);
            let currency = value.get("currency").and_then(JsonValue::as_str);
            match (amount, currency) {
                (Some(amount), Some(currency)) => Ok(json!({
                    "amount": amount.to_string(),
                    "currency": values::currency(&format!("{field}.currency"), currency)?,
                })),
                _ => Err(invalid(
                    "an object {\"amount\": \"12.50\", \"currency\": \"EUR\"}",
                )),
            }
        }
    }
}

fn decimal(value: &JsonValue) -> Option<Decimal> {
    match value {
        JsonValue::String(s) => s.trim().parse::<Decimal>().ok(),
        JsonValue::Number(n) => n.to_string().parse::<Decimal>().ok(),
        _ => None,
    }
}

/// A condition on one custom field of the records in `column` (a JSONB column).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldFilter {
    pub key: String,
    pub eq: Option<JsonValue>,
    pub in_list: Option<Vec<JsonValue>>,
    pub gt: Option<JsonValue>,
    pub gte: Option<JsonValue>,
    pub lt: Option<JsonValue>,
    pub lte: Option<JsonValue>,
    /// Text fields: case-insensitive substring. Multi-select: holds this option.
    pub contains: Option<String>,
    pub is_null: Option<bool>,
}

/// The typed SQL expression of a field's value (`NULL` when absent).
fn typed(column: SimpleExpr, key: &str, field_type: FieldType) -> (SimpleExpr, &'static str) {
    let text = |path: &str| {
        Expr::cust_with_exprs(path, [column.clone(), Expr::val(key.to_owned()).into()])
    };
    match field_type {
        FieldType::Number | FieldType::Decimal => (text("($1 ->> $2)::numeric"), "numeric"),
        FieldType::Money => (text("($1 -> $2 ->> 'amount')::numeric"), "numeric"),
        FieldType::Date => (text("($1 ->> $2)::date"), "date"),
        FieldType::Boolean => (text("($1 ->> $2)::boolean"), "boolean"),
        _ => (text("($1 ->> $2)"), "text"),
    }
}

/// The SQL condition for `filters` on the JSONB `column`, checked against the definitions.
pub fn condition(
    defs: &[definition::Model],
    column: SimpleExpr,
    filters: &[FieldFilter],
) -> Result<Condition> {
    let defs = by_key(defs);
    let mut all = Condition::all();
    for f in filters {
        let field = format!("filter.customFields.{}", f.key);
        let def = defs.get(f.key.as_str()).ok_or_else(|| {
            Error::validation(&field, "is not a field defined for this workspace")
        })?;
        let field_type = FieldType::parse(&def.field_type)?;
        let contains = |value: JsonValue| -> SimpleExpr {
            Expr::cust_with_exprs(
                "$1 @> $2",
                [
                    column.clone(),
                    Expr::val(json!({ f.key.clone(): value })).into(),
                ],
            )
        };
        let normalised = |value: &JsonValue| -> Result<JsonValue> {
            match field_type {
                FieldType::MultiSelect => check_value(def, &field, &json!([value])),
                _ => check_value(def, &field, value),
            }
        };
        if let Some(value) = &f.eq {
            all = all.add(contains(normalised(value)?));
        }
        if let Some(list) = &f.in_list {
            if list.len() > super::filter::MAX_IN_VALUES {
                return Err(Error::validation(&field, "too many values"));
            }
            let mut any = Condition::any();
            for value in list {
                any = any.add(contains(normalised(value)?));
            }
            all = all.add(any);
        }
        if let Some(needle) = &f.contains {
            let matched: Condition = match field_type {
                FieldType::MultiSelect => Condition::all().add(contains(json!([needle]))),
                FieldType::Text | FieldType::SingleSelect => {
                    let (expr, _) = typed(column.clone(), &f.key, field_type);
                    super::filter::TextFilter {
                        contains: Some(needle.clone()),
                        ..Default::default()
                    }
                    .condition(expr)
                }
                _ => {
                    return Err(Error::validation(
                        &field,
                        "`contains` works on text and select fields",
                    ))
                }
            };
            all = all.add(matched);
        }
        let ranges = [(&f.gt, ">"), (&f.gte, ">="), (&f.lt, "<"), (&f.lte, "<=")];
        for (bound, op) in ranges {
            let Some(bound) = bound else { continue };
            if !matches!(
                field_type,
                FieldType::Number
                    | FieldType::Decimal
                    | FieldType::Money
                    | FieldType::Date
                    | FieldType::Text
            ) {
                return Err(Error::validation(
                    &field,
                    "ranges work on number, decimal, money, date and text fields",
                ));
            }
            let bound = match field_type {
                FieldType::Money => json!({ "amount": decimal(bound).ok_or_else(|| Error::validation(&field, "must be a decimal amount"))?.to_string(), "currency": "USD" })["amount"].clone(),
                _ => normalised(bound)?,
            };
            let (expr, cast) = typed(column.clone(), &f.key, field_type);
            let text = match &bound {
                JsonValue::String(s) => s.clone(),
                other => other.to_string(),
            };
            all = all.add(Expr::cust_with_exprs(
                format!("$1 {op} CAST($2 AS {cast})"),
                [expr, Expr::val(text).into()],
            ));
        }
        if let Some(is_null) = f.is_null {
            let present = Expr::cust_with_exprs(
                "($1 ? $2)",
                [column.clone(), Expr::val(f.key.clone()).into()],
            );
            all = all.add(if is_null { present.not() } else { present });
        }
    }
    Ok(all)
}

/// The lowest value of each type, standing for "no value" when sorting so
/// that sort keys are never null (records without a value sort first).
fn floor(cast: &str) -> &'static str {
    match cast {
        "numeric" => "-Infinity",
        "date" => "0001-01-01",
        "boolean" => "false",
        _ => "",
    }
}

/// A sort key on a custom field of the JSONB `column`, with the function that
/// gives a record's cursor value from its custom fields.
pub fn sort_key(
    defs: &[definition::Model],
    column: SimpleExpr,
    key: &str,
    descending: bool,
) -> Result<(SortKey, impl Fn(&JsonValue) -> SortValue + use<>)> {
    let defs = by_key(defs);
    let def = defs.get(key).ok_or_else(|| {
        Error::validation(
            "orderBy.customField",
            format!("`{key}` is not a field defined for this workspace"),
        )
    })?;
    let field_type = FieldType::parse(&def.field_type)?;
    if field_type == FieldType::MultiSelect {
        return Err(Error::validation(
            "orderBy.customField",
            "multi-select fields cannot be sorted",
        ));
    }
    let (expr, cast) = typed(column, key, field_type);
    let sentinel = floor(cast);
    let sort_expr: SimpleExpr = Func::coalesce([
        expr,
        Expr::val(sentinel.to_owned()).cast_as(Alias::new(cast)),
    ])
    .into();
    let owned_key = key.to_owned();
    let value_of = move |fields: &JsonValue| {
        let value = match field_type {
            FieldType::Money => fields
                .get(&owned_key)
                .and_then(|m| m.get("amount"))
                .cloned(),
            _ => fields.get(&owned_key).cloned(),
        };
        SortValue::Text(match value {
            None | Some(JsonValue::Null) => sentinel.to_owned(),
            Some(JsonValue::String(s)) => s,
            Some(other) => other.to_string(),
        })
    };
    Ok((
        SortKey {
            name: "customField",
            expr: sort_expr,
            kind: SortKind::Text,
            descending,
            case_insensitive: false,
            value_cast: None,
        }
        .with_value_cast(cast),
        value_of,
    ))
}

/// A stored type this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown custom field type `{0}`")]
struct UnknownType(String);

#[cfg(test)]
mod tests {
    use super::*;

    fn def(
        key: &str,
        field_type: FieldType,
        options: &[&str],
        required: bool,
    ) -> definition::Model {
        definition::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::now_v7(),
            object: "CUSTOMER".into(),
            key: key.into(),
            label: key.into(),
            field_type: field_type.as_str().into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            required,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn values_are_checked_and_normalised() {
        let defs = vec![
            def("budget", FieldType::Money, &[], false),
            def("since", FieldType::Date, &[], false),
            def("tier", FieldType::SingleSelect, &["gold", "silver"], true),
            def("seats", FieldType::Number, &[], false),
            def("rate", FieldType::Decimal, &[], false),
        ];
        let checked = check(
            &defs,
            &json!({ "budget": { "amount": 1200.5, "currency": "eur" }, "since": "2024-02-29", "tier": "gold", "seats": 12, "rate": "0.125" }),
        )
        .unwrap();
        assert_eq!(
            checked["budget"],
            json!({ "amount": "1200.5", "currency": "EUR" })
        );
        assert_eq!(checked["rate"], "0.125");
        for (bad, field) in [
            (json!({ "tier": "bronze" }), "customFields.tier"),
            (json!({ "since": "2023-02-29" }), "customFields.since"),
            (json!({ "seats": "many" }), "customFields.seats"),
            (json!({ "nope": 1 }), "customFields.nope"),
        ] {
            match check(&defs, &bad) {
                Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(check_required(&defs, &json!({ "seats": 1 })).is_err());
        assert!(check_required(&defs, &json!({ "tier": "gold" })).is_ok());
    }

    #[test]
    fn keys_are_api_names() {
        assert!(key("annualRevenue").is_ok());
        assert!(key("Annual").is_err());
        assert!(key("a-b").is_err());
    }
}
