//! The filter language of list queries (`eq`, `in`, `contains`, ranges,
//! `isNull`), turned into SQL conditions for any column or expression.
//!
//! Areas compose these per field and add `and`/`or`/`not`; the limits below
//! keep a hostile filter from becoming an expensive query.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::extension::postgres::PgExpr;
use sea_orm::sea_query::{Condition, Expr, LikeExpr, SimpleExpr};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Most values an `in` list may hold.
pub const MAX_IN_VALUES: usize = 100;
/// Deepest nesting of `and`/`or`/`not`.
pub const MAX_NESTING: usize = 5;
/// Most field conditions in one filter.
pub const MAX_CONDITIONS: usize = 50;

/// Conditions on a text value. All given operators must hold.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TextFilter {
    pub eq: Option<String>,
    pub ne: Option<String>,
    pub in_list: Option<Vec<String>>,
    /// Case-insensitive substring.
    pub contains: Option<String>,
    /// Case-insensitive prefix.
    pub starts_with: Option<String>,
    pub is_null: Option<bool>,
}

impl TextFilter {
    /// Checks list sizes; `field` names the filter in errors.
    pub fn validate(&self, field: &str) -> Result<()> {
        check_in_list(field, self.in_list.as_ref().map(Vec::len))
    }

    /// The SQL condition on `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let mut all = Condition::all();
        if let Some(v) = &self.eq {
            all = all.add(Expr::expr(expr.clone()).eq(v.as_str()));
        }
        if let Some(v) = &self.ne {
            all = all.add(
                Condition::any()
                    .add(Expr::expr(expr.clone()).ne(v.as_str()))
                    .add(Expr::expr(expr.clone()).is_null()),
            );
        }
        if let Some(values) = &self.in_list {
            all = all.add(Expr::expr(expr.clone()).is_in(values.iter().map(String::as_str)));
        }
        if let Some(v) = &self.contains {
            all = all.add(Expr::expr(expr.clone()).ilike(like(&format!("%{}%", escape_like(v)))));
        }
        if let Some(v) = &self.starts_with {
            all = all.add(Expr::expr(expr.clone()).ilike(like(&format!("{}%", escape_like(v)))));
        }
        if let Some(is_null) = self.is_null {
            all = all.add(null_check(expr, is_null));
        }
        all
    }
}

/// Conditions on an enumerated value, given by its stored name.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumFilter {
    pub eq: Option<&'static str>,
    pub ne: Option<&'static str>,
    pub in_list: Option<Vec<&'static str>>,
}

impl EnumFilter {
    /// Checks list sizes.
    pub fn validate(&self, field: &str) -> Result<()> {
        check_in_list(field, self.in_list.as_ref().map(Vec::len))
    }

    /// The SQL condition on `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let mut all = Condition::all();
        if let Some(v) = self.eq {
            all = all.add(Expr::expr(expr.clone()).eq(v));
        }
        if let Some(v) = self.ne {
            all = all.add(Expr::expr(expr.clone()).ne(v));
        }
        if let Some(values) = &self.in_list {
            all = all.add(Expr::expr(expr).is_in(values.iter().copied()));
        }
        all
    }
}

/// Reads a saved filter's enumeration condition (a segment's definition)
/// back into the `&'static str` names the filters hold. Each distinct name
/// is allocated once per process; the names come from the product's own
/// enumerations, so there are few.
impl<'de> Deserialize<'de> for EnumFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Default, Deserialize)]
        #[serde(default, rename_all = "camelCase")]
        struct Stored {
            eq: Option<String>,
            ne: Option<String>,
            in_list: Option<Vec<String>>,
        }
        let stored = Stored::deserialize(d)?;
        Ok(EnumFilter {
            eq: stored.eq.map(intern),
            ne: stored.ne.map(intern),
            in_list: stored
                .in_list
                .map(|names| names.into_iter().map(intern).collect()),
        })
    }
}

fn intern(name: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

/// Conditions on a point in time.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TimeFilter {
    pub eq: Option<DateTime<Utc>>,
    pub gt: Option<DateTime<Utc>>,
    pub gte: Option<DateTime<Utc>>,
    pub lt: Option<DateTime<Utc>>,
    pub lte: Option<DateTime<Utc>>,
    pub is_null: Option<bool>,
}

