//! Several emails and phones per customer or contact, each with a label and
//! one primary.
//!
//! A record stores its primary email (phone) in `email` (`phone`), with its
//! label in `email_label` (`phone_label`), and the further ones in
//! `other_emails` (`other_phones`), a JSON array of `{"value", "label"}`.
//! Writes that know only the primary one (imports, older clients) therefore
//! keep a record consistent; this module turns lists into those columns and
//! back, resolves a change of the primary against the stored list, and
//! builds filters that match any of a record's values.

use sea_orm::sea_query::extension::postgres::PgExpr;
use sea_orm::sea_query::{Alias, Condition, Expr, Func, Query, SimpleExpr};
use serde_json::{json, Value as JsonValue};

use super::filter::TextFilter;
use super::values;
use crate::error::{Error, Result};

/// Most emails (or phones) on one record.
pub const MAX_POINTS: usize = 20;

/// What an email or phone is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointLabel {
    Work,
    Home,
    Mobile,
    Other,
}

impl PointLabel {
    /// Every label.
    pub const ALL: [PointLabel; 4] = [
        PointLabel::Work,
        PointLabel::Home,
        PointLabel::Mobile,
        PointLabel::Other,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PointLabel::Work => "WORK",
            PointLabel::Home => "HOME",
            PointLabel::Mobile => "MOBILE",
            PointLabel::Other => "OTHER",
        }
    }

    /// Parses a stored name; anything unknown reads as `OTHER`.
    pub fn parse(stored: &str) -> PointLabel {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == stored)
            .unwrap_or(PointLabel::Other)
    }
}

/// Emails or phones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointKind {
    Email,
    Phone,
}

impl PointKind {
    /// The key two values are the same under: lower case for emails, digits for phones.
    pub fn key(self, value: &str) -> String {
        match self {
            PointKind::Email => value.to_lowercase(),
            PointKind::Phone => value.chars().filter(char::is_ascii_digit).collect(),
        }
    }

    fn check(self, field: &str, raw: &str) -> Result<String> {
        match self {
            PointKind::Email => values::email(field, raw),
            PointKind::Phone => values::phone(field, raw),
        }
    }
}

/// One email or phone with its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    pub value: String,
    pub label: PointLabel,
}

/// A record's emails or phones: the primary one first, then the others.
/// Empty: none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PointList(pub Vec<Point>);

/// One entry as a client sent it.
#[derive(Clone, Debug)]
pub struct RawPoint {
    pub value: String,
    pub label: PointLabel,
    pub primary: bool,
}

impl PointList {
    /// Validates a list sent by a client (`field` is `emails` or `phones`):
    /// every value valid, none twice, at most one primary (the first when
    /// none is marked).
    pub fn parse(kind: PointKind, field: &str, raw: &[RawPoint]) -> Result<PointList> {
        if raw.len() > MAX_POINTS {
            return Err(Error::validation(
                field,
                format!("at most {MAX_POINTS} values"),
            ));
        }
        if raw.iter().filter(|p| p.primary).count() > 1 {
            return Err(Error::validation(
                field,
                "mark at most one value as primary",
            ));
        }
        let mut points: Vec<Point> = Vec::with_capacity(raw.len());
        for (i, p) in raw.iter().enumerate() {
            let value = kind.check(&format!("{field}[{i}].value"), &p.value)?;
            if points
                .iter()
                .any(|q| kind.key(&q.value) == kind.key(&value))
            {
                return Err(Error::validation(
                    format!("{field}[{i}].value"),
                    "is given twice",
                ));
            }
            let point = Point {
                value,
                label: p.label,
            };
            if p.primary {
                points.insert(0, point);
            } else {
                points.push(point);
            }
        }
        Ok(PointList(points))
    }

    /// The list stored in a record's columns.
    pub fn stored(primary: Option<&str>, primary_label: &str, others: &JsonValue) -> PointList {
        let mut points = Vec::new();
        if let Some(value) = primary {
            points.push(Point {
                value: value.to_owned(),
                label: PointLabel::parse(primary_label),
            });
            for other in others.as_array().into_iter().flatten() {
                if let Some(value) = other.get("value").and_then(JsonValue::as_str) {
                    points.push(Point {
                        value: value.to_owned(),
                        label: PointLabel::parse(
                            other.get("label").and_then(JsonValue::as_str).unwrap_or(""),
                        ),
                    });
                }
            }
        }
        PointList(points)
    }

    /// The primary value, if any.
    pub fn primary(&self) -> Option<&Point> {
        self.0.first()
    }

    /// The columns: primary value, primary label, the others as JSON.
    pub fn columns(&self) -> (Option<String>, String, JsonValue) {
        let primary = self.primary();
        (
            primary.map(|p| p.value.clone()),
            primary
                .map_or(PointLabel::Work, |p| p.label)
                .as_str()
                .to_owned(),
            JsonValue::Array(
                self.0
                    .iter()
                    .skip(1)
                    .map(|p| json!({ "value": p.value, "label": p.label.as_str() }))
                    .collect(),
            ),
        )
    }

