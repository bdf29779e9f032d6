//! Money and currencies: exact decimal amounts with an ISO 4217 code, the
//! minor units each currency is rounded to, the tenant's base currency, and
//! dated exchange rates that report any amount in the base currency at the
//! rate in force on a given date.
//!
//! A rate is "units of the base currency per one unit of the currency": with
//! base USD, EUR at 1.08 means 1 EUR = 1.08 USD. The rate in force on a date
//! is the one with the latest `valid_from` on or before that date.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, Select, Set,
    Statement,
};

use entity::exchange_rate::{self, Column, Entity as ExchangeRates};

use super::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most decimal places of a rate.
pub const RATE_DECIMALS: u32 = 12;
/// Rates stay below 10^16 (the column holds 16 integer digits).
fn max_rate() -> Decimal {
    Decimal::from(10_i64.pow(16))
}

/// Currencies whose minor unit has no decimals (ISO 4217).
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];
/// Currencies whose minor unit has three decimals (ISO 4217).
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// An exact amount in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Money {
    /// An amount in `currency` (a code already checked with [`values::currency`]).
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
        }
    }
}

/// Digits after the decimal point of the currency's minor unit (2 for most,
/// 0 for JPY, 3 for KWD).
pub fn minor_units(currency: &str) -> u32 {
    if ZERO_DECIMALS.contains(&currency) {
        0
    } else if THREE_DECIMALS.contains(&currency) {
        3
    } else {
        2
    }
}

