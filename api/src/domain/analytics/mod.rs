//! Customer value analytics: the stored per-customer figures (RFM, value
//! tiers, lifetime value, churn risk) and the runs that compute them, plus
//! the figures computed on demand in SQL: growth, cross-sell rules and the
//! multi-dimensional sales analysis.
//!
//! Money is always reported in the tenant's base currency, converting each
//! order at the exchange rate in force on its (UTC) date, exactly like
//! `Order.totalInBaseCurrency`. Cancelled and refunded orders are not
//! purchases.

pub mod analyze;
pub mod cross_sell;
pub mod growth;
pub mod recompute;
pub mod runs;
pub mod settings;
pub mod values;

use crate::tenancy::TenantTx;

/// Order statuses that do not count as purchases.
pub const NOT_PURCHASES: &str = "('CANCELLED', 'REFUNDED')";

pub use super::sql::SqlBuilder;

/// SQL for `amount` (in `currency`, on the date of `at`) in the base
/// currency: unchanged when already in it, else times the rate in force on
/// that UTC date, rounded to the base currency's minor units; NULL when no
/// rate was in force. `base` and `minor` are placeholders bound by the
/// caller; the other arguments are fixed column expressions.
pub fn in_base_currency(amount: &str, currency: &str, at: &str, base: &str, minor: &str) -> String {
    format!(
        "CASE WHEN {currency} = {base} THEN round({amount}, {minor}) ELSE round({amount} * (
             SELECT e.rate FROM exchange_rates e
              WHERE e.tenant_id = o.tenant_id AND e.currency = {currency}
                AND e.valid_from <= ({at} AT TIME ZONE 'UTC')::date
              ORDER BY e.valid_from DESC LIMIT 1), {minor}) END"
    )
}

/// The condition limiting `customers c` to those the member may see (sales
/// reps restricted to their own or their team's customers), or `TRUE`.
pub fn visible_customers(tx: &TenantTx, sql: &mut SqlBuilder, tenant: &str) -> String {
    super::visibility::sql_condition(tx.scope().customers, "c", tenant, sql)
}
