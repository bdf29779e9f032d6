//! Service levels: per case priority, how soon a case must get its first
//! response and be resolved. Tenants change them; priorities they never set
//! use the product defaults. Due times are wall-clock (no business hours).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::cases::CasePriority;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// The longest target: one year, in minutes.
pub const MAX_MINUTES: i32 = 525_600;

/// The targets of one priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceLevel {
    pub priority: CasePriority,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
    /// Whether these are the product defaults (the tenant never set them).
    pub is_default: bool,
}

impl ServiceLevel {
    /// The product defaults: urgent 1 h / 4 h, high 4 h / 1 day, normal
    /// 8 h / 3 days, low 1 day / 7 days.
    pub fn default_for(priority: CasePriority) -> ServiceLevel {
        let (first_response_minutes, resolution_minutes) = match priority {
            CasePriority::Urgent => (60, 240),
            CasePriority::High => (240, 1_440),
            CasePriority::Normal => (480, 4_320),
            CasePriority::Low => (1_440, 10_080),
        };
        ServiceLevel {
            priority,
            first_response_minutes,
            resolution_minutes,
            is_default: true,
        }
    }

    /// When a case opened at `opened` must have had its first response.
    pub fn first_response_due(&self, opened: DateTime<Utc>) -> DateTime<Utc> {
        opened + Duration::minutes(i64::from(self.first_response_minutes))
    }

    /// When a case opened at `opened` must be resolved.
    pub fn resolution_due(&self, opened: DateTime<Utc>) -> DateTime<Utc> {
        opened + Duration::minutes(i64::from(self.resolution_minutes))
    }
}

/// Every priority's targets, most urgent first.
pub async fn all(tx: &TenantTx) -> Result<Vec<ServiceLevel>> {
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT priority, first_response_minutes, resolution_minutes
               FROM case_service_levels WHERE tenant_id = $1",
            [tx.tenant_id().into()],
        ))
        .await?;
    let mut levels: Vec<ServiceLevel> = CasePriority::ALL
        .into_iter()
        .rev()
        .map(ServiceLevel::default_for)
        .collect();
    for row in rows {
        let priority = CasePriority::parse(&row.try_get::<String>("", "priority")?)?;
        if let Some(level) = levels.iter_mut().find(|l| l.priority == priority) {
            level.first_response_minutes = row.try_get("", "first_response_minutes")?;
            level.resolution_minutes = row.try_get("", "resolution_minutes")?;
            level.is_default = false;
        }
    }
    Ok(levels)
}

/// The targets of one priority.
pub async fn of(tx: &TenantTx, priority: CasePriority) -> Result<ServiceLevel> {
    all(tx)
        .await?
        .into_iter()
        .find(|l| l.priority == priority)
        .ok_or_else(|| Error::internal(MissingPriority))
}

/// Sets the targets of one priority. Both are whole minutes from 1 to a
/// year, and resolution cannot come before the first response. Cases
/// opened earlier keep the due times they were given.
pub async fn set(
    tx: &TenantTx,
    priority: CasePriority,
    first_response_minutes: i32,
    resolution_minutes: i32,
) -> Result<ServiceLevel> {
    for (value, field) in [
        (first_response_minutes, "firstResponseMinutes"),
        (resolution_minutes, "resolutionMinutes"),
    ] {
        if !(1..=MAX_MINUTES).contains(&value) {
            return Err(Error::validation(
                field,
                format!("must be between 1 and {MAX_MINUTES} minutes"),
            ));
        }
    }
    if resolution_minutes < first_response_minutes {
        return Err(Error::validation(
            "resolutionMinutes",
            "cannot be shorter than the first response target",
        ));
    }
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO case_service_levels
                (tenant_id, priority, first_response_minutes, resolution_minutes, updated_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, priority) DO UPDATE
            SET first_response_minutes = EXCLUDED.first_response_minutes,
                resolution_minutes = EXCLUDED.resolution_minutes,
                updated_by = EXCLUDED.updated_by,
                updated_at = now()",
        [
            tx.tenant_id().into(),
            priority.as_str().into(),
            first_response_minutes.into(),
            resolution_minutes.into(),
            tx.scope().user_id.into(),
        ],
    ))
    .await?;
    Ok(ServiceLevel {
        priority,
        first_response_minutes,
        resolution_minutes,
        is_default: false,
    })
}

/// A priority missing from the list of all (an inconsistency).
#[derive(Debug, thiserror::Error)]
#[error("no service level for a case priority")]
struct MissingPriority;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_stricter_for_more_urgent_cases() {
        let levels: Vec<ServiceLevel> = CasePriority::ALL
            .into_iter()
            .map(ServiceLevel::default_for)
            .collect();
        for pair in levels.windows(2) {
            assert!(pair[0].first_response_minutes > pair[1].first_response_minutes);
            assert!(pair[0].resolution_minutes > pair[1].resolution_minutes);
        }
        for level in levels {
            assert!(level.resolution_minutes >= level.first_response_minutes);
            assert!(level.resolution_minutes <= MAX_MINUTES);
        }
    }
}