/// Rounds an amount to the currency's minor units, halves away from zero
/// (commercial rounding, as PostgreSQL's `round(numeric)` does).
pub fn round(amount: Decimal, currency: &str) -> Decimal {
    amount.round_dp_with_strategy(
        minor_units(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// An amount as shown to clients: trailing zeros dropped, but never fewer
/// decimals than the currency's minor units (`7.5000` EUR shows as `7.50`,
/// `0.1250` as `0.125`, `1200.0000` JPY as `1200`).
pub fn display(amount: Decimal, currency: &str) -> Decimal {
    let minor = minor_units(currency);
    let mut shown = amount.normalize();
    if shown.scale() < minor {
        shown.rescale(minor);
    }
    shown
}

/// A decimal with at most `decimals` places and an absolute value below
/// `limit`; `field` names it in errors. Trailing zeros are dropped.
pub fn bounded_decimal(
    field: &str,
    value: Decimal,
    decimals: u32,
    limit: Decimal,
) -> Result<Decimal> {
    let value = value.normalize();
    if value.scale() > decimals {
        return Err(Error::validation(
            field,
            format!("must have at most {decimals} decimal places"),
        ));
    }
    if value.abs() >= limit {
        return Err(Error::validation(
            field,
            format!("must be less than {limit}"),
        ));
    }
    Ok(value)
}

/// Parses a decimal written as text (`19.99`, `-3`, `0.125`); `field` names it.
/// Exponents, thousands separators and decimal commas are refused, so a value
/// is never misread.
pub fn parse_decimal(field: &str, raw: &str) -> Result<Decimal> {
    let text = raw.trim();
    let plain = !text.is_empty()
        && text
            .strip_prefix(['-', '+'])
            .unwrap_or(text)
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && text.matches('.').count() <= 1;
    let parsed = plain.then(|| text.parse::<Decimal>().ok()).flatten();
    parsed.ok_or_else(|| {
        Error::validation(
            field,
            format!("`{}` is not a decimal number such as 19.99", short(text)),
        )
    })
}

/// An exchange rate: positive, at most 12 decimal places.
pub fn rate(field: &str, value: Decimal) -> Result<Decimal> {
    let value = bounded_decimal(field, value, RATE_DECIMALS, max_rate())?;
    if value <= Decimal::ZERO {
        return Err(Error::validation(field, "must be greater than 0"));
    }
    Ok(value)
}

/// A validated exchange rate to set.
#[derive(Clone, Debug)]
pub struct NewExchangeRate {
    pub currency: String,
    pub rate: Decimal,
    pub valid_from: NaiveDate,
}

/// The tenant's base currency, which money aggregates are reported in.
pub async fn base_currency(tx: &TenantTx) -> Result<String> {
    let row = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT base_currency::text AS code FROM tenants WHERE id = $1",
            [tx.tenant_id().into()],
        ))
        .await?
        .ok_or(Error::NotFound("workspace"))?;
    Ok(row.try_get::<String>("", "code")?.trim().to_owned())
}

/// Sets the rate of a currency from a date on, replacing one set for the same
/// date. The base currency itself has no rate (it is always 1).
pub async fn set_rate(tx: &TenantTx, new: NewExchangeRate) -> Result<exchange_rate::Model> {
    let base = base_currency(tx).await?;
    if new.currency == base {
        return Err(Error::validation(
            "currency",
            format!("{base} is the workspace's base currency; its rate is always 1"),
        ));
    }
    let now = chrono::Utc::now();
    let rows = ExchangeRates::insert(exchange_rate::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        currency: Set(new.currency),
        valid_from: Set(new.valid_from),
        rate: Set(new.rate),
        set_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([Column::TenantId, Column::Currency, Column::ValidFrom])
            .update_columns([Column::Rate, Column::SetBy, Column::UpdatedAt])
            .to_owned(),
    )
    .exec_with_returning(&**tx)
    .await?;
    super::orders::rollups::recount_for_rate(tx, &rows.currency, rows.valid_from).await?;
    super::orders::revenue_base::store_for_rate(tx, &rows.currency, rows.valid_from).await?;
    Ok(rows)
}

/// Which exchange rates to list.
#[derive(Clone, Debug, Default)]
pub struct ExchangeRateFilter {
    /// Only these currencies.
    pub currencies: Option<Vec<String>>,
    /// Only rates that start on or after this date.
    pub valid_from_gte: Option<NaiveDate>,
    /// Only rates that start on or before this date.
    pub valid_from_lte: Option<NaiveDate>,
}

impl ExchangeRateFilter {
    fn apply(&self, select: Select<ExchangeRates>) -> Select<ExchangeRates> {
        let mut select = select;
        if let Some(currencies) = &self.currencies {
            select = select.filter(Column::Currency.is_in(currencies.iter().cloned()));
        }
        if let Some(date) = self.valid_from_gte {
            select = select.filter(Column::ValidFrom.gte(date));
        }
        if let Some(date) = self.valid_from_lte {
            select = select.filter(Column::ValidFrom.lte(date));
        }
        select
    }
}

fn rate_sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "currency",
            expr: Expr::col((ExchangeRates, Column::Currency)).into(),
            kind: SortKind::Text,
            descending: false,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "validFrom",
            expr: Expr::col((ExchangeRates, Column::ValidFrom)).into(),
            kind: SortKind::Date,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

fn rates(tx: &TenantTx, filter: &ExchangeRateFilter) -> Select<ExchangeRates> {
    filter.apply(ExchangeRates::find().filter(Column::TenantId.eq(tx.tenant_id())))
}

/// One page of exchange rates, by currency and newest first within one.
pub async fn list_rates(
    tx: &TenantTx,
    filter: &ExchangeRateFilter,
    page: &PageRequest,
) -> Result<Page<exchange_rate::Model>> {
    fetch_page(tx, rates(tx, filter), &rate_sort_keys(), page, |row| {
        vec![
            SortValue::Text(row.currency.clone()),
            SortValue::Date(row.valid_from),
        ]
    })
    .await
}

/// How many exchange rates match `filter`.
pub async fn count_rates(tx: &TenantTx, filter: &ExchangeRateFilter) -> Result<u64> {
    Ok(rates(tx, filter).count(&**tx).await?)
}

/// The rates in force for each (currency, date) asked, in one query. Pairs
/// without a rate are absent; the base currency is never looked up (its rate
/// is 1), so callers handle it with [`convert_at`].
pub async fn rates_on(
    tx: &TenantTx,
    wanted: &[(String, NaiveDate)],
) -> Result<HashMap<(String, NaiveDate), Decimal>> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let currencies: Vec<String> = wanted.iter().map(|(c, _)| c.clone()).collect();
    let dates: Vec<NaiveDate> = wanted.iter().map(|(_, d)| *d).collect();
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT w.currency, w.on_date, r.rate
               FROM unnest($2::text[], $3::date[]) AS w(currency, on_date)
               CROSS JOIN LATERAL (
                     SELECT e.rate FROM exchange_rates e
                      WHERE e.tenant_id = $1 AND e.currency = w.currency AND e.valid_from <= w.on_date
                      ORDER BY e.valid_from DESC
                      LIMIT 1) r",
            [tx.tenant_id().into(), currencies.into(), dates.into()],
        ))
        .await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        found.insert(
            (
                row.try_get::<String>("", "currency")?,
                row.try_get::<NaiveDate>("", "on_date")?,
            ),
            row.try_get::<Decimal>("", "rate")?,
        );
    }
    Ok(found)
}

