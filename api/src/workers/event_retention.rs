//! Prunes events older than the retention period (`CRM_EVENT_RETENTION_DAYS`,
//! 30 by default) with their webhook deliveries, once an hour. Safe on
//! every node at once: a delete of rows another node deleted deletes none.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

/// How often old events are pruned.
const INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Runs until `stopped` changes: a pruning at start, then one per interval.
pub async fn run(db: DatabaseConnection, retention: Duration, mut stopped: watch::Receiver<bool>) {
    loop {
        let before = chrono::Utc::now()
            - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(30));
        match crate::domain::domain_events::prune(&db, before).await {
            Ok(0) => {}
            Ok(gone) => tracing::info!(gone, "pruned events past their retention"),
            Err(err) => tracing::warn!(error = ?err, "pruning old events failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(INTERVAL) => {}
            _ = stopped.changed() => return,
        }
    }
}
