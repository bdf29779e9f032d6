//! Types every area's API shares: IDs, page arguments and info, filter inputs,
//! sort direction, money and dates.

use async_graphql::{
    Enum, InputObject, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
    ID,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::config::GraphqlLimits;
use crate::domain::filter::{TextFilter, TextListFilter, TimeFilter};
use crate::domain::pagination::PageRequest;
use crate::error::{Error, Result};

/// Parses an `ID` argument; `field` names it in the error.
pub fn parse_id(field: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| Error::validation(field, "is not a valid ID"))
}

/// Parses a list of `ID`s; an invalid one is named by its index
/// (`customerIds[2]`).
pub fn parse_ids(field: &str, ids: &[ID]) -> Result<Vec<Uuid>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("{field}[{i}]"), id))
        .collect()
}

/// Formats a record id as an `ID`.
pub fn to_id(id: Uuid) -> ID {
    ID(id.to_string())
}

/// Relay page information.
#[derive(SimpleObject, Debug)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// Page information for rows with the given cursors.
    pub fn new(cursors: &[&str], has_next_page: bool, has_previous_page: bool) -> Self {
        PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: cursors.first().map(|c| c.to_string()),
            end_cursor: cursors.last().map(|c| c.to_string()),
        }
    }
}

/// The edges and page info of a first page (no cursor) read as up to
/// `limit + 1` rows: the extra row only tells that a next page exists.
pub fn first_page<R, E>(
    mut rows: Vec<R>,
    limit: u64,
    cursor_of: impl Fn(&R) -> String,
    edge: impl Fn(String, R) -> E,
) -> (Vec<E>, PageInfo) {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let cursors: Vec<String> = rows.iter().map(&cursor_of).collect();
    let page_info = PageInfo::new(
        &cursors.iter().map(String::as_str).collect::<Vec<_>>(),
        more,
        false,
    );
    let edges = cursors
        .into_iter()
        .zip(rows)
        .map(|(cursor, row)| edge(cursor, row))
        .collect();
    (edges, page_info)
}

/// Checks Relay arguments against the limits: `first` with `after` pages
/// forward, `last` with `before` pages backward; sizes are capped.
pub fn page_request(
    limits: &GraphqlLimits,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<PageRequest> {
    let size = |field: &str, n: i32| -> Result<u64> {
        if n < 0 {
            return Err(Error::validation(field, "must not be negative"));
        }
        if n as u64 > limits.max_page_size {
            return Err(Error::validation(
                field,
                format!("must be at most {}", limits.max_page_size),
            ));
        }
        Ok(n as u64)
    };
    match (first, last) {
        (Some(_), Some(_)) => Err(Error::validation(
            "last",
            "give either `first` or `last`, not both",
        )),
        (_, Some(n)) => {
            if after.is_some() {
                return Err(Error::validation("after", "use `before` with `last`"));
            }
            Ok(PageRequest {
                limit: size("last", n)?,
                backward: true,
                cursor: before,
                cursor_field: "before",
            })
        }
        (first, None) => {
            if before.is_some() {
                return Err(Error::validation(
                    "before",
                    "use `after` with `first`, or `before` with `last`",
                ));
            }
            Ok(PageRequest {
                limit: first
                    .map(|n| size("first", n))
                    .transpose()?
                    .unwrap_or(limits.default_page_size),
                backward: false,
                cursor: after,
                cursor_field: "after",
            })
        }
    }
}

/// Cost of a connection field for the complexity limit: the page size times
/// what each node costs.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).unwrap_or(20).clamp(1, 1000) as usize;
    1 + size.saturating_mul(child_complexity.max(1))
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// Conditions on a text field; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<String>>,
    /// Case-insensitive substring match.
    pub contains: Option<String>,
    /// Case-insensitive prefix match.
    pub starts_with: Option<String>,
    pub is_null: Option<bool>,
}

impl From<StringFilter> for TextFilter {
    fn from(f: StringFilter) -> Self {
        TextFilter {
            eq: f.eq,
            ne: f.ne,
            in_list: f.in_list,
            contains: f.contains,
            starts_with: f.starts_with,
            is_null: f.is_null,
        }
    }
}

/// Conditions on a point in time; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DateTimeFilter {
    pub eq: Option<DateTime<Utc>>,
    pub gt: Option<DateTime<Utc>>,
    pub gte: Option<DateTime<Utc>>,
    pub lt: Option<DateTime<Utc>>,
    pub lte: Option<DateTime<Utc>>,
    pub is_null: Option<bool>,
}