impl TimeFilter {
    /// The SQL condition on `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let e = || Expr::expr(expr.clone());
        let mut all = Condition::all();
        if let Some(v) = self.eq {
            all = all.add(e().eq(v));
        }
        if let Some(v) = self.gt {
            all = all.add(e().gt(v));
        }
        if let Some(v) = self.gte {
            all = all.add(e().gte(v));
        }
        if let Some(v) = self.lt {
            all = all.add(e().lt(v));
        }
        if let Some(v) = self.lte {
            all = all.add(e().lte(v));
        }
        if let Some(is_null) = self.is_null {
            all = all.add(null_check(expr, is_null));
        }
        all
    }

    /// Only the comparisons (`eq`, `gt`, `gte`, `lt`, `lte`), on `expr`: the
    /// same bounds on another expression of the time, such as a sort key.
    pub fn bounds(&self, expr: SimpleExpr) -> Condition {
        TimeFilter {
            is_null: None,
            ..self.clone()
        }
        .condition(expr)
    }
}

/// Conditions on a whole number (such as a count).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IntFilter {
    pub eq: Option<i64>,
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl IntFilter {
    /// The SQL condition on `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let e = || Expr::expr(expr.clone());
        let mut all = Condition::all();
        if let Some(v) = self.eq {
            all = all.add(e().eq(v));
        }
        if let Some(v) = self.gt {
            all = all.add(e().gt(v));
        }
        if let Some(v) = self.gte {
            all = all.add(e().gte(v));
        }
        if let Some(v) = self.lt {
            all = all.add(e().lt(v));
        }
        if let Some(v) = self.lte {
            all = all.add(e().lte(v));
        }
        all
    }
}

/// Conditions on an exact decimal (such as an amount of money).
pub type DecimalFilter = RangeFilter<rust_decimal::Decimal>;

/// Conditions on an ordered number (a probability, an amount of money);
/// all given must hold.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RangeFilter<T> {
    pub eq: Option<T>,
    pub gt: Option<T>,
    pub gte: Option<T>,
    pub lt: Option<T>,
    pub lte: Option<T>,
    pub is_null: Option<bool>,
}

impl<T> Default for RangeFilter<T> {
    fn default() -> Self {
        RangeFilter {
            eq: None,
            gt: None,
            gte: None,
            lt: None,
            lte: None,
            is_null: None,
        }
    }
}

impl<T: Into<sea_orm::Value> + Clone> RangeFilter<T> {
    /// The SQL condition on `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let e = || Expr::expr(expr.clone());
        let mut all = Condition::all();
        if let Some(v) = &self.eq {
            all = all.add(e().eq(v.clone()));
        }
        if let Some(v) = &self.gt {
            all = all.add(e().gt(v.clone()));
        }
        if let Some(v) = &self.gte {
            all = all.add(e().gte(v.clone()));
        }
        if let Some(v) = &self.lt {
            all = all.add(e().lt(v.clone()));
        }
        if let Some(v) = &self.lte {
            all = all.add(e().lte(v.clone()));
        }
        if let Some(is_null) = self.is_null {
            all = all.add(null_check(expr, is_null));
        }
        all
    }
}

/// Conditions on a list of text values (such as tags).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TextListFilter {
    /// The list holds this value.
    pub contains: Option<String>,
    /// The list holds every one of these.
    pub contains_all: Option<Vec<String>>,
    /// The list holds at least one of these.
    pub contains_any: Option<Vec<String>>,
    pub is_empty: Option<bool>,
}

impl TextListFilter {
    /// Checks list sizes.
    pub fn validate(&self, field: &str) -> Result<()> {
        check_in_list(field, self.contains_all.as_ref().map(Vec::len))?;
        check_in_list(field, self.contains_any.as_ref().map(Vec::len))
    }

    /// The SQL condition on the `text[]` expression `expr`.
    pub fn condition(&self, expr: SimpleExpr) -> Condition {
        let mut all = Condition::all();
        let array = |values: Vec<String>| {
            Expr::val(values).cast_as(sea_orm::sea_query::Alias::new("text[]"))
        };
        if let Some(v) = &self.contains {
            all = all.add(Expr::expr(expr.clone()).contains(array(vec![v.clone()])));
        }
        if let Some(values) = &self.contains_all {
            all = all.add(Expr::expr(expr.clone()).contains(array(values.clone())));
        }
        if let Some(values) = &self.contains_any {
            all = all.add(Expr::expr(expr.clone()).binary(
                sea_orm::sea_query::BinOper::Custom("&&"),
                array(values.clone()),
            ));
        }
        if let Some(is_empty) = self.is_empty {
            let empty = Expr::expr(expr).eq(array(Vec::new()));
            all = all.add(if is_empty { empty } else { empty.not() });
        }
        all
    }
}

