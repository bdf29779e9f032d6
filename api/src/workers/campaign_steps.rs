//! Runs due campaign steps (emails, invitations, call lists) of every
//! tenant. Safe on every node at once: steps are claimed with
//! `FOR UPDATE SKIP LOCKED`, and each member's delivery is recorded once
//! ([`crate::domain::marketing::step_runs`]).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::cache::Cache;
use crate::config::Config;
use crate::domain::marketing::step_runs;

/// How long a claimed step is left to one node before another takes it up;
/// every batch of members renews it.
pub const LEASE: Duration = Duration::from_secs(5 * 60);
/// Steps claimed per round.
const BATCH: i32 = 5;

/// Runs until `stopped` changes: a round per poll interval.
pub async fn run(
    db: DatabaseConnection,
    cache: Cache,
    config: Arc<Config>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(config.campaign_step_poll_interval) => {}
            _ = stopped.changed() => return,
        }
        if let Err(err) = round(&db, &cache).await {
            tracing::warn!(error = ?err, "campaign step round failed");
        }
    }
}

/// Claims due steps and runs them; returns how many this call finished.
pub async fn round(db: &DatabaseConnection, cache: &Cache) -> crate::error::Result<usize> {
    let mut finished = 0;
    for (tenant_id, step_id) in step_runs::claim_due(db, BATCH, LEASE).await? {
        match step_runs::run(db, cache, tenant_id, step_id, LEASE).await {
            Ok(true) => finished += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!(%step_id, error = ?err, "campaign step left for a retry"),
        }
    }
    Ok(finished)
}