impl From<DateTimeFilter> for TimeFilter {
    fn from(f: DateTimeFilter) -> Self {
        TimeFilter {
            eq: f.eq,
            gt: f.gt,
            gte: f.gte,
            lt: f.lt,
            lte: f.lte,
            is_null: f.is_null,
        }
    }
}

/// Conditions on a whole number; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IntFilter {
    pub eq: Option<i32>,
    pub gt: Option<i32>,
    pub gte: Option<i32>,
    pub lt: Option<i32>,
    pub lte: Option<i32>,
}

impl From<IntFilter> for crate::domain::filter::IntFilter {
    fn from(f: IntFilter) -> Self {
        crate::domain::filter::IntFilter {
            eq: f.eq.map(i64::from),
            gt: f.gt.map(i64::from),
            gte: f.gte.map(i64::from),
            lt: f.lt.map(i64::from),
            lte: f.lte.map(i64::from),
        }
    }
}

/// Conditions on an exact decimal (send values as strings, such as
/// `"1000.50"`); all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DecimalFilter {
    pub eq: Option<Decimal>,
    pub gt: Option<Decimal>,
    pub gte: Option<Decimal>,
    pub lt: Option<Decimal>,
    pub lte: Option<Decimal>,
    /// `true`: only records without a value; `false`: only records with one.
    pub is_null: Option<bool>,
}

impl From<DecimalFilter> for crate::domain::filter::DecimalFilter {
    fn from(f: DecimalFilter) -> Self {
        crate::domain::filter::DecimalFilter {
            eq: f.eq,
            gt: f.gt,
            gte: f.gte,
            lt: f.lt,
            lte: f.lte,
            is_null: f.is_null,
        }
    }
}

/// Conditions on a list of strings; all given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringListFilter {
    /// The list holds this value.
    pub contains: Option<String>,
    /// The list holds all of these.
    pub contains_all: Option<Vec<String>>,
    /// The list holds at least one of these.
    pub contains_any: Option<Vec<String>>,
    pub is_empty: Option<bool>,
}

impl From<StringListFilter> for TextListFilter {
    fn from(f: StringListFilter) -> Self {
        TextListFilter {
            contains: f.contains,
            contains_all: f.contains_all,
            contains_any: f.contains_any,
            is_empty: f.is_empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> GraphqlLimits {
        GraphqlLimits::default()
    }

    #[test]
    fn page_arguments_are_checked() {
        let page = page_request(&limits(), None, None, None, None).unwrap();
        assert_eq!((page.limit, page.backward), (20, false));
        let page = page_request(&limits(), None, None, Some(5), Some("c".into())).unwrap();
        assert_eq!(
            (page.limit, page.backward, page.cursor.as_deref()),
            (5, true, Some("c"))
        );
        assert!(page_request(&limits(), Some(101), None, None, None).is_err());
        assert!(page_request(&limits(), Some(-1), None, None, None).is_err());
        assert!(page_request(&limits(), Some(1), None, Some(1), None).is_err());
        assert!(page_request(&limits(), Some(1), None, None, Some("c".into())).is_err());
    }
}

/// Conditions on a reference to another record.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IdFilter {
    pub eq: Option<ID>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<ID>>,
}

impl IdFilter {
    /// The ids a matching record may reference; `field` names the filter in errors.
    pub fn into_ids(self, field: &str) -> Result<Vec<Uuid>> {
        match (self.eq, self.in_list) {
            (Some(_), Some(_)) => Err(Error::validation(
                field,
                "give either `eq` or `in`, not both",
            )),
            (Some(id), None) => Ok(vec![parse_id(field, &id)?]),
            (None, Some(ids)) => ids.iter().map(|id| parse_id(field, id)).collect(),
            (None, None) => Err(Error::validation(field, "give `eq` or `in`")),
        }
    }
}

/// An exact amount of money: a decimal amount (sent as a string, such as
/// `"19.99"`) and its ISO 4217 currency code. Never a float.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code, such as `EUR`.
    pub currency: String,
}

/// Shown with at least the currency's minor units and no trailing zeros beyond.
impl From<crate::domain::currencies::Money> for Money {
    fn from(m: crate::domain::currencies::Money) -> Self {
        Money {
            amount: crate::domain::currencies::display(m.amount, &m.currency),
            currency: m.currency,
        }
    }
}

/// An amount of money as input. Send the amount as a string (`"19.99"`) to
/// keep it exact; JSON numbers are read through binary floating point.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    pub amount: Decimal,
    /// ISO 4217 code, such as `EUR`.
    pub currency: String,
}

/// A calendar date, `YYYY-MM-DD` (ISO 8601), without a time or a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (ISO 8601), such as `2026-01-05`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("`{s}` is not a date such as 2026-01-05"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