    /// The list as history and the API show it.
    pub fn to_json(&self) -> JsonValue {
        JsonValue::Array(
            self.0
                .iter()
                .enumerate()
                .map(|(i, p)| json!({ "value": p.value, "label": p.label.as_str(), "primary": i == 0 }))
                .collect(),
        )
    }

    /// Makes `value` the primary one (or, with `None`, drops the primary one
    /// so that the next becomes primary): how a change of the single
    /// `email`/`phone` field applies to a record with several.
    pub fn set_primary(&mut self, kind: PointKind, value: Option<String>) {
        match value {
            None => {
                if !self.0.is_empty() {
                    self.0.remove(0);
                }
            }
            Some(value) => {
                let key = kind.key(&value);
                let label = match self.0.iter().position(|p| kind.key(&p.value) == key) {
                    Some(i) => self.0.remove(i).label,
                    None if !self.0.is_empty() => self.0.remove(0).label,
                    None => PointLabel::Work,
                };
                self.0.insert(0, Point { value, label });
            }
        }
    }

    /// Adds the values of `other` this list does not have, after its own
    /// (a merge); this list's primary stays primary.
    pub fn unite(&mut self, kind: PointKind, other: &PointList) {
        for point in &other.0 {
            if !self
                .0
                .iter()
                .any(|p| kind.key(&p.value) == kind.key(&point.value))
            {
                self.0.push(point.clone());
            }
        }
    }
}

/// A condition that holds when any of a record's values (the primary column
/// and the values in the JSON array of others) satisfies `filter`'s `eq`,
/// `in`, `contains` and `startsWith`; `ne` holds when none equals the value,
/// and `isNull` looks at the primary (a record without one has none).
pub fn any_value(filter: &TextFilter, primary: SimpleExpr, others: SimpleExpr) -> Condition {
    let mut all = Condition::all();
    let positive = TextFilter {
        eq: filter.eq.clone(),
        in_list: filter.in_list.clone(),
        contains: filter.contains.clone(),
        starts_with: filter.starts_with.clone(),
        ne: None,
        is_null: None,
    };
    if positive.eq.is_some()
        || positive.in_list.is_some()
        || positive.contains.is_some()
        || positive.starts_with.is_some()
    {
        let element = Alias::new("point");
        let in_others = Expr::exists(
            Query::select()
                .expr(Expr::value(1))
                .from_function(
                    Func::cust(Alias::new("jsonb_array_elements")).arg(others.clone()),
                    element,
                )
                .cond_where(positive.condition(Expr::cust("point.value ->> 'value'")))
                .to_owned(),
        );
        all = all.add(
            Condition::any()
                .add(positive.condition(primary.clone()))
                .add(in_others),
        );
    }
    if let Some(v) = &filter.ne {
        all = all.add(
            Condition::any()
                .add(Expr::expr(primary.clone()).is_null())
                .add(Expr::expr(primary.clone()).ne(v.as_str())),
        );
        all = all.add(
            Expr::expr(others)
                .contains(Expr::val(json!([{ "value": v }])))
                .not(),
        );
    }
    if let Some(is_null) = filter.is_null {
        all = all.add(if is_null {
            Expr::expr(primary).is_null()
        } else {
            Expr::expr(primary).is_not_null()
        });
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(value: &str, primary: bool) -> RawPoint {
        RawPoint {
            value: value.into(),
            label: PointLabel::Home,
            primary,
        }
    }

    #[test]
    fn the_marked_value_becomes_primary_and_duplicates_are_refused() {
        let list = PointList::parse(
            PointKind::Email,
            "emails",
            &[raw("a@x.com", false), raw("b@x.com", true)],
        )
        .unwrap();
        assert_eq!(list.primary().unwrap().value, "b@x.com");
        let err = PointList::parse(
            PointKind::Email,
            "emails",
            &[raw("a@x.com", false), raw("A@X.com", false)],
        )
        .unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert!(PointList::parse(
            PointKind::Phone,
            "phones",
            &[raw("+1 555 0100", true), raw("555 0101", true)]
        )
        .is_err());
    }

    #[test]
    fn columns_round_trip_and_primary_changes_keep_the_others() {
        let mut list = PointList::parse(
            PointKind::Phone,
            "phones",
            &[raw("+1 555 0100", false), raw("+1 555 0101", false)],
        )
        .unwrap();
        let (primary, label, others) = list.columns();
        assert_eq!(PointList::stored(primary.as_deref(), &label, &others), list);
        list.set_primary(PointKind::Phone, Some("15550101".into()));
        assert_eq!(list.0.len(), 2);
        assert_eq!(list.primary().unwrap().value, "15550101");
        list.set_primary(PointKind::Phone, None);
        assert_eq!(list.0.len(), 1);
        assert_eq!(list.primary().unwrap().value, "+1 555 0100");
    }
}