/// `money` in `base` at `rate` (units of base per unit of the money's
/// currency; ignored when the money already is in `base`), rounded to the
/// base currency's minor units. `None` for `rate` means no rate was in force
/// on `on`, which is an error naming the currency and the date.
pub fn convert_at(
    money: &Money,
    base: &str,
    rate: Option<Decimal>,
    on: NaiveDate,
) -> Result<Money> {
    if money.currency == base {
        return Ok(Money::new(round(money.amount, base), base));
    }
    let rate = rate.ok_or_else(|| missing_rate(&money.currency, base, on))?;
    let amount = money.amount.checked_mul(rate).ok_or_else(|| {
        Error::validation("amount", "is too large to convert to the base currency")
    })?;
    Ok(Money::new(round(amount, base), base))
}

/// `money` in the tenant's base currency at the rate in force on `on` (the
/// latest rate whose `valid_from` is on or before it). No such rate is a
/// `VALIDATION` error on `currency` that names the date.
pub async fn convert(tx: &TenantTx, money: &Money, on: NaiveDate) -> Result<Money> {
    let base = base_currency(tx).await?;
    if money.currency == base {
        return convert_at(money, &base, None, on);
    }
    let rates = rates_on(tx, &[(money.currency.clone(), on)]).await?;
    convert_at(
        money,
        &base,
        rates.get(&(money.currency.clone(), on)).copied(),
        on,
    )
}

/// The error for a conversion without a rate in force.
pub fn missing_rate(currency: &str, base: &str, on: NaiveDate) -> Error {
    Error::validation(
        "currency",
        format!(
            "no exchange rate from {currency} to {base} is in force on {on}; set one with setExchangeRate (validFrom on or before {on})"
        ),
    )
}

/// A currency code as the API takes it; `field` names it.
pub fn currency(field: &str, raw: &str) -> Result<String> {
    values::currency(field, raw)
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn amounts_round_to_the_currency_minor_units_halves_away_from_zero() {
        assert_eq!(round(d("53.973"), "USD"), d("53.97"));
        assert_eq!(round(d("0.125"), "EUR"), d("0.13"));
        assert_eq!(round(d("-0.125"), "EUR"), d("-0.13"));
        assert_eq!(round(d("1234.5"), "JPY"), d("1235"));
        assert_eq!(round(d("1.2345"), "KWD"), d("1.235"));
    }

    #[test]
    fn amounts_show_at_least_the_minor_units() {
        assert_eq!(display(d("7.5000"), "EUR").to_string(), "7.50");
        assert_eq!(display(d("0.1250"), "EUR").to_string(), "0.125");
        assert_eq!(display(d("1200.0000"), "JPY").to_string(), "1200");
        assert_eq!(display(d("0"), "USD").to_string(), "0.00");
    }

    #[test]
    fn decimals_are_parsed_strictly() {
        assert_eq!(parse_decimal("q", " 19.99 ").unwrap(), d("19.99"));
        assert_eq!(parse_decimal("q", "-3").unwrap(), d("-3"));
        for bad in ["", "1e3", "1,5", "1.2.3", "abc", "1_000", "NaN"] {
            assert!(parse_decimal("q", bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn bounded_decimals_check_places_and_size() {
        assert_eq!(
            bounded_decimal("x", d("19.9900"), 2, d("100")).unwrap(),
            d("19.99")
        );
        assert!(bounded_decimal("x", d("1.001"), 2, d("100")).is_err());
        assert!(bounded_decimal("x", d("100"), 2, d("100")).is_err());
    }

    #[test]
    fn conversion_uses_the_rate_and_rounds_to_the_base_currency() {
        let on = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let eur = Money::new(d("53.97"), "EUR");
        let usd = convert_at(&eur, "USD", Some(d("1.0832")), on).unwrap();
        assert_eq!(usd, Money::new(d("58.46"), "USD")); // 58.460304
        let same = convert_at(&Money::new(d("10.005"), "USD"), "USD", None, on).unwrap();
        assert_eq!(same.amount, d("10.01"));
        let err = convert_at(&eur, "USD", None, on).unwrap_err();
        assert!(err.message().contains("2026-01-05"), "{}", err.message());
    }

    #[test]
    fn rates_are_positive() {
        assert!(rate("rate", d("0")).is_err());
        assert!(rate("rate", d("-1")).is_err());
        assert!(rate("rate", d("0.0000000000001")).is_err());
        assert_eq!(rate("rate", d("7.25")).unwrap(), d("7.25"));
    }

    #[test]
    fn json_numbers_that_reach_the_decimal_scalar_keep_their_digits() {
        // async-graphql reads a JSON number as f64 before making a Decimal;
        // prices with a few decimals survive that, which is why numbers are
        // accepted next to strings (strings stay the exact way).
        assert_eq!(Decimal::try_from(19.99f64).unwrap(), d("19.99"));
        assert_eq!(Decimal::try_from(0.1f64).unwrap(), d("0.1"));
    }
}
