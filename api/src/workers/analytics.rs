//! Runs customer value recomputes: queued runs of any tenant (including
//! those whose node stopped before starting them) and scheduled ones that
//! are due. Safe on every node at once: a run is claimed by a conditional
//! UPDATE, and one tenant never has two active runs (unique partial index).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::cache::Cache;
use crate::config::Config;
use crate::domain::analytics::{recompute, runs};

/// Runs stuck in RUNNING without a heartbeat for this long are failed.
const LEASE: Duration = Duration::from_secs(15 * 60);
/// Tenants and runs taken per round.
const BATCH: i32 = 10;

/// Wakes the analytics worker of this node at once (a run was just
/// requested) instead of at its next poll.
#[derive(Clone, Default)]
pub struct Wakeup(Arc<tokio::sync::Notify>);

impl Wakeup {
    /// Asks the worker to look for queued runs now.
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

/// Runs until `stopped` changes; a run in progress then goes back to the queue.
pub async fn run(
    db: DatabaseConnection,
    cache: Cache,
    config: Arc<Config>,
    wakeup: Wakeup,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(config.analytics_poll_interval) => {}
            _ = wakeup.0.notified() => {}
            _ = stopped.changed() => return,
        }
        if let Err(err) = round(&db, &cache, stopped.clone()).await {
            tracing::warn!(error = ?err, "analytics round failed");
        }
    }
}

/// Queues the due scheduled runs, then executes queued runs one by one
/// until `stopping` turns true; returns how many this node executed.
pub async fn round(
    db: &DatabaseConnection,
    cache: &Cache,
    stopping: watch::Receiver<bool>,
) -> crate::error::Result<usize> {
    for tenant_id in runs::due_tenants(db, BATCH).await? {
        runs::queue_scheduled(db, tenant_id).await?;
    }
    let mut executed = 0;
    for (tenant_id, run_id) in runs::queued(db, BATCH, LEASE).await? {
        if *stopping.borrow() {
            break;
        }
        if recompute::execute(db, cache, tenant_id, run_id, stopping.clone()).await? {
            executed += 1;
        }
    }
    Ok(executed)
}
