//! The sales-activity report: per rep and per team over a period, the calls,
//! meetings and emails they logged, the deals they created (as owners), won
//! and lost, the win rate (won ÷ closed) and the average sales cycle (days
//! from a won deal's creation to its win).
//!
//! A rep is a member who logged an interaction or owns a deal in the
//! period; a team row sums its members (members without a team form the
//! row without a team). Deals created count by creation time, won and lost
//! by close time, interactions by when they happened; the period includes
//! its start and excludes its end.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// The figures of one rep or team.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activity {
    pub calls: i64,
    pub meetings: i64,
    pub emails: i64,
    pub deals_created: i64,
    pub deals_won: i64,
    pub deals_lost: i64,
    /// Σ seconds from creation to win of the won deals.
    cycle_seconds: Decimal,
}

impl Activity {
    /// Won ÷ (won + lost), 4 decimals; `None` when nothing was closed.
    pub fn win_rate(&self) -> Option<Decimal> {
        let closed = self.deals_won + self.deals_lost;
        (closed > 0).then(|| (Decimal::from(self.deals_won) / Decimal::from(closed)).round_dp(4))
    }

    /// Average days from creation to win, 1 decimal; `None` without wins.
    pub fn average_sales_cycle_days(&self) -> Option<Decimal> {
        (self.deals_won > 0).then(|| {
            (self.cycle_seconds / Decimal::from(86_400) / Decimal::from(self.deals_won)).round_dp(1)
        })
    }

    fn add(&mut self, other: &Activity) {
        self.calls += other.calls;
        self.meetings += other.meetings;
        self.emails += other.emails;
        self.deals_created += other.deals_created;
        self.deals_won += other.deals_won;
        self.deals_lost += other.deals_lost;
        self.cycle_seconds += other.cycle_seconds;
    }
}

/// One rep's figures.
#[derive(Clone, Debug)]
pub struct RepActivity {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub activity: Activity,
}

/// One team's figures (the sum of its reps').
#[derive(Clone, Debug)]
pub struct TeamActivity {
    pub team_id: Option<Uuid>,
    pub name: Option<String>,
    pub activity: Activity,
}

/// The report.
#[derive(Clone, Debug)]
pub struct ActivityReport {
    pub reps: Vec<RepActivity>,
    pub teams: Vec<TeamActivity>,
}

/// Computes the report for `[from, to)` in one query.
pub async fn report(
    tx: &TenantTx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ActivityReport> {
    if to <= from {
        return Err(Error::validation("to", "must be after `from`"));
    }
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "WITH acts AS (
                SELECT logged_by AS user_id,
                       count(*) FILTER (WHERE kind = 'CALL') AS calls,
                       count(*) FILTER (WHERE kind = 'MEETING') AS meetings,
                       count(*) FILTER (WHERE kind = 'EMAIL') AS emails
                  FROM interactions
                 WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND logged_by IS NOT NULL
                 GROUP BY 1
             ), created AS (
                SELECT owner_id AS user_id, count(*) AS deals_created
                  FROM deals
                 WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 AND owner_id IS NOT NULL
                 GROUP BY 1
             ), closed AS (
                SELECT owner_id AS user_id,
                       count(*) FILTER (WHERE status = 'WON') AS deals_won,
                       count(*) FILTER (WHERE status = 'LOST') AS deals_lost,
                       COALESCE(sum(extract(epoch FROM closed_at - created_at)) FILTER (WHERE status = 'WON'), 0)
                           AS cycle_seconds
                  FROM deals
                 WHERE tenant_id = $1 AND closed_at >= $2 AND closed_at < $3 AND owner_id IS NOT NULL
                 GROUP BY 1
             )
             SELECT m.user_id, m.team_id, t.name AS team_name, COALESCE(u.display_name, u.email) AS name,
                    COALESCE(a.calls, 0) AS calls, COALESCE(a.meetings, 0) AS meetings,
                    COALESCE(a.emails, 0) AS emails, COALESCE(c.deals_created, 0) AS deals_created,
                    COALESCE(w.deals_won, 0) AS deals_won, COALESCE(w.deals_lost, 0) AS deals_lost,
                    COALESCE(w.cycle_seconds, 0)::numeric AS cycle_seconds
               FROM memberships m
               JOIN users u ON u.id = m.user_id
               LEFT JOIN teams t ON t.tenant_id = m.tenant_id AND t.id = m.team_id
               LEFT JOIN acts a ON a.user_id = m.user_id
               LEFT JOIN created c ON c.user_id = m.user_id
               LEFT JOIN closed w ON w.user_id = m.user_id
              WHERE m.tenant_id = $1
                AND (a.user_id IS NOT NULL OR c.user_id IS NOT NULL OR w.user_id IS NOT NULL)
              ORDER BY name, m.user_id",
            [tx.tenant_id().into(), from.into(), to.into()],
        ))
        .await?;
    let mut reps = Vec::with_capacity(rows.len());
    let mut teams: BTreeMap<Option<Uuid>, TeamActivity> = BTreeMap::new();
    for row in rows {
        let activity = Activity {
            calls: row.try_get("", "calls")?,
            meetings: row.try_get("", "meetings")?,
            emails: row.try_get("", "emails")?,
            deals_created: row.try_get("", "deals_created")?,
            deals_won: row.try_get("", "deals_won")?,
            deals_lost: row.try_get("", "deals_lost")?,
            cycle_seconds: row.try_get("", "cycle_seconds")?,
        };
        let team_id: Option<Uuid> = row.try_get("", "team_id")?;
        let team_name: Option<String> = row.try_get("", "team_name")?;
        teams
            .entry(team_id)
            .or_insert_with(|| TeamActivity {
                team_id,
                name: team_name,
                activity: Activity::default(),
            })
            .activity
            .add(&activity);
        reps.push(RepActivity {
            user_id: row.try_get("", "user_id")?,
            name: row.try_get("", "name")?,
            team_id,
            activity,
        });
    }
    let mut teams: Vec<TeamActivity> = teams.into_values().collect();
    teams.sort_by(|a, b| (a.name.is_none(), &a.name).cmp(&(b.name.is_none(), &b.name)));
    Ok(ActivityReport { reps, teams })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_rate_and_cycle_need_closed_deals() {
        let mut a = Activity::default();
        assert_eq!(a.win_rate(), None);
        assert_eq!(a.average_sales_cycle_days(), None);
        a.deals_won = 2;
        a.deals_lost = 1;
        a.cycle_seconds = Decimal::from(86_400 * 25);
        assert_eq!(a.win_rate(), Some(Decimal::new(6667, 4)));
        assert_eq!(a.average_sales_cycle_days(), Some(Decimal::new(125, 1)));
    }
}
