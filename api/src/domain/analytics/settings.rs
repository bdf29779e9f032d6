//! Per-tenant settings of the customer value computation: tier shares,
//! prediction horizon, discount rate and the recompute schedule.

use rust_decimal::Decimal;
use sea_orm::{DbBackend, FromQueryResult, Statement};

use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// How a tenant's customer value is computed.
#[derive(Clone, Debug, PartialEq, FromQueryResult)]
pub struct ValueSettings {
    /// Share of revenue covered by tier A (0.80 by default).
    pub tier_a_share: Decimal,
    /// Share of revenue covered by tier B (0.15 by default); C gets the rest.
    pub tier_b_share: Decimal,
    /// Months of the prediction horizon (12 by default).
    pub horizon_months: i32,
    /// Yearly discount rate of future value (0.10 by default).
    pub annual_discount_rate: Decimal,
    /// Whether scheduled recomputes run.
    pub schedule_enabled: bool,
    /// Hours between scheduled recomputes (24 by default).
    pub schedule_interval_hours: i32,
    /// Goes up with every change.
    pub version: i32,
}

impl Default for ValueSettings {
    fn default() -> Self {
        ValueSettings {
            tier_a_share: Decimal::new(80, 2),
            tier_b_share: Decimal::new(15, 2),
            horizon_months: 12,
            annual_discount_rate: Decimal::new(10, 2),
            schedule_enabled: true,
            schedule_interval_hours: 24,
            version: 0,
        }
    }
}

/// Changes to the settings; only the given fields change.
#[derive(Clone, Debug, Default)]
pub struct SettingsChanges {
    pub tier_a_share: Option<Decimal>,
    pub tier_b_share: Option<Decimal>,
    pub horizon_months: Option<i32>,
    pub annual_discount_rate: Option<Decimal>,
    pub schedule_enabled: Option<bool>,
    pub schedule_interval_hours: Option<i32>,
}

const COLUMNS: &str = "tier_a_share, tier_b_share, horizon_months, annual_discount_rate,
                       schedule_enabled, schedule_interval_hours, version";

/// The tenant's settings (the defaults until changed).
pub async fn get(tx: &TenantTx) -> Result<ValueSettings> {
    let found = ValueSettings::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("SELECT {COLUMNS} FROM customer_value_settings WHERE tenant_id = $1"),
        [tx.tenant_id().into()],
    ))
    .one(&**tx)
    .await?;
    Ok(found.unwrap_or_default())
}

/// Applies `changes` after checking the result; `field` names in errors
/// are those of the API input.
pub async fn update(tx: &TenantTx, changes: SettingsChanges) -> Result<ValueSettings> {
    let current = get(tx).await?;
    let next = ValueSettings {
        tier_a_share: changes.tier_a_share.unwrap_or(current.tier_a_share),
        tier_b_share: changes.tier_b_share.unwrap_or(current.tier_b_share),
        horizon_months: changes.horizon_months.unwrap_or(current.horizon_months),
        annual_discount_rate: changes
            .annual_discount_rate
            .unwrap_or(current.annual_discount_rate),
        schedule_enabled: changes.schedule_enabled.unwrap_or(current.schedule_enabled),
        schedule_interval_hours: changes
            .schedule_interval_hours
            .unwrap_or(current.schedule_interval_hours),
        version: current.version,
    };
    validate(&next)?;
    let saved = ValueSettings::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!(
            "INSERT INTO customer_value_settings (tenant_id, {COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
             ON CONFLICT (tenant_id) DO UPDATE SET
                 tier_a_share = EXCLUDED.tier_a_share, tier_b_share = EXCLUDED.tier_b_share,
                 horizon_months = EXCLUDED.horizon_months,
                 annual_discount_rate = EXCLUDED.annual_discount_rate,
                 schedule_enabled = EXCLUDED.schedule_enabled,
                 schedule_interval_hours = EXCLUDED.schedule_interval_hours,
                 version = customer_value_settings.version + 1, updated_at = now()
             RETURNING {COLUMNS}"
        ),
        [
            tx.tenant_id().into(),
            next.tier_a_share.into(),
            next.tier_b_share.into(),
            next.horizon_months.into(),
            next.annual_discount_rate.into(),
            next.schedule_enabled.into(),
            next.schedule_interval_hours.into(),
        ],
    ))
    .one(&**tx)
    .await?
    .ok_or_else(|| Error::internal(std::io::Error::other("settings upsert returned nothing")))?;
    Ok(saved)
}

fn validate(s: &ValueSettings) -> Result<()> {
    let share = |field: &str, v: Decimal, min_exclusive: bool| -> Result<()> {
        let too_low = if min_exclusive {
            v <= Decimal::ZERO
        } else {
            v < Decimal::ZERO
        };
        if too_low || v > Decimal::ONE || v.scale() > 4 {
            return Err(Error::validation(
                field,
                "must be a share between 0 and 1 with at most 4 decimals",
            ));
        }
        Ok(())
    };
    share("input.tierAShare", s.tier_a_share, true)?;
    share("input.tierBShare", s.tier_b_share, false)?;
    if s.tier_a_share + s.tier_b_share > Decimal::ONE {
        return Err(Error::validation(
            "input.tierBShare",
            "tier A and tier B shares together must not exceed 1",
        ));
    }
    if !(1..=120).contains(&s.horizon_months) {
        return Err(Error::validation(
            "input.horizonMonths",
            "must be between 1 and 120",
        ));
    }
    share("input.annualDiscountRate", s.annual_discount_rate, false)?;
    if !(1..=8760).contains(&s.schedule_interval_hours) {
        return Err(Error::validation(
            "input.scheduleIntervalHours",
            "must be between 1 and 8760 (a year)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_must_fit_in_the_whole() {
        assert!(validate(&ValueSettings::default()).is_ok());
        let over = ValueSettings {
            tier_a_share: Decimal::new(90, 2),
            tier_b_share: Decimal::new(15, 2),
            ..ValueSettings::default()
        };
        assert!(
            matches!(validate(&over), Err(Error::Validation { field, .. }) if field == "input.tierBShare")
        );
        let zero_a = ValueSettings {
            tier_a_share: Decimal::ZERO,
            ..ValueSettings::default()
        };
        assert!(validate(&zero_a).is_err());
    }
}