/// Tracks nesting and size of a filter tree while it is converted.
#[derive(Debug, Default)]
pub struct FilterBudget {
    conditions: usize,
}

impl FilterBudget {
    /// Counts one more field condition at nesting `depth`; fails past the limits.
    pub fn spend(&mut self, depth: usize) -> Result<()> {
        self.conditions += 1;
        if depth > MAX_NESTING {
            return Err(Error::validation(
                "filter",
                format!("and/or/not may nest at most {MAX_NESTING} levels deep"),
            ));
        }
        if self.conditions > MAX_CONDITIONS {
            return Err(Error::validation(
                "filter",
                format!("a filter may hold at most {MAX_CONDITIONS} conditions"),
            ));
        }
        Ok(())
    }
}

impl FilterBudget {
    /// Counts a condition on an id list at `depth` and checks the list's length.
    pub fn spend_ids<T>(&mut self, depth: usize, ids: &Option<Vec<T>>, field: &str) -> Result<()> {
        if let Some(ids) = ids {
            self.spend(depth)?;
            if ids.len() > MAX_IN_VALUES {
                return Err(Error::validation(field, "too many values"));
            }
        }
        Ok(())
    }
}

/// The nested filters of an `and`/`or`/`not` filter tree: validates each one
/// level deeper than its parent at `depth`.
pub fn validate_nested<F>(
    (and, or, not): (&[F], &[F], Option<&F>),
    depth: usize,
    budget: &mut FilterBudget,
    mut validate: impl FnMut(&F, usize, &mut FilterBudget) -> Result<()>,
) -> Result<()> {
    for sub in and.iter().chain(or).chain(not) {
        budget.spend(depth + 1)?;
        validate(sub, depth + 1, budget)?;
    }
    Ok(())
}

/// The condition of the nested filters of an `and`/`or`/`not` filter tree:
/// every one of `and`, at least one of `or` (when given), not `not`.
pub fn nested_condition<F>(
    nested: (&[F], &[F], Option<&F>),
    mut condition: impl FnMut(&F) -> Condition,
) -> Condition {
    match try_nested_condition(nested, |sub| {
        Ok::<_, std::convert::Infallible>(condition(sub))
    }) {
        Ok(all) => all,
        Err(never) => match never {},
    }
}

/// [`nested_condition`] for nested conditions that may fail.
pub fn try_nested_condition<F, E>(
    (and, or, not): (&[F], &[F], Option<&F>),
    mut condition: impl FnMut(&F) -> std::result::Result<Condition, E>,
) -> std::result::Result<Condition, E> {
    let mut all = Condition::all();
    for sub in and {
        all = all.add(condition(sub)?);
    }
    if !or.is_empty() {
        let mut any = Condition::any();
        for sub in or {
            any = any.add(condition(sub)?);
        }
        all = all.add(any);
    }
    if let Some(sub) = not {
        all = all.add(condition(sub)?.not());
    }
    Ok(all)
}

fn check_in_list(field: &str, len: Option<usize>) -> Result<()> {
    match len {
        Some(n) if n > MAX_IN_VALUES => Err(Error::validation(
            field,
            format!("a list may hold at most {MAX_IN_VALUES} values"),
        )),
        _ => Ok(()),
    }
}

fn null_check(expr: SimpleExpr, is_null: bool) -> SimpleExpr {
    if is_null {
        Expr::expr(expr).is_null()
    } else {
        Expr::expr(expr).is_not_null()
    }
}

/// A LIKE pattern; PostgreSQL's default escape character is the backslash.
fn like(pattern: &str) -> LikeExpr {
    LikeExpr::new(pattern)
}

/// Escapes LIKE wildcards so user text matches literally.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_literally() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }

    #[test]
    fn budget_limits_depth_and_size() {
        let mut budget = FilterBudget::default();
        assert!(budget.spend(MAX_NESTING).is_ok());
        assert!(budget.spend(MAX_NESTING + 1).is_err());
        let mut budget = FilterBudget::default();
        let results: Vec<_> = (0..=MAX_CONDITIONS).map(|_| budget.spend(0)).collect();
        assert!(results[MAX_CONDITIONS - 1].is_ok());
        assert!(results[MAX_CONDITIONS].is_err());
    }
}
